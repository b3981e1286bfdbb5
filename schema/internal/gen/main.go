// Command gen writes data.bin, the compact form of AWS's CloudFormation registry
// schemas that package schema embeds. It reads cfn-lint's corrected copy of them
// from the installed cfn-lint (python3 -m pip install cfn-lint==1.51.0: see
// build.CfnLintVersion), and rain's copy from the module cache for the types
// cfn-lint lacks (run go mod download first). Only this generator reads them:
// riglet itself needs neither. It is run by go generate in the schema directory:
//
//	go generate ./schema
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/riglet/riglet/schema/internal/build"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	b, err := build.FromSources()
	if err != nil {
		return err
	}
	// Leave the file alone when nothing changed, so its time stamp means something.
	if old, err := os.ReadFile("data.bin"); err == nil && bytes.Equal(old, b) {
		return nil
	}
	return os.WriteFile("data.bin", b, 0o644)
}

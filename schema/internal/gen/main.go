// Command gen writes data.bin, the compact form of AWS's CloudFormation registry
// schemas that package schema embeds. It reads them from rain's module in the
// module cache (run go mod download first) and is run by go generate in the schema
// directory:
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
	b, err := build.FromRain()
	if err != nil {
		return err
	}
	// Leave the file alone when nothing changed, so its time stamp means something.
	if old, err := os.ReadFile("data.bin"); err == nil && bytes.Equal(old, b) {
		return nil
	}
	return os.WriteFile("data.bin", b, 0o644)
}

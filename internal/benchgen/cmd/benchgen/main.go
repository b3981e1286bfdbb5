// Command benchgen writes the benchmark riglet of N services into a directory:
// go run ./internal/benchgen/cmd/benchgen -n 800 -o .bench/800
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/riglet/riglet/internal/benchgen"
)

func main() {
	n := flag.Int("n", 200, "number of services")
	out := flag.String("o", ".bench", "directory to write the riglet into")
	flag.Parse()
	if err := os.RemoveAll(*out); err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
	for p, data := range benchgen.Files(*n) {
		full := filepath.Join(*out, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "benchgen:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "benchgen:", err)
			os.Exit(1)
		}
	}
}

package riglet

import (
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Every package a compile runs is in the fingerprint: a package added to the compile's
// imports without being embedded would let a changed compiler trust an old record.
func TestFingerprintCoversCompile(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if .Module}}{{if .Module.Main}}{{.Dir}}|{{join .GoFiles \",\"}}{{end}}{{end}}",
		"./compiler", "./outdir", "./record", "./manifest", "./model", "./blocks").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, _ := filepath.Abs(".")
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		dir, files, _ := strings.Cut(line, "|")
		rel, _ := filepath.Rel(root, dir)
		for _, f := range strings.Split(files, ",") {
			p := filepath.ToSlash(filepath.Join(rel, f))
			if _, err := fs.Stat(sources, p); err != nil {
				t.Errorf("%s is compiled into riglet compile but not into its fingerprint: add %s/*.go to fingerprint.go's go:embed", p, rel)
			}
			n++
		}
	}
	if n < 50 {
		t.Fatalf("only %d source files found: go list output %q", n, out)
	}
	for _, p := range []string{"cmd/riglet/compile.go", "go.sum"} {
		if _, err := fs.Stat(sources, p); err != nil {
			t.Errorf("%s is not in the fingerprint", p)
		}
	}
}

// The fingerprint changes with any source byte, and is stable within a build.
func TestFingerprintIsStable(t *testing.T) {
	a, b := Fingerprint(), Fingerprint()
	if a != b || len(a) != 64 {
		t.Fatalf("fingerprint %q then %q", a, b)
	}
}

package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A compile writes its templates while it still compiles (outdir.Stage); one that
// then fails (here --frozen, as the lock would be written) leaves no trace: no out/,
// when there was none, and no temp directory in an out/ that was there.
func TestFailedCompileLeavesNoStagedFiles(t *testing.T) {
	dir := project(t, "30")
	out := filepath.Join(t.TempDir(), "out")
	var so, se bytes.Buffer
	if code := run([]string{"-C", dir, "compile", "--frozen", "--out", out}, &so, &se); code != 1 || !strings.Contains(se.String(), "the lock would change") {
		t.Fatalf("compile --frozen without a lock: exit %d: %s", code, se.String())
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a failed compile left %s: %v", out, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "riglets", "demo.lock")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a failed compile wrote the lock: %v", err)
	}
	// out/ there, one env removed from it: --frozen still fails, and leaves out/ as it was
	if code := run([]string{"-C", dir, "compile", "--out", out}, &so, &se); code != 0 {
		t.Fatalf("compile: exit %d: %s", code, se.String())
	}
	want := tree(t, out)
	os.RemoveAll(filepath.Join(out, "demo", "prod"))
	os.Remove(filepath.Join(dir, "riglets", "demo.lock"))
	before := tree(t, out)
	if code := run([]string{"-C", dir, "compile", "--frozen", "--out", out}, &so, &se); code != 1 {
		t.Fatalf("compile --frozen: exit %d: %s", code, se.String())
	}
	if got := tree(t, out); !sameFiles(got, before) {
		t.Fatalf("a failed compile changed out/: %v, was %v", keys(got), keys(before))
	}
	ents, _ := os.ReadDir(filepath.Join(out, "demo"))
	for _, e := range ents {
		if strings.Contains(e.Name(), ".riglet-") {
			t.Errorf("a failed compile left %s", e.Name())
		}
	}
	// and a compile writes the staged env as a compile from scratch does
	if code := run([]string{"-C", dir, "compile", "--out", out}, &so, &se); code != 0 {
		t.Fatalf("compile: exit %d: %s", code, se.String())
	}
	got := tree(t, out)
	delete(got, "demo/riglet.sum")
	delete(want, "demo/riglet.sum")
	if !sameFiles(got, want) {
		t.Errorf("out/ after the staged compile: %v, want %v", keys(got), keys(want))
	}
}

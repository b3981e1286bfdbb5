package outdir

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRigletWrite: env directories are written whole, envs the spec dropped go (only
// directories riglet wrote), and the lock is written only when it changed.
func TestRigletWrite(t *testing.T) {
	out := t.TempDir()
	root := filepath.Join(out, "demo")
	lock := filepath.Join(t.TempDir(), "demo.lock")
	mk := func(p, data string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk(filepath.Join(root, "old", "stacks.json"), "{}")   // an env the spec dropped
	mk(filepath.Join(root, "notes", "README.md"), "mine") // not riglet's: stays
	w := &Riglet{Root: root, Complete: true, Lock: lock, LockData: []byte("a: 1\n"), LockChanged: true,
		Dirs: []Dir{
			{Path: filepath.Join(root, "dev"), Files: []File{{Path: "app.yaml", Data: []byte("x: 1\n")}, {Path: "stacks.json", Data: []byte("{}")}}},
			{Path: filepath.Join(root, "prod"), Files: []File{{Path: "stacks.json", Data: []byte("{}")}}},
		}}
	if err := w.Write(); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{"dev/app.yaml": true, "prod/stacks.json": true, "old": false, "notes/README.md": true} {
		if got := exists(filepath.Join(root, filepath.FromSlash(p))); got != want {
			t.Errorf("%s exists: %v, want %v", p, got, want)
		}
	}
	if data, _ := os.ReadFile(lock); string(data) != "a: 1\n" {
		t.Errorf("lock holds %q", data)
	}
	if stale, err := w.Stale(); err != nil || len(stale) != 0 {
		t.Errorf("just written, yet stale: %v %v", stale, err)
	}
	// Not complete (--env): nothing is removed; an unchanged lock is not rewritten.
	mk(filepath.Join(root, "qa", "stacks.json"), "{}")
	os.Remove(lock)
	w.Complete, w.LockChanged = false, false
	if err := w.Write(); err != nil {
		t.Fatal(err)
	}
	if !exists(filepath.Join(root, "qa")) {
		t.Error("an env not compiled this time was removed")
	}
	if exists(lock) {
		t.Error("an unchanged lock was written")
	}
	w.Dirs[0].Files[0].Data = []byte("x: 2\n")
	if stale, _ := w.Stale(); len(stale) != 1 {
		t.Errorf("stale = %v, want the changed file", stale)
	}
}

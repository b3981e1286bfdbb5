package outdir

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// fixture is out/ with riglet a (envs dev and prod written before, env old that the
// spec dropped, a user's notes) and riglet b (never written), and their locks (a's
// written before, b's not): a write touches every kind of step.
func fixture(t *testing.T) (root string, rs []*Riglet) {
	root = t.TempDir()
	mk := func(p, data string) {
		p = filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, env := range []string{"dev", "prod", "old"} {
		mk("out/a/"+env+"/stacks.json", "old "+env)
		mk("out/a/"+env+"/app.yaml", "old app "+env)
	}
	mk("out/a/notes/README.md", "mine")
	mk("out/"+LockName, "")
	mk("riglets/a.lock", "a: old\n")
	out := filepath.Join(root, "out")
	files := func(tag string) []File {
		return []File{{"stacks.json", []byte("new " + tag)}, {"app.yaml", []byte("new app " + tag)}, {"nested/x.json", []byte(tag)}}
	}
	rs = []*Riglet{
		{Root: filepath.Join(out, "a"), Complete: true, Lock: filepath.Join(root, "riglets", "a.lock"), LockData: []byte("a: new\n"), LockChanged: true,
			Dirs: []Dir{{filepath.Join(out, "a", "dev"), files("a dev")}, {filepath.Join(out, "a", "prod"), files("a prod")}}},
		{Root: filepath.Join(out, "b"), Complete: true, Lock: filepath.Join(root, "riglets", "b.lock"), LockData: []byte("b: new\n"), LockChanged: true,
			Dirs: []Dir{{filepath.Join(out, "b", "dev"), files("b dev")}}},
	}
	return root, rs
}

// snapshot is every directory and file below root, with the files' contents.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			got[rel+"/"] = ""
			return nil
		}
		data, err := os.ReadFile(p)
		got[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func diff(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			out = append(out, "-"+k)
		} else if w != v {
			out = append(out, "~"+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, "+"+k)
		}
	}
	return out
}

// TestWriteAllFaults makes each file write and each rename of a whole write fail in
// turn: the write must fail, leave out/ and the locks exactly as they were (no temp
// file either), and release out/'s lock; with no fault it writes everything.
func TestWriteAllFaults(t *testing.T) {
	defer func(w func(string) error, r func(string, string) error) { writeHook, renameFile = w, r }(writeHook, renameFile)
	var writes, renames atomic.Int64
	var lockWrites atomic.Int64
	count := func(failWrite, failRename int64) {
		writes.Store(0)
		renames.Store(0)
		writeHook = func(p string) error {
			if strings.Contains(p, "a.lock"+newSuffix) || strings.Contains(p, "b.lock"+newSuffix) {
				lockWrites.Add(1)
			}
			if writes.Add(1) == failWrite {
				return errors.New("injected write failure")
			}
			return nil
		}
		renameFile = func(from, to string) error {
			if renames.Add(1) == failRename {
				return errors.New("injected rename failure")
			}
			return os.Rename(from, to)
		}
	}
	// The whole write, without faults: what it writes, and how many steps it takes.
	root, rs := fixture(t)
	count(0, 0)
	if err := WriteAll(filepath.Join(root, "out"), rs); err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, root)
	nw, nr := writes.Load(), renames.Load()
	if lockWrites.Load() != 2 || nw < 10 || nr < 6 {
		t.Fatalf("%d writes (%d of locks), %d renames: the fixture does not exercise the write", nw, lockWrites.Load(), nr)
	}
	for p, want := range map[string]string{"out/a/dev/nested/x.json": "a dev", "out/b/dev/stacks.json": "new b dev", "riglets/a.lock": "a: new\n", "riglets/b.lock": "b: new\n", "out/a/notes/README.md": "mine"} {
		if after[p] != want {
			t.Errorf("%s = %q, want %q", p, after[p], want)
		}
	}
	for p := range after {
		if strings.Contains(p, ".riglet-") && p != "out/"+LockName || strings.HasPrefix(p, "out/a/old") {
			t.Errorf("left after a successful write: %s", p)
		}
	}
	faults := 0
	for _, f := range []struct {
		kind string
		n    int64
	}{{"write", nw}, {"rename", nr}} {
		for i := int64(1); i <= f.n; i++ {
			root, rs := fixture(t)
			before := snapshot(t, root)
			if f.kind == "write" {
				count(i, 0)
			} else {
				count(0, i)
			}
			err := WriteAll(filepath.Join(root, "out"), rs)
			if err == nil || !strings.Contains(err.Error(), "injected") {
				t.Fatalf("%s %d failed, yet WriteAll returned %v", f.kind, i, err)
			}
			if d := diff(before, snapshot(t, root)); len(d) > 0 {
				t.Errorf("%s %d failed (%v), and the write changed %v", f.kind, i, err, d)
			}
			lk, err := lockOut(filepath.Join(root, "out"))
			if err != nil {
				t.Fatalf("%s %d failed, and out/'s lock is still held: %v", f.kind, i, err)
			}
			lk.Close()
			faults++
		}
	}
	t.Logf("%d writes and %d renames, each failed in turn: nothing changed", nw, nr)
}

// TestWriteAllBusy: while another compile holds out/'s lock, a write fails naming
// the lock, and changes nothing.
func TestWriteAllBusy(t *testing.T) {
	root, rs := fixture(t)
	before := snapshot(t, root)
	lk, err := lockOut(filepath.Join(root, "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Close()
	err = WriteAll(filepath.Join(root, "out"), rs)
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), filepath.Join(root, "out", LockName)) {
		t.Fatalf("WriteAll under another's lock: %v", err)
	}
	if d := diff(before, snapshot(t, root)); len(d) > 0 {
		t.Errorf("a write that could not take the lock changed %v", d)
	}
}

// TestWriteAllKeepsForeign: what riglet did not write at an env's path (a file, a
// directory without stacks.json) is reported and kept, and nothing is written.
func TestWriteAllKeepsForeign(t *testing.T) {
	for name, mk := range map[string]func(p string) error{
		"file": func(p string) error { return os.WriteFile(p, []byte("mine"), 0o644) },
		"dir": func(p string) error {
			if err := os.Mkdir(p, 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(p, "notes.txt"), []byte("mine"), 0o644)
		},
	} {
		root, rs := fixture(t)
		os.MkdirAll(rs[1].Root, 0o755)
		if err := mk(rs[1].Dirs[0].Path); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, root)
		err := WriteAll(filepath.Join(root, "out"), rs)
		if err == nil || !strings.Contains(err.Error(), rs[1].Dirs[0].Path) || !strings.Contains(err.Error(), "riglet did not write") {
			t.Errorf("%s at an env's path: %v", name, err)
		}
		if d := diff(before, snapshot(t, root)); len(d) > 0 {
			t.Errorf("%s at an env's path: the write changed %v", name, d)
		}
	}
}

// TestRecoverPerRun: a dead run's temp directories, by their per-run names, are
// finished (complete, and the directory gone) or rolled back (incomplete).
func TestRecoverPerRun(t *testing.T) {
	root := t.TempDir()
	done := filepath.Join(root, "a", "dev"+newSuffix+"-4242-00ff00ff")
	half := filepath.Join(root, "a", "prod"+newSuffix+"-4242-00ff00ff")
	for _, p := range []string{done, half, filepath.Join(root, "a", "prod")} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(done, complete), nil, 0o644)
	os.WriteFile(filepath.Join(done, "stacks.json"), []byte("new"), 0o644)
	if _, err := Recover(root); err != nil {
		t.Fatal(err)
	}
	got := snapshot(t, root)
	if got["a/dev/stacks.json"] != "new" || len(diff(got, map[string]string{"./": "", "a/": "", "a/dev/": "", "a/dev/stacks.json": "new", "a/prod/": ""})) > 0 {
		t.Errorf("after recovery: %v", got)
	}
}

// An env directory whose files would not change is not rewritten: the same directory
// and the same files (inodes) stay, while a changed env beside it is swapped.
func TestUnchangedDirsAreLeftAlone(t *testing.T) {
	root, rs := fixture(t)
	out := filepath.Join(root, "out")
	if err := WriteAll(out, rs); err != nil {
		t.Fatal(err)
	}
	ino := func(p string) uint64 {
		t.Helper()
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Sys().(*syscall.Stat_t).Ino
	}
	dev, prod := filepath.Join(out, "a", "dev"), filepath.Join(out, "a", "prod")
	before := map[string]uint64{dev: ino(dev), dev + "/app.yaml": ino(dev + "/app.yaml"), prod: ino(prod)}
	rs[0].LockChanged, rs[1].LockChanged = false, false
	rs[0].Dirs[1].Files = append([]File{}, rs[0].Dirs[1].Files...)
	rs[0].Dirs[1].Files[1] = File{"app.yaml", []byte("changed")}
	snap := snapshot(t, root)
	if err := WriteAll(out, rs); err != nil {
		t.Fatal(err)
	}
	if ino(dev) != before[dev] || ino(dev+"/app.yaml") != before[dev+"/app.yaml"] {
		t.Errorf("unchanged env dev was rewritten")
	}
	if ino(prod) == before[prod] {
		t.Errorf("changed env prod was not swapped")
	}
	got := snapshot(t, root)
	if d := diff(snap, got); len(d) != 1 || d[0] != "~out/a/prod/app.yaml" {
		t.Errorf("second write changed %v, want only out/a/prod/app.yaml", d)
	}
	// a file riglet would no longer write makes the directory stale, and it goes
	os.WriteFile(filepath.Join(dev, "extra.yaml"), []byte("x"), 0o644)
	if err := WriteAll(out, rs); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dev, "extra.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file the output lacks survived the write: %v", err)
	}
}

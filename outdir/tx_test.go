package outdir

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

// In an env that changed, the files that did not are linked into the new directory
// (same inode, same times), and only the changed one is written.
func TestChangedDirLinksUnchangedFiles(t *testing.T) {
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
	prod := filepath.Join(out, "a", "prod")
	stacks, nested, app := ino(prod+"/stacks.json"), ino(prod+"/nested/x.json"), ino(prod+"/app.yaml")
	rs[0].Dirs[1].Files = append([]File{}, rs[0].Dirs[1].Files...)
	rs[0].Dirs[1].Files[1] = File{"app.yaml", []byte("changed")}
	if err := WriteAll(out, rs); err != nil {
		t.Fatal(err)
	}
	if ino(prod+"/stacks.json") != stacks || ino(prod+"/nested/x.json") != nested {
		t.Errorf("unchanged files of a changed env were written again, not linked")
	}
	if ino(prod+"/app.yaml") == app {
		t.Errorf("the changed file kept its inode")
	}
	if data, _ := os.ReadFile(prod + "/app.yaml"); string(data) != "changed" {
		t.Errorf("app.yaml = %q", data)
	}
	for _, p := range []string{prod + "/stacks.json", prod + "/app.yaml"} {
		fi, _ := os.Stat(p)
		if n := fi.Sys().(*syscall.Stat_t).Nlink; n != 1 {
			t.Errorf("%s has %d links after the write, want 1 (the old directory is gone)", p, n)
		}
	}
}

// A second write, whose changed env links its unchanged files: each write, link and
// rename failing in turn leaves out/ as the first write left it.
func TestWriteAllFaultsWithLinks(t *testing.T) {
	defer func(w func(string) error, r func(string, string) error) { writeHook, renameFile = w, r }(writeHook, renameFile)
	setup := func() (string, []*Riglet) {
		root, rs := fixture(t)
		if err := WriteAll(filepath.Join(root, "out"), rs); err != nil {
			t.Fatal(err)
		}
		rs[0].LockData = []byte("a: newer\n")
		rs[0].Dirs[1].Files = append([]File{}, rs[0].Dirs[1].Files...)
		rs[0].Dirs[1].Files[1] = File{"app.yaml", []byte("changed")}
		return root, rs
	}
	var writes, renames atomic.Int64
	var failWrite, failRename int64
	writeHook = func(string) error {
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
	root, rs := setup()
	writes.Store(0)
	renames.Store(0)
	if err := WriteAll(filepath.Join(root, "out"), rs); err != nil {
		t.Fatal(err)
	}
	nw, nr := writes.Load(), renames.Load()
	if nw < 4 || nr < 2 {
		t.Fatalf("%d writes, %d renames: the second write does not exercise links", nw, nr)
	}
	for kind, n := range map[string]int64{"write": nw, "rename": nr} {
		for i := int64(1); i <= n; i++ {
			root, rs := setup()
			before := snapshot(t, root)
			writes.Store(0)
			renames.Store(0)
			failWrite, failRename = 0, 0
			if kind == "write" {
				failWrite = i
			} else {
				failRename = i
			}
			err := WriteAll(filepath.Join(root, "out"), rs)
			failWrite, failRename = 0, 0
			if err == nil || !strings.Contains(err.Error(), "injected") {
				t.Fatalf("%s %d failed, yet WriteAll returned %v", kind, i, err)
			}
			if d := diff(before, snapshot(t, root)); len(d) > 0 {
				t.Errorf("%s %d failed (%v), and the write changed %v", kind, i, err, d)
			}
		}
	}
}

// The order that crash safety rests on: every file of the new directories and every
// lock or record is written before the one flush, and only after it are the complete
// markers written and anything renamed into place (a marker that reached the disk
// before the files would let Recover finish a half-written directory).
func TestWriteAllFlushesBeforeMarkersAndRenames(t *testing.T) {
	defer func(w func(string) error, r func(string, string) error, f func(string, []string, []string) error) {
		writeHook, renameFile, flushWrite = w, r, f
	}(writeHook, renameFile, flushWrite)
	var mu sync.Mutex
	var events []string
	add := func(e string) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}
	writeHook = func(p string) error {
		if filepath.Base(p) == complete {
			add("marker")
		} else {
			add("write")
		}
		return nil
	}
	renameFile = func(from, to string) error { add("rename"); return os.Rename(from, to) }
	var flushed []string
	flushWrite = func(root string, written, dirs []string) error {
		add("flush")
		flushed = written
		return flush(root, written, dirs)
	}
	root, rs := fixture(t)
	if err := WriteAll(filepath.Join(root, "out"), rs); err != nil {
		t.Fatal(err)
	}
	seq := strings.Join(events, " ")
	i := strings.Index(seq, "flush")
	if i < 0 || strings.Count(seq, "flush") != 1 {
		t.Fatalf("want one flush: %s", seq)
	}
	if strings.Contains(seq[:i], "marker") || strings.Contains(seq[:i], "rename") || strings.Contains(seq[i:], "write") {
		t.Errorf("writes, then the flush, then markers and renames; got %s", seq)
	}
	if strings.Count(seq, "marker") != 3 {
		t.Errorf("want a marker in each of the 3 new directories: %s", seq)
	}
	// what was flushed: every file written, the locks' temp files among them
	locks := 0
	for _, p := range flushed {
		if strings.Contains(p, ".lock"+newSuffix) {
			locks++
		}
	}
	if len(flushed) != 9+2 || locks != 2 {
		t.Errorf("flushed %d files (%d locks), want 9 templates and 2 locks: %v", len(flushed), locks, flushed)
	}
}

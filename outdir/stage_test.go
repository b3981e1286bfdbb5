package outdir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// stageAll puts every file of rs's directories that do not exist yet, from several
// goroutines at once, as the compile's render workers do; stacks.json is left out
// (the compile writes it after rendering).
func stageAll(st *Stage, rs []*Riglet) {
	var wg sync.WaitGroup
	for _, r := range rs {
		for _, d := range r.Dirs {
			for _, f := range d.Files {
				if f.Path == "stacks.json" {
					continue
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					st.Put(d.Path, f.Path, f.Data)
				}()
			}
		}
	}
	wg.Wait()
}

// A staged write commits to exactly what WriteAll writes, leaving no temp names.
func TestStageCommitIsWriteAll(t *testing.T) {
	want, rs := fixture(t)
	if err := WriteAll(filepath.Join(want, "out"), rs); err != nil {
		t.Fatal(err)
	}
	root, rs := fixture(t)
	out := filepath.Join(root, "out")
	st := Begin(out)
	if st == nil {
		t.Fatal("Begin: nil")
	}
	stageAll(st, rs)
	// b/dev did not exist: staged, spread, not yet in place
	if _, err := os.Stat(filepath.Join(out, "b", "dev")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a staged directory is in place before Commit: %v", err)
	}
	if err := st.Commit(rs); err != nil {
		t.Fatal(err)
	}
	st.Abort() // after Commit: nothing
	if d := diff(snapshot(t, want), snapshot(t, root)); len(d) > 0 {
		t.Errorf("staged write differs from WriteAll's: %v", d)
	}
	lk, err := lockOut(out)
	if err != nil {
		t.Fatalf("the lock is still held after Commit: %v", err)
	}
	lk.Close()
}

// Aborted (the compile failed), a staged write leaves everything as it was: no temp
// directory, and no out/ at all when there was none.
func TestStageAbortChangesNothing(t *testing.T) {
	root, rs := fixture(t)
	before := snapshot(t, root)
	st := Begin(filepath.Join(root, "out"))
	stageAll(st, rs)
	st.Abort()
	if d := diff(before, snapshot(t, root)); len(d) > 0 {
		t.Errorf("an aborted stage changed %v", d)
	}
	// out/ absent: Begin makes it and its lock, Abort removes both
	root = t.TempDir()
	out := filepath.Join(root, "sub", "out")
	st = Begin(out)
	if st == nil {
		t.Fatal("Begin: nil")
	}
	st.Put(filepath.Join(out, "a", "dev"), "app.yaml", []byte("x"))
	st.Abort()
	if got := snapshot(t, root); len(got) != 1 {
		t.Errorf("an aborted stage left %v", got)
	}
}

// While a stage holds out/'s lock, another compile cannot write, nor stage; Begin under
// another's lock stages nothing, and the compile's WriteAll then says out/ is busy.
func TestStageHoldsTheLock(t *testing.T) {
	root, rs := fixture(t)
	out := filepath.Join(root, "out")
	st := Begin(out)
	if st == nil {
		t.Fatal("Begin: nil")
	}
	if Begin(out) != nil {
		t.Error("two stages of one out/ at once")
	}
	before := snapshot(t, root)
	if err := WriteAll(out, rs); !errors.Is(err, ErrBusy) {
		t.Errorf("WriteAll during another's stage: %v", err)
	}
	if d := diff(before, snapshot(t, root)); len(d) > 0 {
		t.Errorf("a write that could not take the lock changed %v", d)
	}
	st.Abort()
	if err := WriteAll(out, rs); err != nil {
		t.Errorf("WriteAll after the stage was aborted: %v", err)
	}
}

// A lock file removed while a run waited for it is not out/'s lock any more.
func TestLockRemovedMeanwhileIsBusy(t *testing.T) {
	root := t.TempDir()
	st := Begin(filepath.Join(root, "out")) // makes out/ and its lock
	f, err := os.Open(filepath.Join(root, "out", LockName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st.Abort() // removes them
	// a run that took the lock file's inode now holds nothing: a new lockOut must
	// make and lock a new file, and the old inode is not it
	lk, err := lockOut(filepath.Join(root, "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Close()
	var a, b os.FileInfo
	a, _ = f.Stat()
	b, _ = lk.Stat()
	if os.SameFile(a, b) {
		t.Error("the removed lock file is still out/'s lock")
	}
}

// What was staged wrongly (a file staged twice, one the commit does not have, or of
// another length) is not trusted: that directory is written in full at Commit.
func TestStageMismatchIsRewritten(t *testing.T) {
	for name, put := range map[string]func(st *Stage, d Dir){
		"twice": func(st *Stage, d Dir) {
			st.Put(d.Path, "app.yaml", []byte("new app b dev"))
			st.Put(d.Path, "app.yaml", []byte("new app b dev"))
		},
		"extra":   func(st *Stage, d Dir) { st.Put(d.Path, "gone.yaml", []byte("x")) },
		"length":  func(st *Stage, d Dir) { st.Put(d.Path, "app.yaml", []byte("short")) },
		"nested":  func(st *Stage, d Dir) { st.Put(d.Path, "nested/x.json", []byte("b de")) },
		"outside": func(st *Stage, d Dir) { st.Put(filepath.Dir(filepath.Dir(filepath.Dir(d.Path))), "x", []byte("x")) },
	} {
		root, rs := fixture(t)
		out := filepath.Join(root, "out")
		st := Begin(out)
		put(st, rs[1].Dirs[0])
		if err := st.Commit(rs); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := snapshot(t, root)
		for p, want := range map[string]string{"out/b/dev/app.yaml": "new app b dev", "out/b/dev/nested/x.json": "b dev", "out/b/dev/stacks.json": "new b dev"} {
			if got[p] != want {
				t.Errorf("%s: %s = %q, want %q", name, p, got[p], want)
			}
		}
		for p := range got {
			if strings.Contains(p, ".riglet-") && p != "out/"+LockName || strings.Contains(p, "gone") {
				t.Errorf("%s: left %s", name, p)
			}
		}
	}
}

// Each write and rename of a staged write's commit failing in turn leaves out/ as it
// was, the staged files gone too.
func TestStageCommitFaults(t *testing.T) {
	defer func(w func(string) error, r func(string, string) error) { writeHook, renameFile = w, r }(writeHook, renameFile)
	var n, fail int64
	var mu sync.Mutex
	writeHook = func(string) error {
		mu.Lock()
		defer mu.Unlock()
		if n++; n == fail {
			return errors.New("injected write failure")
		}
		return nil
	}
	renameFile = func(from, to string) error {
		mu.Lock()
		n++
		bad := n == fail
		mu.Unlock()
		if bad {
			return errors.New("injected rename failure")
		}
		return os.Rename(from, to)
	}
	for i := int64(1); ; i++ {
		root, rs := fixture(t)
		before := snapshot(t, root)
		st := Begin(filepath.Join(root, "out"))
		mu.Lock()
		n, fail = 0, -1
		mu.Unlock()
		stageAll(st, rs)
		mu.Lock()
		n, fail = 0, i
		mu.Unlock()
		err := st.Commit(rs)
		if err == nil {
			if i < 6 {
				t.Fatalf("only %d steps: the commit does not exercise the write", i-1)
			}
			break
		}
		if !strings.Contains(err.Error(), "injected") {
			t.Fatalf("step %d: %v", i, err)
		}
		if d := diff(before, snapshot(t, root)); len(d) > 0 {
			t.Errorf("step %d failed (%v), and the write changed %v", i, err, d)
		}
	}
}

// Env directories that exist are compared while staging, not written: the commit
// leaves an unchanged one alone and links the unchanged files of a changed one, as
// WriteAll does.
func TestStageComparesExistingDirs(t *testing.T) {
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
	devIno, devApp, prodStacks := ino(dev), ino(dev+"/app.yaml"), ino(prod+"/stacks.json")
	rs[0].Dirs[1].Files = append([]File{}, rs[0].Dirs[1].Files...)
	rs[0].Dirs[1].Files[1] = File{"app.yaml", []byte("changed")}
	st := Begin(out)
	stageAll(st, rs)
	if ms, _ := filepath.Glob(dev + newSuffix + "*"); len(ms) > 0 {
		t.Errorf("staging an unchanged directory wrote %v", ms)
	}
	if ms, _ := filepath.Glob(prod + newSuffix + "*"); len(ms) != 1 {
		t.Errorf("staging a changed directory: %v, want its new directory", ms)
	} else if fi, err := os.Stat(filepath.Join(ms[0], "nested", "x.json")); err != nil || fi.Sys().(*syscall.Stat_t).Nlink != 2 {
		t.Errorf("an unchanged file of a changed directory is not linked while staging: %v", err)
	}
	if err := st.Commit(rs); err != nil {
		t.Fatal(err)
	}
	if ino(dev) != devIno || ino(dev+"/app.yaml") != devApp {
		t.Error("the unchanged env was rewritten")
	}
	if ino(prod+"/stacks.json") != prodStacks {
		t.Error("an unchanged file of the changed env was not linked")
	}
	if data, _ := os.ReadFile(prod + "/app.yaml"); string(data) != "changed" {
		t.Errorf("prod/app.yaml = %q", data)
	}
}

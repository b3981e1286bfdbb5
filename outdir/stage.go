package outdir

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// A Stage is a write begun while its compile still runs: under out/'s lock, taken
// before the compile, each template is written into its env's new directory as soon as
// it is rendered, so that writing overlaps compiling the envs that are not done yet.
// Nothing is moved into place before the whole compile succeeded: Commit (a WriteAll
// that finds those files written) does that, and Abort removes them.
//
// An env directory that exists already is compared file by file as they are put, and
// written only once one differs (see Put): unchanged, it is left alone, as WriteAll
// leaves it. A file staged in error (put twice, not among the files Commit is given, or
// of another length) makes Commit write that directory afresh.
type Stage struct {
	out string
	lk  *os.File // out/'s lock, held from Begin to Commit or Abort
	id  string

	mu      sync.Mutex
	dirs    map[string]*staged // by the env directory's path
	made    []string           // directories Begin and Put made (out/ itself, out/<riglet>), parents first
	newLock bool               // Begin made out/'s lock file: Abort removes it
	done    bool
}

type staged struct {
	tmp   string          // the new directory, d.Path + newSuffix + id
	skip  bool            // staging it failed, or it is not below out/: Commit does it all
	files map[string]int  // file (OS path relative to the env directory) -> its length
	mu    sync.Mutex      // guards files, cmp's results and skip
	dirs  map[string]bool // directories made inside tmp
	// cmp says the env directory exists: nothing is written while compiling, each file
	// put is compared with the one there instead, so that Commit need not read it again.
	cmp  bool
	same map[string]bool // with cmp: the files put that the one there is a regular file of
	// replaces says the env directory exists and differs: tmp is its new directory
	replaces bool
}

// Begin takes out/'s lock, without waiting, and finishes or rolls back what dead runs
// left, as WriteAll does first. It returns nil when it cannot (another compile holds
// the lock, or out/ cannot be made): the compile then writes at its end, and WriteAll
// reports the lock or the error as it always did.
func Begin(out string) *Stage {
	var made []string // out/ and its parents, when Begin makes them
	for p := out; !exists(p); p = filepath.Dir(p) {
		made = append(made, p)
		if filepath.Dir(p) == p {
			break
		}
	}
	lockThere := exists(filepath.Join(out, LockName))
	lk, err := lockOut(out)
	if err != nil {
		for _, p := range made {
			os.Remove(p) // only if empty
		}
		return nil
	}
	s := &Stage{out: out, lk: lk, id: runID(), dirs: map[string]*staged{}, newLock: !lockThere}
	for i := len(made) - 1; i >= 0; i-- {
		s.made = append(s.made, made[i])
	}
	if _, err := Recover(out); err != nil {
		s.Abort()
		return nil
	}
	return s
}

// Put writes one file of the env directory dir (an OS path below out) into its new
// directory; rel is relative to dir. It may be called from many goroutines at once.
// A failure is not reported: the directory is then written in full at Commit.
//
// When dir exists, Put compares instead, and writes nothing while every file put is
// the same as the one there (an unchanged env is left alone); at the first that
// differs, the new directory is made, the files found the same so far are linked into
// it, and from then on the same are linked and the others written, as WriteAll would.
func (s *Stage) Put(dir, rel string, data []byte) {
	st := s.dir(dir)
	if st == nil {
		return
	}
	rel = filepath.Clean(filepath.FromSlash(rel))
	st.mu.Lock()
	if _, twice := st.files[rel]; twice || st.skip {
		st.skip = true
		st.mu.Unlock()
		return
	}
	st.files[rel] = -1 // being put
	cmp, replaces := st.cmp, st.replaces
	st.mu.Unlock()
	eq := false
	if cmp || replaces {
		eq = sameFile(filepath.Join(dir, rel), data)
	}
	if cmp {
		st.mu.Lock()
		if st.cmp && eq {
			st.same[rel] = true
			st.files[rel] = len(data)
			st.mu.Unlock()
			return
		}
		if st.cmp && !s.replace(st, dir) {
			st.skip = true
			st.mu.Unlock()
			return
		}
		st.mu.Unlock()
	}
	p := filepath.Join(st.tmp, rel)
	st.mu.Lock()
	err := st.mkdir(filepath.Dir(p))
	st.mu.Unlock()
	if err == nil && eq {
		if err = writeHook(p); err == nil && os.Link(filepath.Join(dir, rel), p) != nil {
			err = writeFile(p, data) // cannot be linked: written after all
		}
	} else if err == nil {
		err = writeFile(p, data)
	}
	st.mu.Lock()
	if err != nil {
		st.skip = true
	} else {
		st.files[rel] = len(data)
	}
	st.mu.Unlock()
}

// mkdir makes d and its parents inside st.tmp; st.mu is held.
func (st *staged) mkdir(d string) error {
	if st.dirs[d] {
		return nil
	}
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	for ; !st.dirs[d]; d = filepath.Dir(d) {
		st.dirs[d] = true
	}
	return nil
}

// replace turns st, compared so far, into a new directory that replaces dir: made,
// spread (see spread), and holding links to the files found the same. st.mu is held.
// It reports whether it could.
func (s *Stage) replace(st *staged, dir string) bool {
	st.cmp, st.replaces = false, true
	s.mu.Lock()
	restore := spread(filepath.Dir(dir))
	err := os.Mkdir(st.tmp, 0o755)
	restore()
	s.mu.Unlock()
	if err != nil {
		return false
	}
	st.dirs[st.tmp] = true
	for rel := range st.same {
		p := filepath.Join(st.tmp, rel)
		if st.mkdir(filepath.Dir(p)) != nil || writeHook(p) != nil || os.Link(filepath.Join(dir, rel), p) != nil {
			return false
		}
	}
	st.same = nil
	return true
}

// dir is the staged directory for the env directory dir, made on first use.
func (s *Stage) dir(dir string) *staged {
	dir = filepath.Clean(dir)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return nil
	}
	if st, ok := s.dirs[dir]; ok {
		return st
	}
	st := &staged{tmp: dir + newSuffix + s.id, files: map[string]int{}, dirs: map[string]bool{}}
	s.dirs[dir] = st
	if rel, err := filepath.Rel(s.out, dir); err != nil || rel == "." || rel == ".." || filepath.IsAbs(rel) || len(rel) > 2 && rel[:3] == ".."+string(filepath.Separator) {
		st.skip = true // not below out/: not this stage's
		return st
	}
	if fi, err := os.Lstat(dir); err == nil && fi.IsDir() {
		st.cmp, st.same = true, map[string]bool{} // there already: compared
		return st
	} else if !os.IsNotExist(err) {
		st.skip = true // not a directory, or unreadable: Commit says what is wrong
		return st
	}
	parent := filepath.Dir(dir)
	var missing []string
	for p := parent; !exists(p); p = filepath.Dir(p) {
		missing = append(missing, p)
		if filepath.Dir(p) == p {
			break
		}
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		st.skip = true
		return st
	}
	for i := len(missing) - 1; i >= 0; i-- {
		s.made = append(s.made, missing[i])
	}
	restore := spread(parent)
	err := os.Mkdir(st.tmp, 0o755)
	restore()
	if err != nil {
		st.skip = true
		return st
	}
	st.dirs[st.tmp] = true
	return st
}

// Abort removes everything staged and releases out/'s lock. After Commit it does
// nothing, so a caller may defer it.
func (s *Stage) Abort() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return
	}
	s.done = true
	for _, st := range s.dirs {
		os.RemoveAll(st.tmp) // this run's name: never anything of the user's
	}
	if s.newLock {
		// removed while it is held: a run that opened it meanwhile finds, once it holds
		// it, that it is no longer out/'s lock (lockOut), and says out/ was busy
		os.Remove(filepath.Join(s.out, LockName))
	}
	for i := len(s.made) - 1; i >= 0; i-- {
		os.Remove(s.made[i]) // only if empty
	}
	s.lk.Close()
}

// Commit writes rs as WriteAll does, under the lock Begin took, using the files staged
// for them; then releases the lock. On failure nothing staged is left behind.
func (s *Stage) Commit(rs []*Riglet) error {
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return fmt.Errorf("write %s: the staged write was committed or aborted already", s.out)
	}
	s.done = true
	s.mu.Unlock()
	defer s.lk.Close()
	return writeAll(s.out, rs, s)
}

// take hands the staged directory of d to the commit, or nil when d is to be written
// in full: then whatever was staged for it is removed. The files staged must be d's
// own, at their lengths (the compile's Keep hands over the very bytes it keeps).
func (s *Stage) take(d Dir) (tmp string, have map[string]bool, replaces bool) {
	st := s.dirs[filepath.Clean(d.Path)]
	if st == nil {
		return "", nil, false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.cmp {
		return "", nil, false
	}
	ok := !st.skip && (st.replaces || !exists(d.Path))
	want := make(map[string]int, len(d.Files))
	for _, f := range d.Files {
		want[filepath.Clean(filepath.FromSlash(f.Path))] = len(f.Data)
	}
	have = map[string]bool{}
	for rel, n := range st.files {
		if w, found := want[rel]; !found || w != n {
			ok = false
		}
		have[rel] = true
	}
	if !ok {
		os.RemoveAll(st.tmp)
		return "", nil, false
	}
	return st.tmp, have, st.replaces
}

// compared is what Put found of d's files in the existing directory d.Path (those of
// them put at their lengths: a file put twice, or at another length, is compared
// again at Commit), or nil.
func (s *Stage) compared(d Dir) map[string]bool {
	st := s.dirs[filepath.Clean(d.Path)]
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.cmp || st.skip {
		return nil
	}
	known := map[string]bool{}
	for _, f := range d.Files {
		rel := filepath.Clean(filepath.FromSlash(f.Path))
		if n, ok := st.files[rel]; ok && n == len(f.Data) {
			known[rel] = st.same[rel]
		}
	}
	return known
}

package outdir

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/riglet/riglet/internal/phase"
)

// LockName is the file in out/ that a compile holds an exclusive flock on for its
// whole write: two compiles into one out/ would otherwise swap each other's
// directories and delete each other's temp directories as "interrupted".
const LockName = ".riglet-lock"

// ErrBusy says another compile holds out/'s lock.
var ErrBusy = errors.New("another riglet compile is writing this output directory")

// The file system calls of a write, replaceable so that tests can make the N-th of
// them fail and check that nothing was changed.
var (
	writeHook  = func(p string) error { return nil } // before each file is written
	renameFile = os.Rename
	flushWrite = flush // makes the prepared files durable (see flush)
)

// runID makes this run's temp names its own (pid + random): a run never mistakes
// another's directory for its own, and a dead run's leftovers are told by name.
func runID() string {
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("-%d-%s", os.Getpid(), hex.EncodeToString(b[:]))
}

// lockOut takes out/'s lock without waiting: a compile that lost the race says so
// and exits non-zero rather than waiting on a run of unknown length.
func lockOut(out string) (*os.File, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	p := filepath.Join(out, LockName)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	busy := fmt.Errorf("%w (%s is locked); nothing written, run again when it has finished", ErrBusy, p)
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, busy
		}
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	// A Stage that a failed compile aborts removes the lock it created (a failed compile
	// leaves no out/ behind): a lock taken on a file that was removed meanwhile is not
	// out/'s lock, and the run that removed it was running.
	var held, there syscall.Stat_t
	if syscall.Fstat(int(f.Fd()), &held) != nil || syscall.Stat(p, &there) != nil || held.Ino != there.Ino || held.Dev != there.Dev {
		f.Close()
		return nil, busy
	}
	return f, nil
}

// step is one rename of the commit, and how to undo it.
type step struct{ from, to string }

// WriteAll writes every riglet's output under out as one unit: under out/'s lock it
// repairs what dead runs left, prepares every env directory and lock file beside
// the live ones, then renames them in; should any step fail, every step done is
// undone and every temp file removed, so a failed write changes nothing.
func WriteAll(out string, rs []*Riglet) (err error) {
	return writeAll(out, rs, nil)
}

// writeAll is WriteAll, or with st the commit of a Stage: its lock is held and its
// temp directories are this run's, some of them filled already.
func writeAll(out string, rs []*Riglet, st *Stage) (err error) {
	id := ""
	var temps []string // removed whatever happens
	var made []string  // directories this write created, removed on failure
	if st == nil {
		lk, err := lockOut(out)
		if err != nil {
			return err
		}
		defer lk.Close() // releases the flock
		// Holding the lock, every temp directory under out/ is a dead run's.
		if _, err := Recover(out); err != nil {
			return fmt.Errorf("recover %s: %w", out, err)
		}
		id = runID()
	} else {
		id = st.id
		made = append(made, st.made...)
		for _, sd := range st.dirs {
			temps = append(temps, sd.tmp) // those not taken over go too
		}
	}
	var done []step // undone on failure, in reverse
	mkdirs := func(dir string) error {
		var missing []string
		for p := dir; !exists(p); p = filepath.Dir(p) {
			missing = append(missing, p)
			if filepath.Dir(p) == p {
				break
			}
		}
		for i := len(missing) - 1; i >= 0; i-- {
			made = append(made, missing[i])
		}
		return os.MkdirAll(dir, 0o755)
	}
	var olds []string // removed once everything is in
	defer func() {
		if err != nil {
			for i := len(done) - 1; i >= 0; i-- {
				if rerr := renameFile(done[i].to, done[i].from); rerr != nil {
					err = errors.Join(err, fmt.Errorf("roll back %s: %w", done[i].from, rerr))
				}
			}
		}
		for _, t := range temps {
			os.RemoveAll(t)
		}
		if err != nil {
			for i := len(made) - 1; i >= 0; i-- {
				os.Remove(made[i]) // only if empty: never anything of the user's
			}
		}
	}()
	var dirs []Dir
	var dropped []string // listed before the commit puts this run's temp names there
	for _, r := range rs {
		clearLeftovers(r.Lock)
		clearLeftovers(filepath.Join(r.Root, RecordName))
		if r.Complete {
			dropped = append(dropped, r.dropped()...)
		}
		for _, d := range r.Dirs {
			if err := checkOwned(d.Path); err != nil {
				return err
			}
			if err := mkdirs(filepath.Dir(d.Path)); err != nil {
				return err
			}
			dirs = append(dirs, d)
		}
	}
	// Prepare: every env directory in parallel (they share nothing), then the locks.
	news := make([]string, len(dirs))
	for i, d := range dirs {
		news[i] = d.Path + newSuffix + id
		temps = append(temps, news[i], d.Path+oldSuffix+id)
	}
	// What a Stage wrote already is taken over (a directory that did not exist, filled
	// while the compile ran); the rest is written now.
	staged := make([]map[string]bool, len(dirs))
	replaces := make([]bool, len(dirs)) // staged, and the directory it replaces exists
	var fresh []int
	for i, d := range dirs {
		if st != nil {
			if tmp, have, r := st.take(d); tmp != "" {
				staged[i], replaces[i] = have, r
				continue
			}
		}
		fresh = append(fresh, i)
	}
	// The new directories are made first, spread over the file system (see spread):
	// made beside the old ones, their files' inodes would be taken from the block group
	// that holds the inodes just freed (a user's rm -rf out, the last run's old
	// directories), which ext4 skips one by one on every create for minutes after.
	if err := makeSpread(news, dirs, fresh); err != nil {
		return err
	}
	// A directory that already holds exactly these files is left alone: reading and
	// comparing costs a fraction of writing and syncing, and an unchanged env keeps
	// its files' times (make and editors see nothing changed). In one that changed,
	// the files that did not are linked, not written: they keep their inode and times,
	// and only what changed is written and flushed.
	errs := make([]error, len(dirs))
	same := make([]bool, len(dirs))
	wrote := make([][]string, len(dirs))
	madeDirs := make([][]string, len(dirs))
	var wg sync.WaitGroup
	for i, d := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var keep []bool
			if staged[i] != nil {
				// filled while compiling: only what the compile made after rendering
				// (stacks.json) is left to write
				keep = make([]bool, len(d.Files))
				for j, f := range d.Files {
					keep[j] = staged[i][filepath.Clean(filepath.FromSlash(f.Path))]
				}
				old := ""
				if replaces[i] {
					old = d.Path
				}
				w, m, err := fill(news[i], old, d.Files, keep)
				wrote[i], madeDirs[i] = w, m
				if err != nil {
					errs[i] = fmt.Errorf("write %s: %w", d.Path, err)
				}
				return
			} else if exists(d.Path) {
				var known map[string]bool
				if st != nil {
					known = st.compared(d)
				}
				k, clean, err := match(d.Path, d.Files, known)
				if err == nil && clean {
					same[i] = true
					return
				}
				keep = k
			}
			w, m, err := prepare(news[i], d.Path, d.Files, keep)
			wrote[i], madeDirs[i] = w, m
			if err != nil {
				errs[i] = fmt.Errorf("write %s: %w", d.Path, err)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	phase.Mark("out prepared")
	var written, made2 []string
	for i := range dirs {
		written = append(written, wrote[i]...)
		made2 = append(made2, madeDirs[i]...)
	}
	// The single files: each changed lock, and each record that differs from the one
	// there (written like a lock: beside it, then renamed over it).
	type lockFile struct{ path, tmp string }
	var locks []lockFile
	var singles []struct {
		path string
		data []byte
	}
	for _, r := range rs {
		if r.LockChanged {
			singles = append(singles, struct {
				path string
				data []byte
			}{r.Lock, r.LockData})
		}
		if r.Record != nil {
			p := filepath.Join(r.Root, RecordName)
			if old, err := os.ReadFile(p); err != nil || !bytes.Equal(old, r.Record) {
				singles = append(singles, struct {
					path string
					data []byte
				}{p, r.Record})
			}
		}
	}
	for _, f := range singles {
		l := lockFile{f.path, f.path + newSuffix + id}
		temps = append(temps, l.tmp, f.path+oldSuffix+id)
		if err := mkdirs(filepath.Dir(l.tmp)); err != nil {
			return fmt.Errorf("write %s: %w", f.path, err)
		}
		if err := writeFile(l.tmp, f.data); err != nil {
			return fmt.Errorf("write %s: %w", f.path, err)
		}
		written = append(written, l.tmp)
		locks = append(locks, l)
	}
	// Everything must be on disk before the markers say the directories are whole, and
	// before anything is renamed into place: one flush for the whole write.
	if err := flushWrite(out, written, made2); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	phase.Mark("out flushed")
	// A marker need not be flushed itself: it only matters once an old directory was
	// moved aside, and a new directory without one is rolled back, the old restored.
	for i := range dirs {
		if same[i] {
			continue
		}
		if err := writeFile(filepath.Join(news[i], complete), nil); err != nil {
			return fmt.Errorf("write %s: %w", dirs[i].Path, err)
		}
	}
	// Commit: old aside, new in, for every directory; then the dropped envs aside;
	// then each lock (its old one kept under a second name until the end).
	for i, d := range dirs {
		if same[i] {
			continue
		}
		if exists(d.Path) {
			old := d.Path + oldSuffix + id
			if err := renameFile(d.Path, old); err != nil {
				return fmt.Errorf("write %s: %w", d.Path, err)
			}
			done = append(done, step{d.Path, old})
			olds = append(olds, old)
		}
		if err := renameFile(news[i], d.Path); err != nil {
			return fmt.Errorf("write %s: %w", d.Path, err)
		}
		done = append(done, step{news[i], d.Path})
	}
	for _, p := range dropped {
		old := p + oldSuffix + id
		if err := renameFile(p, old); err != nil {
			return fmt.Errorf("remove %s: %w", p, err)
		}
		done = append(done, step{p, old})
		olds = append(olds, old)
	}
	for _, l := range locks {
		if exists(l.path) {
			// A second name for the old lock, so that the rename below replaces it
			// atomically (never a moment without a lock) and a roll back restores it.
			old := l.path + oldSuffix + id
			if err := os.Link(l.path, old); err != nil {
				return fmt.Errorf("write lock %s: %w", l.path, err)
			}
			if err := renameFile(l.tmp, l.path); err != nil {
				return fmt.Errorf("write lock %s: %w", l.path, err)
			}
			done = append(done, step{l.path, old}) // undone: the old lock back in place
			continue
		}
		if err := renameFile(l.tmp, l.path); err != nil {
			return fmt.Errorf("write lock %s: %w", l.path, err)
		}
		done = append(done, step{l.tmp, l.path})
	}
	// Committed: what is left is tidying, which cannot make the output wrong.
	phase.Mark("out committed")
	done = nil
	for i, d := range dirs {
		if !same[i] {
			os.Remove(filepath.Join(d.Path, complete))
		}
	}
	// the old directories go in parallel: 800 unlinks each
	var rm sync.WaitGroup
	for _, o := range olds {
		rm.Add(1)
		go func() {
			defer rm.Done()
			os.RemoveAll(o)
		}()
	}
	rm.Wait()
	phase.Mark("out tidied")
	return nil
}

// checkOwned refuses to replace what riglet did not write: an env's path must be
// absent, or a directory riglet wrote (it holds a stacks.json), or empty.
func checkOwned(p string) error {
	fi, err := os.Lstat(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is a file riglet did not write, where it writes an env directory: move it away (nothing written)", p)
	}
	if exists(filepath.Join(p, "stacks.json")) {
		return nil
	}
	if ents, err := os.ReadDir(p); err != nil || len(ents) > 0 {
		return fmt.Errorf("%s holds files riglet did not write (no stacks.json): move them away (nothing written)", p)
	}
	return nil
}

// clearLeftovers removes the temp files of lock that runs now dead left behind (a
// lock lives outside out/, so out/'s lock does not say whose they are: the pid does).
func clearLeftovers(lock string) {
	for _, suffix := range []string{newSuffix, oldSuffix} {
		ms, _ := filepath.Glob(lock + suffix + "-*")
		for _, m := range ms {
			var pid int
			var rnd string
			if n, _ := fmt.Sscanf(m[len(lock+suffix):], "-%d-%s", &pid, &rnd); n == 2 && !alive(pid) {
				os.Remove(m)
			}
		}
	}
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

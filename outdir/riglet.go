package outdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Dir is one env directory of a riglet's output and the files it holds.
type Dir struct {
	Path  string // the directory, an OS path
	Files []File // relative to Path
}

// Riglet is what one compiled riglet writes: its env directories under its own
// directory of out/, and its lock file.
type Riglet struct {
	Root string // out/<riglet>, an OS path
	Dirs []Dir
	// Complete says every env was compiled, so that the env directories under Root
	// that Dirs lacks (envs or shared stacks the spec no longer has) are removed.
	Complete bool
	Lock     string // the lock file's OS path
	LockData []byte // what it must hold
	// LockChanged says LockData differs from what the lock holds now.
	LockChanged bool
}

// Write writes a riglet's output: it first finishes or rolls back any swap an earlier
// run left half done, then swaps each env directory in whole (in parallel, since they
// share nothing), removes the directories of envs the spec no longer has, and writes
// the lock when it changed. An error leaves every directory either old or new.
func (r *Riglet) Write() error {
	if _, err := Recover(filepath.Dir(r.Root)); err != nil {
		return fmt.Errorf("recover %s: %w", filepath.Dir(r.Root), err)
	}
	errs := make([]error, len(r.Dirs))
	var wg sync.WaitGroup
	for i, d := range r.Dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := Replace(d.Path, d.Files); err != nil {
				errs[i] = fmt.Errorf("write %s: %w", d.Path, err)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if r.Complete {
		if err := r.removeDropped(); err != nil {
			return err
		}
	}
	if r.LockChanged {
		if err := WriteFile(r.Lock, r.LockData); err != nil {
			return fmt.Errorf("write lock: %w", err)
		}
	}
	return nil
}

// removeDropped removes the env directories under Root that this output lacks: only
// directories riglet wrote (they hold a stacks.json), never anything else of the user's.
func (r *Riglet) removeDropped() error {
	keep := map[string]bool{}
	for _, d := range r.Dirs {
		keep[filepath.Clean(d.Path)] = true
	}
	ents, err := os.ReadDir(r.Root)
	if err != nil {
		return nil // nothing there yet
	}
	for _, e := range ents {
		p := filepath.Join(r.Root, e.Name())
		if !e.IsDir() || keep[p] || !exists(filepath.Join(p, "stacks.json")) {
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	return nil
}

// Stale lists the files of the output that are missing or differ on disk, and the
// files riglet wrote that it would no longer write (see the package's Stale).
func (r *Riglet) Stale() ([]string, error) {
	var out []string
	for _, d := range r.Dirs {
		list, err := Stale(d.Path, d.Files)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out, nil
}

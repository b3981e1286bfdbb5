package outdir

import (
	"os"
	"path/filepath"
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
	// Record, when not nil, is written to Root/riglet.sum (package record) with the
	// rest, when it differs from what is there.
	Record []byte
}

// RecordName is the record's file in Root.
const RecordName = "riglet.sum"

// Write writes one riglet's output as one unit (see WriteAll).
func (r *Riglet) Write() error { return WriteAll(filepath.Dir(r.Root), []*Riglet{r}) }

// dropped lists the env directories under Root that this output lacks: only
// directories riglet wrote (they hold a stacks.json), never anything else of the user's.
func (r *Riglet) dropped() []string {
	keep := map[string]bool{}
	for _, d := range r.Dirs {
		keep[filepath.Clean(d.Path)] = true
	}
	ents, err := os.ReadDir(r.Root)
	if err != nil {
		return nil // nothing there yet
	}
	var out []string
	for _, e := range ents {
		p := filepath.Join(r.Root, e.Name())
		if _, temp := tempOf(p, newSuffix); temp {
			continue // a new directory of this run's (a Stage's), not an env's
		}
		if !e.IsDir() || keep[p] || !exists(filepath.Join(p, "stacks.json")) {
			continue
		}
		out = append(out, p)
	}
	return out
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

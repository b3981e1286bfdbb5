package main

import (
	"io/fs"
	"path/filepath"

	"github.com/riglet/riglet"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/outdir"
	"github.com/riglet/riglet/record"
)

// hit is a riglet whose record still holds.
type hit struct {
	*record.Record
	Root string // out/<riglet>, as the user wrote out
	data []byte // the record as read
}

// upToDate splits the specs into those to compile and those whose record in out/ says
// that this compiler would write what is there already (every input read as recorded,
// every output file as written). A record that is missing, unreadable or stale is only
// a cache miss.
func upToDate(fsys fs.FS, out string, files []string) (todo []string, same []hit) {
	bySpec := records(out)
	for _, f := range files {
		h, ok := bySpec[f]
		if ok && h.Check(fsys, riglet.Fingerprint(), h.Root) == "" {
			same = append(same, h)
			continue
		}
		todo = append(todo, f)
	}
	return todo, same
}

// newRecord is what this compile of res read and writes; nil when something it read
// cannot be vouched for (the next compile then runs in full).
func newRecord(res *compiler.Result, w *outdir.Riglet, tr *record.Tracker, out string, sums *outSums) []byte {
	tr.Override(res.LockFile, w.LockData) // the lock as it will be, the next compile's input
	in, err := tr.Inputs()
	if err != nil {
		return nil
	}
	r := &record.Record{Version: model.Version, Compiler: riglet.Fingerprint(), Spec: res.Spec.File, Envs: len(res.Envs), Inputs: in}
	for _, e := range res.Envs {
		r.Templates += len(e.Stacks)
	}
	for _, d := range w.Dirs {
		rel, err := filepath.Rel(w.Root, d.Path)
		if err != nil {
			return nil
		}
		below, err := filepath.Rel(out, d.Path) // the templates' paths in sums
		if err != nil {
			return nil
		}
		for _, f := range d.Files {
			sum := sums.of(filepath.ToSlash(below)+"/"+f.Path, f.Data)
			r.Outputs = append(r.Outputs, record.Output{Path: filepath.ToSlash(filepath.Join(rel, f.Path)), Sum: sum})
		}
	}
	return r.Marshal()
}

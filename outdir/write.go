package outdir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// fewFiles is how many written files a write flushes one by one (each file, then the
// directories holding them); a write of more flushes the file system at once (syncfs):
// an fsync is a disk flush each, and 2,400 of them cost about a second, while a syncfs
// also waits for whatever else is dirty on the file system.
const fewFiles = 64

// match compares an existing env directory with the files it must hold, without
// writing anything: same[i] says files[i] is there, a regular file with these bytes (so
// a new directory can link it rather than write it again); clean says the directory
// holds those files and nothing else.
//
// known holds what was compared already (by a Stage, while compiling), by path
// relative to dir: those files are not read again.
func match(dir string, files []File, known map[string]bool) (same []bool, clean bool, err error) {
	same = make([]bool, len(files))
	want := make(map[string]int, len(files))
	for i, f := range files {
		want[filepath.FromSlash(f.Path)] = i
	}
	clean = true
	seen := 0
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		i, ok := want[rel]
		if !ok {
			clean = false // a file the output lacks
			return nil
		}
		seen++
		if eq, ok := known[rel]; ok {
			if same[i] = eq; !eq {
				clean = false
			}
			return nil
		}
		if !d.Type().IsRegular() {
			clean = false // compared through the link by Stale; never linked
			return nil
		}
		eq, err := holds(p, files[i].Data)
		if err != nil {
			return err
		}
		if eq {
			same[i] = true
		} else {
			clean = false
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("check %s: %w", dir, err)
	}
	if seen < len(files) {
		clean = false
	}
	return same, clean, nil
}

// makeSpread makes the new directories news[i] beside dirs[i], with their parents marked
// as the tops of hierarchies (spread) while it does, so that each lands in a block
// group of its own choosing rather than its parent's.
func makeSpread(news []string, dirs []Dir, only []int) error {
	restore := map[string]func(){}
	defer func() {
		for _, r := range restore {
			r()
		}
	}()
	for _, i := range only {
		d := dirs[i]
		parent := filepath.Dir(d.Path)
		if _, ok := restore[parent]; !ok {
			restore[parent] = spread(parent)
		}
		if err := os.Mkdir(news[i], 0o755); err != nil {
			return fmt.Errorf("write %s: %w", d.Path, err)
		}
	}
	return nil
}

// sameFile says p is a regular file holding data.
func sameFile(p string, data []byte) bool {
	fi, err := os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len(data)) {
		return false
	}
	eq, err := holds(p, data)
	return err == nil && eq
}

// prepare fills tmp (made by makeSpread) with files: those old holds already (same) are hard links to old's,
// the others are written. Nothing is flushed yet (see flush). It returns the paths it
// wrote, and the directories it made.
func prepare(tmp, old string, files []File, same []bool) (written, dirs []string, err error) {
	dirs = append(dirs, tmp) // made by makeSpread
	made := map[string]bool{tmp: true}
	for i, f := range files {
		rel := filepath.FromSlash(f.Path)
		p := filepath.Join(tmp, rel)
		if d := filepath.Dir(p); !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return written, dirs, err
			}
			for ; !made[d]; d = filepath.Dir(d) {
				made[d] = true
				dirs = append(dirs, d)
			}
		}
		if same != nil && same[i] {
			if err := writeHook(p); err != nil {
				return written, dirs, err
			}
			if err := os.Link(filepath.Join(old, rel), p); err == nil {
				continue
			}
			// the old file went (or cannot be linked): write it after all
		}
		if err := writeFile(p, f.Data); err != nil {
			return written, dirs, err
		}
		written = append(written, p)
	}
	return written, dirs, nil
}

// fill completes tmp, which a Stage filled while the compile ran: the files there
// (there[i]) are kept, the others linked from old (when tmp replaces it, and old holds
// the same bytes) or written. It returns every file of tmp, to be flushed with the
// rest, and its directories.
func fill(tmp, old string, files []File, there []bool) (written, dirs []string, err error) {
	dirs = append(dirs, tmp)
	made := map[string]bool{tmp: true}
	for i, f := range files {
		p := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if d := filepath.Dir(p); !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return written, dirs, err
			}
			for ; !made[d]; d = filepath.Dir(d) {
				made[d] = true
				dirs = append(dirs, d)
			}
		}
		if !there[i] {
			linked := false
			if op := filepath.Join(old, filepath.FromSlash(f.Path)); old != "" && sameFile(op, f.Data) {
				if err := writeHook(p); err != nil {
					return written, dirs, err
				}
				linked = os.Link(op, p) == nil
			}
			if !linked {
				if err := writeFile(p, f.Data); err != nil {
					return written, dirs, err
				}
			}
		}
		written = append(written, p)
	}
	return written, dirs, nil
}

// writeFile creates p, which must not exist, holding data: three system calls, where
// os.WriteFile makes eight (the poller's registration, which a regular file refuses).
func writeFile(p string, data []byte) error {
	if err := writeHook(p); err != nil {
		return err
	}
	fd, err := syscall.Open(p, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return &fs.PathError{Op: "open", Path: p, Err: err}
	}
	for len(data) > 0 {
		n, err := syscall.Write(fd, data)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			syscall.Close(fd)
			return &fs.PathError{Op: "write", Path: p, Err: err}
		}
		data = data[n:]
	}
	if err := syscall.Close(fd); err != nil {
		return &fs.PathError{Op: "close", Path: p, Err: err}
	}
	return nil
}

// flush makes what a write prepared durable before anything is renamed into place: the
// files written and the directories made (and so the links in them). A few are flushed
// each; more, the whole file system at once (syncFiles).
func flush(root string, written, dirs []string) error {
	if len(written) > fewFiles {
		return syncFiles(root, written)
	}
	parents := map[string]bool{}
	for _, p := range written {
		if err := fsyncPath(p); err != nil {
			return err
		}
	}
	for _, d := range dirs {
		if err := fsyncPath(d); err != nil {
			return err
		}
		parents[filepath.Dir(d)] = true
	}
	for p := range parents {
		if err := fsyncPath(p); err != nil {
			return err
		}
	}
	return nil
}

func fsyncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

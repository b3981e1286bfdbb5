// Package outdir writes generated files so that a directory of them is never half old,
// half new: each env directory is written beside the old one, then swapped in, and a
// swap that was interrupted is finished or rolled back by the next run. WriteAll (tx.go)
// makes the whole write of a compile one unit, under out/'s lock.
package outdir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const (
	newSuffix = ".riglet-new"
	oldSuffix = ".riglet-old"
	complete  = ".riglet-complete" // written last into a new directory
)

// File is a file to write, its path relative to the directory being replaced.
type File struct {
	Path string
	Data []byte
}

// Recover finishes or rolls back swaps that an earlier run left half done anywhere
// below root. It returns what it did, for a message.
func Recover(root string) ([]string, error) {
	var did []string
	var news, olds []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if _, ok := tempOf(p, newSuffix); ok {
			news = append(news, p)
			return fs.SkipDir
		}
		if _, ok := tempOf(p, oldSuffix); ok {
			olds = append(olds, p)
			return fs.SkipDir
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, n := range news {
		dir, _ := tempOf(n, newSuffix)
		_, statErr := os.Stat(filepath.Join(n, complete))
		if statErr == nil && !exists(dir) {
			// old moved aside, new complete: finish the swap
			if err := os.Rename(n, dir); err != nil {
				return did, err
			}
			os.Remove(filepath.Join(dir, complete))
			did = append(did, "finished the interrupted update of "+dir)
			continue
		}
		// either incomplete, or the old one is still in place: roll back
		if err := os.RemoveAll(n); err != nil {
			return did, err
		}
		did = append(did, "rolled back the interrupted update of "+dir)
	}
	for _, o := range olds {
		dir, _ := tempOf(o, oldSuffix)
		if !exists(dir) {
			if err := os.Rename(o, dir); err != nil {
				return did, err
			}
			did = append(did, "restored "+dir)
			continue
		}
		if err := os.RemoveAll(o); err != nil {
			return did, err
		}
		os.Remove(filepath.Join(dir, complete))
	}
	return did, nil
}

// tempOf says whether p is a temp name of the given kind, and of which path: the
// suffix alone (runs before temp names were per run) or suffix-<pid>-<random>.
func tempOf(p, suffix string) (string, bool) {
	i := strings.LastIndex(p, suffix)
	if i < 0 || strings.ContainsRune(p[i:], filepath.Separator) {
		return "", false
	}
	rest := p[i+len(suffix):]
	if rest == "" {
		return p[:i], true
	}
	var pid int
	var rnd string
	if n, _ := fmt.Sscanf(rest, "-%d-%s", &pid, &rnd); n == 2 {
		return p[:i], true
	}
	return "", false
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Replace makes dir hold exactly files: written into dir.riglet-new, marked complete,
// then swapped in (old aside, new in, old removed).
func Replace(dir string, files []File) error {
	tmp := dir + newSuffix
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	var written []string
	for _, f := range files {
		p := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return err
		}
		written = append(written, p)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	// Everything must be on disk before the marker says the directory is whole.
	if err := syncFiles(tmp, written); err != nil {
		return err
	}
	if err := writeSync(filepath.Join(tmp, complete), nil); err != nil {
		return err
	}
	old := dir + oldSuffix
	hadOld := exists(dir)
	if hadOld {
		if err := os.RemoveAll(old); err != nil {
			return err
		}
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(dir, complete)); err != nil {
		return err
	}
	if hadOld {
		return os.RemoveAll(old)
	}
	return nil
}

func writeSync(p string, data []byte) error {
	if err := writeHook(p); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteFile replaces one file atomically (temp file, then rename).
func WriteFile(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp := p + newSuffix + runID()
	if err := writeSync(tmp, data); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, p)
}

// Stale lists how dir differs from files: files missing, different or extra, as
// paths joined to dir. Nothing is written.
func Stale(dir string, files []File) ([]string, error) {
	c := NewCheck(dir)
	for _, f := range files {
		c.File(f.Path, f.Data)
	}
	return c.Stale()
}

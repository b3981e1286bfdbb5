package outdir

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// A Check compares a directory with the files it must hold as they come, from any
// goroutine, one at a time, keeping none of their bytes: at the end, Stale says what
// Stale(dir, files) would. lint --check hands it each template as it renders it, so
// that a large riglet's output (40 MB for 3 x 800 services) is never held at once.
type Check struct {
	dir  string
	mu   sync.Mutex
	same map[string]bool // by OS path relative to dir: the file there holds these bytes
	err  error
}

// NewCheck starts a comparison of dir.
func NewCheck(dir string) *Check { return &Check{dir: dir, same: map[string]bool{}} }

// File compares the file at rel (slash-separated, relative to the directory) with data.
func (c *Check) File(rel string, data []byte) {
	rel = filepath.FromSlash(rel)
	eq, err := holds(filepath.Join(c.dir, rel), data)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.same[rel] = eq
	if err != nil && c.err == nil {
		c.err = err
	}
}

// Stale lists how the directory differs from the files given to File: files missing,
// different or extra, as paths joined to the directory, sorted. Nothing is written.
func (c *Check) Stale() ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return nil, fmt.Errorf("check %s: %w", c.dir, c.err)
	}
	var stale []string
	seen := map[string]bool{}
	err := filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(c.dir, p)
		seen[rel] = true
		eq, ok := c.same[rel]
		switch {
		case !ok:
			stale = append(stale, p+" (should not exist)")
		case !eq:
			stale = append(stale, p+" (differs)")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", c.dir, err)
	}
	for rel := range c.same {
		if !seen[rel] {
			stale = append(stale, filepath.Join(c.dir, rel)+" (missing)")
		}
	}
	sort.Strings(stale)
	return stale, nil
}

// readBufs are the buffers files are read into to be compared: comparing 2,400
// templates with os.ReadFile made 40 MB of garbage.
var readBufs = sync.Pool{New: func() any { return new([]byte) }}

// holds says the file at p (through a link, as a reader of it would see it) holds
// data. A file that is not there, or not a regular file, does not; an error is one
// of reading a file that is.
func holds(p string, data []byte) (bool, error) {
	f, err := os.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	if !fi.Mode().IsRegular() || fi.Size() != int64(len(data)) {
		return false, nil
	}
	buf := readBufs.Get().(*[]byte)
	defer readBufs.Put(buf)
	if cap(*buf) < len(data)+1 {
		*buf = make([]byte, len(data)+1)
	}
	// One byte more than data: a file that grew since Stat reads longer.
	n, err := io.ReadFull(f, (*buf)[:len(data)+1])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return false, err
	}
	return bytes.Equal((*buf)[:n], data), nil
}

package ir

import (
	"sync"
	"sync/atomic"
)

// File names a source file: an index into one table of file names, which lives as
// long as the process. File 0 is no file (""). Two Files are equal exactly when
// their names are, so a File compares, hashes and keys a map as its name would; it
// orders by when it was first named, which depends on scheduling, so ordering by
// name goes through String (Pos.Before does).
type File uint32

var files struct {
	mu    sync.Mutex
	ids   map[string]File
	names atomic.Pointer[[]string] // grown under mu, read without it
}

func init() {
	names := []string{""}
	files.names.Store(&names)
	files.ids = map[string]File{"": 0}
}

// FileOf returns the File of a name, adding the name to the table the first time.
func FileOf(name string) File {
	files.mu.Lock()
	defer files.mu.Unlock()
	if f, ok := files.ids[name]; ok {
		return f
	}
	names := append(*files.names.Load(), name)
	f := File(len(names) - 1)
	files.ids[name] = f
	// Readers see either the old slice or the new one: both hold every File handed
	// out before this one, and the element appended here is never changed.
	files.names.Store(&names)
	return f
}

// String is the file's name: slash-separated, relative to the directory riglet runs
// in, "" for no file.
func (f File) String() string { return (*files.names.Load())[f] }

// MarshalText writes the name, so that JSON and other text encodings of a Pos carry
// the file's name, never its index in this process's table.
func (f File) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads a name.
func (f *File) UnmarshalText(b []byte) error {
	*f = FileOf(string(b))
	return nil
}

// Package record keeps, beside a riglet's output (out/<riglet>/riglet.sum), what produced
// it: the fingerprint of the compiler, every file and directory listing the compile read
// (and every path it found absent), and the hash of every file it wrote. A compile whose
// record still matches, inputs and outputs alike, would write the same bytes, so it can
// say so without compiling. A record that does not match is only a cache miss: the
// compile runs in full, and its meaning (--check, --frozen) never depends on the record.
package record

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Name is the record's file name inside out/<riglet>/.
const Name = "riglet.sum"

// Kinds of input.
const (
	KindFile   = "file"   // a file's content
	KindDir    = "dir"    // a directory's listing: names and types
	KindStat   = "stat"   // that a path exists, and whether as a directory
	KindAbsent = "absent" // that a path does not exist
)

// Input is one thing the compile read.
type Input struct {
	Kind, Path, Sum string
}

// Output is one file the compile wrote, relative to out/<riglet>/.
type Output struct {
	Path, Sum string
}

// Record is what produced an output directory.
type Record struct {
	Version   string // riglet's version, for a reader
	Compiler  string // riglet.Fingerprint()
	Spec      string // the spec file, relative to the repository
	Templates int
	Envs      int
	Inputs    []Input
	Outputs   []Output
}

func sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// Sum is the hash a record keeps of a file's content.
func Sum(data []byte) string { return sum(data) }

const header = `# What produced this directory and its lock: riglet's compiler, every input the
# compile read and every file it wrote. Written by riglet compile; a compile whose inputs
# and outputs still match skips itself. Never edit: a record that does not match only
# makes the next compile run in full.
`

// Marshal writes the record; the same record, the same bytes.
func (r *Record) Marshal() []byte {
	in := append([]Input(nil), r.Inputs...)
	sort.Slice(in, func(i, j int) bool {
		if in[i].Path != in[j].Path {
			return in[i].Path < in[j].Path
		}
		return in[i].Kind < in[j].Kind
	})
	out := append([]Output(nil), r.Outputs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	var b bytes.Buffer
	b.WriteString(header)
	fmt.Fprintf(&b, "riglet %s\ncompiler %s\nspec %s\ntemplates %d\nenvs %d\n", r.Version, r.Compiler, r.Spec, r.Templates, r.Envs)
	for _, i := range in {
		if i.Sum == "" {
			fmt.Fprintf(&b, "in %s %s\n", i.Kind, i.Path)
		} else {
			fmt.Fprintf(&b, "in %s %s %s\n", i.Kind, i.Path, i.Sum)
		}
	}
	for _, o := range out {
		fmt.Fprintf(&b, "out %s %s\n", o.Path, o.Sum)
	}
	return b.Bytes()
}

// Parse reads a record. Paths never hold spaces or newlines (riglet's names are
// letters, digits and hyphens; Track refuses to record any other path).
func Parse(data []byte) (*Record, error) {
	r := &Record{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		bad := func() (*Record, error) { return nil, fmt.Errorf("line %d: cannot read %q", n, line) }
		switch {
		case len(f) == 2 && f[0] == "riglet":
			r.Version = f[1]
		case len(f) == 2 && f[0] == "compiler":
			r.Compiler = f[1]
		case len(f) == 2 && f[0] == "spec":
			r.Spec = f[1]
		case len(f) == 2 && (f[0] == "templates" || f[0] == "envs"):
			v, err := strconv.Atoi(f[1])
			if err != nil {
				return bad()
			}
			if f[0] == "templates" {
				r.Templates = v
			} else {
				r.Envs = v
			}
		case f[0] == "in" && (len(f) == 3 || len(f) == 4):
			i := Input{Kind: f[1], Path: f[2]}
			if len(f) == 4 {
				i.Sum = f[3]
			}
			r.Inputs = append(r.Inputs, i)
		case len(f) == 3 && f[0] == "out":
			r.Outputs = append(r.Outputs, Output{Path: f[1], Sum: f[2]})
		default:
			return bad()
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if r.Compiler == "" || r.Spec == "" {
		return nil, errors.New("not a riglet record: no compiler or spec line")
	}
	return r, nil
}

// Tracker is an fs.FS that records what is read through it, for a record's inputs.
// It is safe for concurrent use: a compile reads from several goroutines.
type Tracker struct {
	fsys fs.FS
	mu   sync.Mutex
	seen map[[2]string]string // kind, path -> sum
	bad  error
}

// Track wraps fsys.
func Track(fsys fs.FS) *Tracker { return &Tracker{fsys: fsys, seen: map[[2]string]string{}} }

func (t *Tracker) note(kind, name, s string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if strings.ContainsAny(name, " \t\r\n") {
		t.bad = fmt.Errorf("path %q cannot be recorded", name)
		return
	}
	switch {
	case err == nil:
		t.seen[[2]string{kind, name}] = s
	case errors.Is(err, fs.ErrNotExist):
		t.seen[[2]string{KindAbsent, name}] = ""
	default:
		t.bad = err // an input read with an error cannot be vouched for
	}
}

// Inputs lists what was read, or an error when something was read that a record cannot
// vouch for (then no record is to be written).
func (t *Tracker) Inputs() ([]Input, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.bad != nil {
		return nil, t.bad
	}
	out := make([]Input, 0, len(t.seen))
	for k, s := range t.seen {
		out = append(out, Input{Kind: k[0], Path: k[1], Sum: s})
	}
	return out, nil
}

// Override sets the sum of a file input: the lock, as the compile is about to write it.
func (t *Tracker) Override(path string, data []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.seen, [2]string{KindAbsent, path})
	t.seen[[2]string{KindFile, path}] = sum(data)
}

func (t *Tracker) Open(name string) (fs.File, error) {
	f, err := t.fsys.Open(name)
	if err != nil {
		t.note(KindFile, name, "", err)
		return nil, err
	}
	// What is opened is read in full, whatever the caller reads of it.
	if fi, serr := f.Stat(); serr == nil && fi.IsDir() {
		s, lerr := listing(t.fsys, name)
		t.note(KindDir, name, s, lerr)
	} else {
		data, rerr := fs.ReadFile(t.fsys, name)
		t.note(KindFile, name, sum(data), rerr)
	}
	return f, nil
}

func (t *Tracker) ReadFile(name string) ([]byte, error) {
	data, err := fs.ReadFile(t.fsys, name)
	t.note(KindFile, name, sum(data), err)
	return data, err
}

func (t *Tracker) ReadDir(name string) ([]fs.DirEntry, error) {
	ents, err := fs.ReadDir(t.fsys, name)
	t.note(KindDir, name, listSum(ents), err)
	return ents, err
}

func (t *Tracker) Stat(name string) (fs.FileInfo, error) {
	fi, err := fs.Stat(t.fsys, name)
	s := ""
	if err == nil {
		s = statSum(fi)
	}
	t.note(KindStat, name, s, err)
	return fi, err
}

func statSum(fi fs.FileInfo) string {
	if fi.IsDir() {
		return "d"
	}
	return "f"
}

func listing(fsys fs.FS, name string) (string, error) {
	ents, err := fs.ReadDir(fsys, name)
	return listSum(ents), err
}

func listSum(ents []fs.DirEntry) string {
	var b strings.Builder
	for _, e := range ents { // ReadDir sorts by name
		b.WriteString(e.Name())
		if e.IsDir() {
			b.WriteString("/")
		}
		b.WriteByte(0)
	}
	return sum([]byte(b.String()))
}

// Check says whether r still describes fsys and the output under root (out/<riglet>, an
// OS path) for this compiler: every input reads as recorded, and the env directories
// under root hold exactly the recorded files with the recorded content. It returns the
// first difference, for a message, or "" when the record holds.
func (r *Record) Check(fsys fs.FS, compiler, root string) string {
	if r.Compiler != compiler {
		return "another build of riglet wrote it"
	}
	if d := CheckInputs(fsys, r.Inputs); d != "" {
		return d
	}
	return r.checkOutputs(root)
}

// CheckInputs says whether every input still reads as recorded in fsys: the first
// difference, or "" when all of them do.
func CheckInputs(fsys fs.FS, inputs []Input) string {
	for _, in := range inputs {
		var got string
		var err error
		switch in.Kind {
		case KindFile:
			var data []byte
			data, err = fs.ReadFile(fsys, in.Path)
			got = sum(data)
		case KindDir:
			got, err = listing(fsys, in.Path)
		case KindStat:
			var fi fs.FileInfo
			if fi, err = fs.Stat(fsys, in.Path); err == nil {
				got = statSum(fi)
			}
		case KindAbsent:
			if _, err := fs.Stat(fsys, in.Path); !errors.Is(err, fs.ErrNotExist) {
				return in.Path + " now exists"
			}
			continue
		default:
			return "unknown input kind " + in.Kind
		}
		if err != nil || got != in.Sum {
			return in.Path + " changed"
		}
	}
	return ""
}

// checkOutputs compares the env directories under root (those holding a stacks.json, as
// the compile owns them) with the recorded files, reading them in parallel.
func (r *Record) checkOutputs(root string) string {
	want := map[string]string{}
	for _, o := range r.Outputs {
		want[o.Path] = o.Sum
	}
	ents, err := os.ReadDir(root)
	if err != nil {
		return "cannot read " + root
	}
	var files []string
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if _, err := os.Stat(filepath.Join(dir, "stacks.json")); err != nil {
			continue
		}
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			return "cannot read " + dir
		}
	}
	if len(files) != len(want) {
		return fmt.Sprintf("out/ holds %d files, the record %d", len(files), len(want))
	}
	for _, f := range files {
		if _, ok := want[f]; !ok {
			return f + " was not written by the recorded compile"
		}
	}
	// Hash in parallel: the 3 x 800 benchmark's 36 MB take a third of the time on two cores.
	diff := make([]string, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte // one per worker: 36 MB read through os.ReadFile was a third allocating and faulting in fresh memory
			for i := range next {
				var err error
				buf, err = readInto(buf, filepath.Join(root, filepath.FromSlash(files[i])))
				if err != nil || sum(buf) != want[files[i]] {
					diff[i] = files[i] + " changed"
				}
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, d := range diff {
		if d != "" {
			return d
		}
	}
	return ""
}

// readInto reads the file p into buf's memory (grown when it is too small) and returns
// its content.
func readInto(buf []byte, p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return buf[:0], err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil {
		if n := int(fi.Size()) + 1; cap(buf) < n { // +1: the read that says the file ended
			buf = make([]byte, 0, n+n/4)
		}
	}
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grew since the stat
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf[:0], err
		}
	}
}

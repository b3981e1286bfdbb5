package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/riglet/riglet"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/outdir"
	"github.com/riglet/riglet/record"
)

// riglet lint's results are cached as Go caches builds: when every riglet's record
// (out/<riglet>/riglet.sum) still holds, its compile would be the very one that wrote
// it, and lint's output is a function of the same inputs, this binary and the options.
// An entry is keyed by all of those and keeps, beside the output, every file lint read
// (hashed as it read it), checked again on every hit; so an entry is never stale, and
// one that is missing, corrupt or written by another binary is only a miss.
//
// RIGLET_CACHE=off turns it off; RIGLET_CACHE=DIR (absolute) puts it in DIR; else it is
// os.UserCacheDir()/riglet.

const cacheFormat = "riglet lint cache 1"

// A lintEntry is where one lint's result is kept, and the key it is kept under.
type lintEntry struct {
	path, key string
}

// cacheRoot is the cache's directory, or "" when there is none to use.
func cacheRoot() string {
	switch v := os.Getenv("RIGLET_CACHE"); {
	case v == "off":
		return ""
	case v != "":
		if !filepath.IsAbs(v) {
			return "" // relative to what? a cache in a surprising place is worse than none
		}
		return v
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "riglet")
}

// cacheEntry is this run's entry, or nil when its result cannot be cached: a plain
// template among the arguments, no cache directory, or a riglet whose record does not
// hold (then lint compiles, and that compile is what a record would have saved).
func (c *lintCmd) cacheEntry(g *globals) *lintEntry {
	root := cacheRoot()
	if root == "" {
		return nil
	}
	for _, a := range c.Riglets {
		if isTemplate(inDir(g.Dir, a)) {
			return nil
		}
	}
	files, err := specFiles(g.Dir, c.Riglets)
	if err != nil {
		return nil
	}
	fsys := os.DirFS(g.Dir)
	out := inDir(g.Dir, c.Out)
	recs := records(out)
	id := exeID()
	if id == "" {
		return nil
	}
	dir, err := filepath.Abs(g.Dir)
	if err != nil {
		return nil
	}
	h := sha256.New()
	field := func(name string, vals ...string) {
		fmt.Fprintf(h, "%s %d\n", name, len(vals))
		for _, v := range vals {
			fmt.Fprintf(h, "%d %s\n", len(v), v)
		}
	}
	field("format", cacheFormat)
	field("exe", id)
	field("compiler", riglet.Fingerprint())
	field("dir", dir, repoRoot(g.Dir))
	field("riglets", c.Riglets...)
	field("specs", files...)
	field("env", c.Env...)
	field("output", c.Format, strconv.FormatBool(c.Check), out)
	field("ignore", c.Ignore...)
	field("severity", c.Severity...)
	for _, f := range files {
		r, ok := recs[f]
		if !ok || r.Compiler != riglet.Fingerprint() {
			return nil
		}
		// lint --check compares out/ too: the record must hold for it as well.
		if c.Check && r.Check(fsys, riglet.Fingerprint(), r.Root) != "" {
			return nil
		}
		if !c.Check && record.CheckInputs(fsys, r.Inputs) != "" {
			return nil
		}
		field("record", f, string(r.data))
	}
	key := hex.EncodeToString(h.Sum(nil))
	return &lintEntry{path: filepath.Join(root, "lint", key[:2], key), key: key}
}

// exeID identifies this binary: the Go build ID the linker writes near its start (a
// hash of everything that went into it), or else a hash of the whole file.
func exeID() string {
	p, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	const mark = "\xff Go build ID: \""
	if i := bytes.Index(head, []byte(mark)); i >= 0 {
		rest := head[i+len(mark):]
		if j := bytes.IndexByte(rest, '"'); j > 0 {
			return "buildid " + string(rest[:j])
		}
	}
	h := sha256.New()
	h.Write(head)
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return "sha256 " + hex.EncodeToString(h.Sum(nil))
}

// exit codes of a cached result, as lintCmd.lint returned them
var cachedErrs = []error{nil, errorsFound, unreadableFound}

// replay prints a cached result and returns what the lint returned, when the entry
// exists, is whole, and every file the lint read still reads the same.
func (e *lintEntry) replay(g *globals) (error, bool) {
	data, err := os.ReadFile(e.path)
	if err != nil {
		return nil, false
	}
	rec, stdout, stderr, exit, ok := parseEntry(data)
	if !ok || rec.Compiler != e.key || exit < 0 || exit >= len(cachedErrs) {
		return nil, false
	}
	if record.CheckInputs(os.DirFS(g.Dir), rec.Inputs) != "" {
		return nil, false
	}
	g.Stdout.Write(stdout)
	g.Stderr.Write(stderr)
	// Used entries stay: trim removes what has not been used for a while.
	if fi, err := os.Stat(e.path); err == nil && time.Since(fi.ModTime()) > time.Hour {
		now := time.Now()
		os.Chtimes(e.path, now, now)
	}
	return cachedErrs[exit], true
}

// store keeps a lint's result, when it is one a replay can give back. Failing to
// write it costs only the next run's time, so it says nothing.
func (e *lintEntry) store(tr *record.Tracker, stdout, stderr []byte, result error) {
	exit := -1
	for i, c := range cachedErrs {
		if result == c {
			exit = i
		}
	}
	in, err := tr.Inputs()
	if exit < 0 || err != nil {
		return
	}
	writeCacheFile(e.path, entryBytes(&record.Record{Version: model.Version, Compiler: e.key, Spec: "lint", Inputs: in}, stdout, stderr, exit))
}

// writeCacheFile writes a cache entry aside and renames it in, so that a reader sees
// a whole entry or none, then trims the cache. Failing costs only a later run's time,
// so it says nothing.
func writeCacheFile(path string, data []byte) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr != nil || cerr != nil || os.Rename(f.Name(), path) != nil {
		os.Remove(f.Name())
		return
	}
	trimCache(filepath.Dir(dir))
}

// entryBytes is an entry: what the lint read, what it printed and how it exited, and
// a hash of all that, so that a torn or corrupt entry is seen as such.
func entryBytes(rec *record.Record, stdout, stderr []byte, exit int) []byte {
	r := rec.Marshal()
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nrecord %d\n", cacheFormat, len(r))
	b.Write(r)
	fmt.Fprintf(&b, "stdout %d\n", len(stdout))
	b.Write(stdout)
	fmt.Fprintf(&b, "stderr %d\n", len(stderr))
	b.Write(stderr)
	fmt.Fprintf(&b, "exit %d\n", exit)
	fmt.Fprintf(&b, "sum %s\n", record.Sum(b.Bytes()))
	return b.Bytes()
}

// parseEntry reads an entry; ok is false for anything but a whole one.
func parseEntry(data []byte) (rec *record.Record, stdout, stderr []byte, exit int, ok bool) {
	body, tail, found := cutLast(data, "sum ")
	if !found || strings.TrimSpace(string(tail)) != record.Sum(body) {
		return nil, nil, nil, 0, false
	}
	rest, ok := cutLine(body, cacheFormat)
	if !ok {
		return nil, nil, nil, 0, false
	}
	section := func(name string) []byte {
		var n int
		line, r, found := bytes.Cut(rest, []byte("\n"))
		if !found {
			ok = false
			return nil
		}
		if _, err := fmt.Sscanf(string(line), name+" %d", &n); err != nil || n < 0 || n > len(r) {
			ok = false
			return nil
		}
		rest = r[n:]
		return r[:n]
	}
	recData := section("record")
	stdout = section("stdout")
	stderr = section("stderr")
	if !ok {
		return nil, nil, nil, 0, false
	}
	if _, err := fmt.Sscanf(string(rest), "exit %d\n", &exit); err != nil {
		return nil, nil, nil, 0, false
	}
	rec, err := record.Parse(recData)
	if err != nil {
		return nil, nil, nil, 0, false
	}
	return rec, stdout, stderr, exit, true
}

// cutLast splits data before its last line, which must start with prefix.
func cutLast(data []byte, prefix string) (body, tail []byte, ok bool) {
	if len(data) == 0 || data[len(data)-1] != '\n' {
		return nil, nil, false
	}
	i := bytes.LastIndexByte(data[:len(data)-1], '\n') + 1
	if !bytes.HasPrefix(data[i:], []byte(prefix)) {
		return nil, nil, false
	}
	return data[:i], data[i+len(prefix):], true
}

// cutLine returns what follows data's first line when that line is want.
func cutLine(data []byte, want string) ([]byte, bool) {
	line, rest, ok := bytes.Cut(data, []byte("\n"))
	return rest, ok && string(line) == want
}

// trimCache removes entries unused for five days, at most once a day (as Go's build
// cache does), so that a cache of every state a repository went through stays small.
func trimCache(lintDir string) {
	mark := filepath.Join(lintDir, "trim.txt")
	if fi, err := os.Stat(mark); err == nil && time.Since(fi.ModTime()) < 24*time.Hour {
		return
	}
	old := time.Now().Add(-5 * 24 * time.Hour)
	subs, _ := os.ReadDir(lintDir)
	var gone []string
	for _, s := range subs {
		if !s.IsDir() {
			continue
		}
		ents, _ := os.ReadDir(filepath.Join(lintDir, s.Name()))
		for _, e := range ents {
			if fi, err := e.Info(); err == nil && fi.ModTime().Before(old) {
				gone = append(gone, filepath.Join(lintDir, s.Name(), e.Name()))
			}
		}
	}
	sort.Strings(gone)
	for _, p := range gone {
		os.Remove(p)
	}
	os.WriteFile(mark, []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o600)
}

// records reads every riglet's record under out, by spec; what does not parse is
// left out (only a miss).
func records(out string) map[string]hit {
	sums, _ := filepath.Glob(filepath.Join(out, "*", outdir.RecordName))
	bySpec := map[string]hit{}
	for _, p := range sums {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		r, err := record.Parse(data)
		if err != nil {
			continue
		}
		bySpec[r.Spec] = hit{Record: r, Root: filepath.Dir(p), data: data}
	}
	return bySpec
}

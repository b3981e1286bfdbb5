package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riglet/riglet/record"
)

// lintOnce runs riglet lint --check in dir with the cache in cache ("off": none) and
// returns all it printed and its exit code.
func lintOnce(t *testing.T, dir, cache string) string {
	t.Helper()
	t.Setenv("RIGLET_CACHE", cache)
	var out, errb bytes.Buffer
	code := run([]string{"-C", dir, "lint", "--check"}, &out, &errb)
	return out.String() + "\x00" + errb.String() + "\x00" + string(rune('0'+code))
}

// cacheEntries lists the entries under cache.
func cacheEntries(t *testing.T, cache string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(cache, "lint", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// poison replaces what the one entry in cache says lint printed, keeping it whole and
// keeping what it read: a run that prints "poisoned" replayed that entry.
func poison(t *testing.T, cache string) *record.Record {
	t.Helper()
	es := cacheEntries(t, cache)
	if len(es) != 1 {
		t.Fatalf("cache entries %v, want one", es)
	}
	data, err := os.ReadFile(es[0])
	if err != nil {
		t.Fatal(err)
	}
	rec, _, _, _, ok := parseEntry(data)
	if !ok {
		t.Fatalf("entry %s does not parse", es[0])
	}
	if err := os.WriteFile(es[0], entryBytes(rec, []byte("poisoned\n"), nil, 0), 0o600); err != nil {
		t.Fatal(err)
	}
	return rec
}

// The cache is never stale: after any change of any input lint read (a byte of a file,
// a file where there was none, a directory's listing) or of out/, lint --check prints
// what it prints with no cache at all, never the entry of the state before.
func TestLintCacheNeverStale(t *testing.T) {
	dir := project(t, "30")
	cache := t.TempDir()
	t.Setenv("RIGLET_CACHE", cache)
	var out, errb bytes.Buffer
	if code := run([]string{"-C", dir, "compile"}, &out, &errb); code != 0 {
		t.Fatalf("compile: %d %s", code, errb.String())
	}
	first := lintOnce(t, dir, cache)
	if want := lintOnce(t, dir, "off"); first != want {
		t.Fatalf("lint with a cache printed\n%s\nwithout\n%s", first, want)
	}
	rec := poison(t, cache)
	if got := lintOnce(t, dir, cache); !strings.HasPrefix(got, "poisoned") {
		t.Fatalf("unchanged sources: the entry was not used: %q", got)
	}
	var inputs []record.Input
	for _, in := range rec.Inputs {
		if in.Kind != record.KindStat {
			inputs = append(inputs, in)
		}
	}
	outs, _ := filepath.Glob(filepath.Join(dir, "out", "demo", "*", "*"))
	for _, p := range outs {
		rel, _ := filepath.Rel(dir, p)
		inputs = append(inputs, record.Input{Kind: "out", Path: filepath.ToSlash(rel)})
	}
	if len(inputs) < 5 || len(outs) < 3 {
		t.Fatalf("too few inputs to mean anything: %v", inputs)
	}
	for _, in := range inputs {
		undo := change(t, dir, in)
		got, want := lintOnce(t, dir, cache), lintOnce(t, dir, "off")
		undo()
		if got != want {
			t.Errorf("%s %s changed: lint printed\n%s\nwith no cache\n%s", in.Kind, in.Path, got, want)
		}
		// Back as it was: the poisoned entry holds again, or the change's run replaced
		// it (an input outside the records, such as .riglet.yaml) and lint misses.
		if got := lintOnce(t, dir, cache); got != first && !strings.HasPrefix(got, "poisoned") {
			t.Fatalf("after undoing %s %s: %q", in.Kind, in.Path, got)
		}
		poison(t, cache)
		if got := lintOnce(t, dir, cache); !strings.HasPrefix(got, "poisoned") {
			t.Fatalf("after undoing %s %s: the entry was not used: %q", in.Kind, in.Path, got)
		}
	}
}

// change changes one input in dir and returns how to undo it.
func change(t *testing.T, dir string, in record.Input) func() {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(in.Path))
	switch in.Kind {
	case record.KindFile, "out":
		data, err := os.ReadFile(p)
		if err != nil || len(data) == 0 {
			t.Fatalf("%s: %v", p, err)
		}
		was := bytes.Clone(data)
		data[len(data)/2] ^= 0x01 // one bit of one byte
		writeBytes(t, p, data)
		return func() { writeBytes(t, p, was) }
	case record.KindAbsent:
		var made []string
		for d := filepath.Dir(p); ; d = filepath.Dir(d) {
			if _, err := os.Stat(d); err == nil {
				break
			}
			made = append(made, d)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		writeBytes(t, p, []byte("Description: new\n"))
		return func() {
			os.Remove(p)
			for _, d := range made {
				os.Remove(d)
			}
		}
	case record.KindDir:
		extra := filepath.Join(p, "zz-new.yaml")
		writeBytes(t, extra, []byte("x: 1\n"))
		return func() { os.Remove(extra) }
	}
	t.Fatalf("unknown input kind %s", in.Kind)
	return nil
}

func writeBytes(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// An entry that is torn, corrupt or not an entry at all is only a miss: lint prints
// what it prints with no cache, and puts a whole entry back. With RIGLET_CACHE=off
// nothing is written.
func TestLintCacheCorruptIsAMiss(t *testing.T) {
	dir := project(t, "30")
	cache := t.TempDir()
	t.Setenv("RIGLET_CACHE", cache)
	var out, errb bytes.Buffer
	if code := run([]string{"-C", dir, "compile"}, &out, &errb); code != 0 {
		t.Fatalf("compile: %d %s", code, errb.String())
	}
	want := lintOnce(t, dir, "off")
	if es := cacheEntries(t, cache); len(es) != 0 {
		t.Fatalf("RIGLET_CACHE=off wrote %v", es)
	}
	lintOnce(t, dir, cache)
	es := cacheEntries(t, cache)
	if len(es) != 1 {
		t.Fatalf("entries %v", es)
	}
	whole, err := os.ReadFile(es[0])
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"empty":     nil,
		"torn":      whole[:len(whole)/2],
		"bit":       append(append([]byte(nil), whole[:len(whole)/3]...), append([]byte{whole[len(whole)/3] ^ 1}, whole[len(whole)/3+1:]...)...),
		"not ours":  []byte("hello\n"),
		"huge size": []byte(cacheFormat + "\nrecord 99999999999\nsum x\n"),
	} {
		writeBytes(t, es[0], bad)
		if got := lintOnce(t, dir, cache); got != want {
			t.Errorf("%s entry: lint printed\n%s\nwant\n%s", name, got, want)
		}
		if data, _ := os.ReadFile(es[0]); !bytes.Equal(data, whole) {
			t.Errorf("%s entry: not replaced by a whole one", name)
		}
	}
}

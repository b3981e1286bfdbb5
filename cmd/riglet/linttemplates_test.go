package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// packs lists the template packs under cache.
func packs(t *testing.T, cache string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(cache, "lint-templates", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range m {
		if filepath.Base(p) != "trim.txt" {
			out = append(out, p)
		}
	}
	return out
}

// plant rewrites every finding of the one pack in cache to one lint never makes,
// keeping the pack whole; the whole-run entries are removed, so that lint reads it.
func plant(t *testing.T, cache string) {
	t.Helper()
	os.RemoveAll(filepath.Join(cache, "lint"))
	ps := packs(t, cache)
	if len(ps) != 1 {
		t.Fatalf("packs %v, want one", ps)
	}
	data, err := os.ReadFile(ps[0])
	if err != nil {
		t.Fatal(err)
	}
	exe := exeID()
	entries := parsePack(data, exe)
	if len(entries) < 2 {
		t.Fatalf("pack of %d entries", len(entries))
	}
	planted := 0
	for k, v := range entries {
		if bytes.Contains(v, []byte(`"Msg":"`)) {
			entries[k] = bytes.ReplaceAll(v, []byte(`"Msg":"`), []byte(`"Msg":"planted `))
			planted++
		}
	}
	if planted < 2 {
		t.Fatalf("%d entries with findings to plant in", planted)
	}
	writeBytes(t, ps[0], packBytes(entries, exe))
}

// Each template's findings are kept in a pack: a planted entry is served while its
// template is unchanged, and never once anything it was made from changed; a torn,
// corrupt or foreign pack is only a miss. Lint prints what it prints with no cache.
func TestLintTemplatePack(t *testing.T) {
	dir := project(t, "30")
	cache := t.TempDir()
	t.Setenv("RIGLET_CACHE", cache)
	var out, errb bytes.Buffer
	if code := run([]string{"-C", dir, "compile"}, &out, &errb); code != 0 {
		t.Fatalf("compile: %d %s", code, errb.String())
	}
	want := lintOnce(t, dir, "off")
	if got := lintOnce(t, dir, cache); got != want {
		t.Fatalf("lint with a cache printed\n%s\nwithout\n%s", got, want)
	}
	plant(t, cache)
	if got := lintOnce(t, dir, cache); !strings.Contains(got, "planted") {
		t.Fatalf("unchanged templates: the pack was not used: %q", got)
	}
	// Every template holds the queue block's resource: a change of the block changes
	// every template, and no planted finding may be served.
	block := filepath.Join(dir, "blocks", "q", "block.yaml")
	was, err := os.ReadFile(block)
	if err != nil {
		t.Fatal(err)
	}
	for _, edit := range []string{
		strings.Replace(string(was), "VisibilityTimeout: 30", "VisibilityTimeout: 31", 1),
		"# a comment moves every line\n" + string(was),
	} {
		plant(t, cache)
		writeBytes(t, block, []byte(edit))
		got, wantNow := lintOnce(t, dir, cache), lintOnce(t, dir, "off")
		writeBytes(t, block, was)
		if strings.Contains(got, "planted") || got != wantNow {
			t.Errorf("block changed: lint printed\n%s\nwith no cache\n%s", got, wantNow)
		}
	}
	lintOnce(t, dir, cache)
	ps := packs(t, cache)
	if len(ps) != 1 {
		t.Fatalf("packs %v", ps)
	}
	whole, err := os.ReadFile(ps[0])
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"empty":            nil,
		"torn":             whole[:len(whole)/2],
		"bit":              append(append([]byte(nil), whole[:len(whole)/3]...), append([]byte{whole[len(whole)/3] ^ 1}, whole[len(whole)/3+1:]...)...),
		"not ours":         []byte("hello\n"),
		"another binary's": packBytes(parsePack(whole, exeID()), "buildid other"),
	} {
		os.RemoveAll(filepath.Join(cache, "lint"))
		writeBytes(t, ps[0], bad)
		if got := lintOnce(t, dir, cache); got != want {
			t.Errorf("%s pack: lint printed\n%s\nwant\n%s", name, got, want)
		}
		if data, _ := os.ReadFile(ps[0]); !bytes.Equal(data, whole) {
			t.Errorf("%s pack: not replaced by a whole one", name)
		}
	}
}

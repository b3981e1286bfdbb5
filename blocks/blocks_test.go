package blocks_test

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
)

var update = flag.Bool("update", false, "rewrite the expected output of golden tests")

// blockNames lists the blocks of the built-in library.
func blockNames(t *testing.T) []string {
	t.Helper()
	ents, err := fs.ReadDir(blocks.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

// TestEveryBlockHasACase keeps the isolation tests complete: a new block needs its
// testdata/<block>.txtar.
func TestEveryBlockHasACase(t *testing.T) {
	for _, name := range blockNames(t) {
		if _, err := os.Stat(filepath.Join("testdata", name+".txtar")); err != nil {
			t.Errorf("block %s has no isolation case testdata/%s.txtar", name, name)
		}
	}
}

// TestBlocks compiles each testdata/<block>.txtar against the built-in library: its
// files are a riglet spec (and env files; testdata/envs/test.yaml otherwise) that
// uses the block alone, with explicit values where a riglet would wire other
// blocks; want/<path> files are the expected outputs, want/errors the expected
// errors. -update rewrites them.
func TestBlocks(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) == 0 {
		t.Fatal("no block cases")
	}
	defaultEnv, err := os.ReadFile("testdata/envs/test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			got, want := compileCase(t, file, defaultEnv)
			if *update {
				rewrite(t, file, got)
				return
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("compile output mismatch (-want +got), run go test ./blocks -run TestBlocks -update:\n%s", diff)
			}
		})
	}
}

// compileCase compiles one case and returns what it produced and what it expects.
func compileCase(t *testing.T, file string, defaultEnv []byte) (got, want map[string]string) {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	want = map[string]string{}
	var specs []string
	hasEnv := false
	for _, f := range ar.Files {
		if strings.HasPrefix(f.Name, "want/") {
			want[strings.TrimPrefix(f.Name, "want/")] = string(f.Data)
			continue
		}
		fsys[f.Name] = &fstest.MapFile{Data: f.Data}
		hasEnv = hasEnv || strings.HasPrefix(f.Name, "envs/")
		if strings.HasPrefix(f.Name, "riglets/") && strings.HasSuffix(f.Name, ".yaml") {
			specs = append(specs, f.Name)
		}
	}
	if !hasEnv {
		fsys["envs/test.yaml"] = &fstest.MapFile{Data: defaultEnv}
	}
	if len(specs) == 0 {
		t.Fatalf("%s holds no riglets/*.yaml", file)
	}
	got = map[string]string{}
	var errs []string
	for _, spec := range specs {
		res, err := compiler.Compile(fsys, blocks.FS, spec, compiler.Options{})
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		for _, f := range res.Files() {
			got[f.Path] = string(f.Data)
		}
	}
	if len(errs) > 0 {
		got["errors"] = strings.Join(errs, "\n") + "\n"
	}
	return got, want
}

func rewrite(t *testing.T, file string, got map[string]string) {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var kept []txtar.File
	for _, f := range ar.Files {
		if !strings.HasPrefix(f.Name, "want/") {
			kept = append(kept, f)
		}
	}
	for _, k := range sortedKeys(got) {
		kept = append(kept, txtar.File{Name: "want/" + k, Data: []byte(got[k])})
	}
	ar.Files = kept
	out := txtar.Format(ar)
	if old, _ := os.ReadFile(file); !bytes.Equal(old, out) {
		if err := os.WriteFile(file, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

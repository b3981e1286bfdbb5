package compiler_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/riglet/riglet/compiler"
)

var update = flag.Bool("update", false, "rewrite the expected output of golden tests")

// TestGolden compiles each testdata/compile/*.txtar: its files are the riglet's
// sources; want/<path> files are the expected outputs (or want/errors the expected
// errors, one per line). -update rewrites them.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/compile/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden cases")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			fsys := fstest.MapFS{}
			want := map[string]string{}
			var specs []string
			for _, f := range ar.Files {
				if strings.HasPrefix(f.Name, "want/") {
					want[strings.TrimPrefix(f.Name, "want/")] = string(f.Data)
					continue
				}
				fsys[f.Name] = &fstest.MapFile{Data: f.Data}
				if strings.HasPrefix(f.Name, "riglets/") && strings.HasSuffix(f.Name, ".yaml") {
					specs = append(specs, f.Name)
				}
			}
			got := map[string]string{}
			var errs []string
			for _, spec := range specs {
				res, err := compiler.Compile(fsys, builtinAlarms, spec, compiler.Options{})
				if err != nil {
					errs = append(errs, err.Error())
					continue
				}
				for _, f := range res.Files() {
					got[f.Path] = string(f.Data)
				}
				got[strings.TrimPrefix(res.LockFile, "riglets/")] = string(res.Lock.Marshal(res.Spec.File))
			}
			if len(errs) > 0 {
				got["errors"] = strings.Join(errs, "\n") + "\n"
			}
			if *update {
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
				return
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("compile output mismatch (-want +got), run go test ./compiler -run TestGolden -update:\n%s", diff)
			}
		})
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

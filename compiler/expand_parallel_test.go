package compiler_test

import (
	"bytes"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/tools/txtar"

	"github.com/riglet/riglet/compiler"
)

// A RenderOnly compile expands an env's instances and makes its alarms on the cores
// no other env uses (expandParallel, addAlarms): every golden case, the good and the
// bad, gives the same files and the same errors so as one by one (GOMAXPROCS=1, and
// a compile that is not RenderOnly, which never expands in parallel).
func TestParallelExpansionMatchesSequential(t *testing.T) {
	files, _ := filepath.Glob("testdata/compile/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden cases")
	}
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	compile := func(fsys fstest.MapFS, spec string, opts compiler.Options) string {
		res, err := compiler.Compile(fsys, builtinAlarms, spec, opts)
		if err != nil {
			return "error:\n" + err.Error()
		}
		var b bytes.Buffer
		for _, f := range res.Files() {
			b.WriteString("== " + f.Path + "\n")
			b.Write(f.Data)
		}
		b.WriteString("== lock\n")
		b.Write(res.Lock.Marshal(res.Spec.File))
		return b.String()
	}
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		fsys := fstest.MapFS{}
		var specs []string
		for _, f := range ar.Files {
			if strings.HasPrefix(f.Name, "want/") {
				continue
			}
			fsys[f.Name] = &fstest.MapFile{Data: f.Data}
			if strings.HasPrefix(f.Name, "riglets/") && strings.HasSuffix(f.Name, ".yaml") {
				specs = append(specs, f.Name)
			}
		}
		for _, spec := range specs {
			runtime.GOMAXPROCS(1)
			want := compile(fsys, spec, compiler.Options{})
			for _, procs := range []int{1, 2, 8} {
				runtime.GOMAXPROCS(procs)
				if got := compile(fsys, spec, compiler.Options{RenderOnly: true}); got != want {
					t.Errorf("%s %s GOMAXPROCS=%d: RenderOnly compile differs from the sequential one:\n%s\nwant:\n%s", filepath.Base(file), spec, procs, got, want)
				}
			}
		}
	}
}

package compiler_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/internal/benchgen"
)

// renderOnly compiles as riglet compile does (RenderOnly) or as riglet diff does (with
// Keep, here keeping the templates of an odd size), and returns every file in the order
// the compile gives them, the lock, and what Keep was asked, sorted.
func renderOnly(t *testing.T, fsys fs.FS, spec string, keep bool) ([]compiler.File, []byte, []string) {
	t.Helper()
	opts := compiler.Options{RenderOnly: true}
	var asked []string
	if keep {
		ch := make(chan string, 1)
		ch <- ""
		opts.Keep = func(p string, data []byte) bool {
			<-ch // the workers call Keep concurrently: a lock of its own, as riglet diff's
			asked = append(asked, fmt.Sprintf("%s %d", p, len(data)))
			ch <- ""
			return len(data)%2 == 1
		}
	}
	res, err := compiler.Compile(fsys, blocks.FS, spec, opts)
	if err != nil {
		t.Fatalf("%s: %v", spec, err)
	}
	var files []compiler.File
	for _, e := range res.Envs {
		files = append(files, res.EnvFiles(e)...)
		for _, s := range e.Stacks {
			if odd := keptSize(files, e, s)%2 == 1; keep && (s.Template != nil) != odd {
				t.Errorf("%s %s: tree kept %v, Keep said %v", e.Env, s.Name, s.Template != nil, odd)
			}
		}
	}
	sort.Strings(asked)
	return files, res.Lock.Marshal(res.Spec.File), asked
}

func keptSize(files []compiler.File, e *compiler.EnvResult, s *compiler.StackResult) int {
	for _, f := range files {
		if strings.HasSuffix(f.Path, "/"+e.Env+"/"+s.Name+".yaml") {
			return len(f.Data)
		}
	}
	return -1
}

// Templates render on a pool of workers across envs: the files, their order, the lock,
// what Keep is asked and which trees it keeps are the same however many threads run,
// for every example riglet and for the benchmark riglet.
func TestRenderIsDeterministicAcrossThreads(t *testing.T) {
	bench := fstest.MapFS{}
	for p, data := range benchgen.Files(120) {
		bench[p] = &fstest.MapFile{Data: data}
	}
	type riglet struct {
		fsys fs.FS
		spec string
	}
	riglets := []riglet{{bench, "riglets/bench.yaml"}}
	for _, spec := range exampleSpecs(t) {
		riglets = append(riglets, riglet{os.DirFS(".."), spec})
	}
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	for _, r := range riglets {
		for _, keep := range []bool{false, true} {
			runtime.GOMAXPROCS(1)
			files, lock, asked := renderOnly(t, r.fsys, r.spec, keep)
			if len(files) < 2 {
				t.Fatalf("%s: %d files", r.spec, len(files))
			}
			for _, procs := range []int{2, 8} {
				runtime.GOMAXPROCS(procs)
				got, gotLock, gotAsked := renderOnly(t, r.fsys, r.spec, keep)
				if len(got) != len(files) {
					t.Fatalf("%s keep=%v GOMAXPROCS=%d: %d files, %d with 1", r.spec, keep, procs, len(got), len(files))
				}
				for i := range files {
					if got[i].Path != files[i].Path || !bytes.Equal(got[i].Data, files[i].Data) {
						t.Errorf("%s keep=%v GOMAXPROCS=%d: file %d is %s, with 1 %s (or its bytes differ)", r.spec, keep, procs, i, got[i].Path, files[i].Path)
					}
				}
				if !bytes.Equal(gotLock, lock) {
					t.Errorf("%s keep=%v GOMAXPROCS=%d: the lock differs", r.spec, keep, procs)
				}
				if strings.Join(gotAsked, "\n") != strings.Join(asked, "\n") {
					t.Errorf("%s GOMAXPROCS=%d: Keep was asked about other templates", r.spec, procs)
				}
			}
		}
	}
}

package compiler_test

import (
	"hash/fnv"
	"os"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/ir"
)

// TestRenderOnlyKeep: a RenderOnly compile with Keep writes the same bytes as a compile
// that keeps everything, asks Keep once about every template by its path in Files, and
// keeps exactly the templates it said yes to, each with its origins and line index as
// the full compile has them; the others' trees, origins and indexes are let go. Which
// templates are kept is a hash of the path, a different half for each seed.
func TestRenderOnlyKeep(t *testing.T) {
	for _, spec := range exampleSpecs(t) {
		full, err := compiler.Compile(os.DirFS(".."), blocks.FS, spec, compiler.Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]compiler.File{}
		for _, f := range full.Files() {
			want[f.Path] = f
		}
		for seed := range 3 {
			var mu sync.Mutex
			asked := map[string]int{}
			keep := func(p string, data []byte) bool {
				mu.Lock()
				asked[p]++
				mu.Unlock()
				if string(data) != string(want[p].Data) {
					t.Errorf("%s: Keep is shown other bytes than the file's", p)
				}
				h := fnv.New32a()
				h.Write([]byte{byte(seed)})
				h.Write([]byte(p))
				return h.Sum32()%2 == 0
			}
			res, err := compiler.Compile(os.DirFS(".."), blocks.FS, spec, compiler.Options{RenderOnly: true, Keep: keep})
			if err != nil {
				t.Fatal(err)
			}
			kept := 0
			for ei, e := range res.Envs {
				files := map[string]compiler.File{}
				for _, f := range res.EnvFiles(e) {
					files[f.Path] = f
					if string(f.Data) != string(want[f.Path].Data) {
						t.Errorf("%s: bytes differ from the full compile's", f.Path)
					}
				}
				for si, s := range e.Stacks {
					p := res.EnvDir(e.Env) + "/" + s.Name + ".yaml"
					if asked[p] != 1 {
						t.Errorf("%s: Keep asked %d times", p, asked[p])
					}
					fs := full.Envs[ei].Stacks[si]
					f := files[p]
					if !keep(p, f.Data) {
						if s.Template != nil || s.Origins != nil || f.Index != nil {
							t.Errorf("%s: not kept, yet it has a tree (%v), origins (%v) or an index (%v)", p, s.Template != nil, s.Origins != nil, f.Index != nil)
						}
						continue
					}
					kept++
					if s.Template == nil || !ir.Equal(s.Template, fs.Template) {
						t.Errorf("%s: kept, but its tree is not the full compile's", p)
					}
					if d := cmp.Diff(fs.Origins, s.Origins); d != "" {
						t.Errorf("%s: origins (-full +kept):\n%s", p, d)
					}
					if d := cmp.Diff(want[p].Index, f.Index); f.Index == nil || d != "" {
						t.Errorf("%s: index (-full +kept):\n%s", p, d)
					}
				}
			}
			if kept == 0 || kept == len(asked) {
				t.Errorf("%s seed %d: %d of %d kept: the test keeps some and lets some go", spec, seed, kept, len(asked))
			}
		}
	}
}

package diff

import (
	"bytes"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/internal/benchgen"
)

// BenchmarkCompare diffs the 3 x 800-service benchmark riglet against itself with one
// service's image changed: the old side as bytes (as read from git), the new one as
// compiled. The compile is not timed: riglet diff's own cost is the comparison, which
// reads only the templates whose bytes differ.
func BenchmarkCompare(b *testing.B) {
	files := benchgen.Files(800)
	compile := func(files map[string][]byte) *compiler.Result {
		fsys := fstest.MapFS{}
		for p, data := range files {
			fsys[p] = &fstest.MapFile{Data: data}
		}
		res, err := compiler.Compile(fsys, blocks.FS, "riglets/bench.yaml", compiler.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	base := FromResult(compile(files), "out", compile(files).Envs)
	changed := map[string][]byte{}
	for p, d := range files {
		changed[p] = d
	}
	changed["riglets/bench.yaml"] = bytes.Replace(files["riglets/bench.yaml"], []byte("Image: example/svc400\n"), []byte("Image: example/svc400-v2\n"), 1)
	res := compile(changed)
	new := FromResult(res, "out", res.Envs)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		old := &Side{Riglet: base.Riglet, Lock: base.Lock}
		for _, e := range base.Envs {
			oe := &Env{Name: e.Name}
			for _, s := range e.Stacks {
				oe.Stacks = append(oe.Stacks, &Stack{Name: s.Name, File: s.File, Data: s.Data, Needs: s.Needs})
			}
			old.Envs = append(old.Envs, oe)
		}
		rg := Compare(old, new)
		if n := len(rg.Envs[0].Changes); n != 1 {
			b.Fatalf("%d changes in %s, want 1", n, rg.Envs[0].Env)
		}
	}
}

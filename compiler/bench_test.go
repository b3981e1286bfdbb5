package compiler_test

import (
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/internal/benchgen"
)

// BenchmarkCompile compiles the benchmark riglet (N services over 3 envs, on as many
// ALBs as AWS's quotas need) and renders every template, as riglet compile does
// before it writes (RenderOnly, as riglet compile runs it). Scaling from N=200 to N=800 should stay linear (ratio <= 4.4).
func BenchmarkCompile(b *testing.B) {
	for _, n := range []int{50, 200, 800} {
		fsys := fstest.MapFS{}
		for p, data := range benchgen.Files(n) {
			fsys[p] = &fstest.MapFile{Data: data}
		}
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			templates := 0
			for i := 0; i < b.N; i++ {
				res, err := compiler.Compile(fsys, blocks.FS, "riglets/bench.yaml", compiler.Options{RenderOnly: true})
				if err != nil {
					b.Fatal(err)
				}
				templates = len(res.Files())
			}
			b.ReportMetric(float64(templates), "files")
		})
	}
}

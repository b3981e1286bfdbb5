package lint

import (
	"testing"

	"github.com/riglet/riglet/compiler"
)

// BenchmarkTemplateDigest digests every template of a riglet whose one block expands
// to 501 resources: the key of the per-template cache, computed for every template of
// every lint that has one (riglet lint keeps it), hit or miss.
func BenchmarkTemplateDigest(b *testing.B) {
	fsys, specs, _ := loadCase(b, "testdata/CFN011/bad.txtar")
	res, err := compiler.Compile(fsys, builtinAlarms, specs[0], compiler.Options{Partial: true})
	if res == nil {
		b.Fatal(err)
	}
	var envs []*Env
	for _, er := range res.Envs {
		envs = append(envs, newEnv(res, er, false))
	}
	for b.Loop() {
		for _, e := range envs {
			ed := envDigest(e)
			for _, s := range e.Stacks {
				templateDigest(ed, s, res.Library)
			}
		}
	}
}

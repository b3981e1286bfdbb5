package compiler_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/aws-cloudformation/rain/cft/parse"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
)

// exampleSpecs are the repository's own riglets.
func exampleSpecs(t *testing.T) []string {
	m, _ := filepath.Glob("../riglets/*.yaml")
	if len(m) == 0 {
		t.Fatal("no example riglets")
	}
	var out []string
	for _, p := range m {
		out = append(out, "riglets/"+filepath.Base(p))
	}
	return out
}

func compileFiles(t *testing.T, spec string) map[string][]byte {
	t.Helper()
	res, err := compiler.Compile(os.DirFS(".."), blocks.FS, spec, compiler.Options{})
	if err != nil {
		t.Fatalf("%s: %v", spec, err)
	}
	out := map[string][]byte{}
	for _, f := range res.Files() {
		out[f.Path] = f.Data
	}
	out["lock"] = res.Lock.Marshal(res.Spec.File)
	return out
}

// The same inputs give the same bytes, however many threads compile the envs.
func TestExamplesAreDeterministic(t *testing.T) {
	for _, spec := range exampleSpecs(t) {
		prev := runtime.GOMAXPROCS(1)
		one := compileFiles(t, spec)
		runtime.GOMAXPROCS(8)
		many := compileFiles(t, spec)
		again := compileFiles(t, spec)
		runtime.GOMAXPROCS(prev)
		for p, data := range one {
			if !bytes.Equal(data, many[p]) || !bytes.Equal(data, again[p]) {
				t.Errorf("%s: %s differs between compiles", spec, p)
			}
		}
		if len(one) != len(many) {
			t.Errorf("%s: %d files with GOMAXPROCS=1, %d with 8", spec, len(one), len(many))
		}
	}
}

// rain, the reference parser, reads every generated template, and finds every resource.
func TestExamplesParseWithRain(t *testing.T) {
	for _, spec := range exampleSpecs(t) {
		res, err := compiler.Compile(os.DirFS(".."), blocks.FS, spec, compiler.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range res.Envs {
			files := res.EnvFiles(e)
			for _, s := range e.Stacks {
				var data []byte
				for _, f := range files {
					if strings.HasSuffix(f.Path, "/"+s.Name+".yaml") {
						data = f.Data
					}
				}
				tmpl, err := parse.String(string(data))
				if err != nil {
					t.Fatalf("%s %s: rain cannot parse: %v", e.Env, s.Name, err)
				}
				res, err := tmpl.GetSection("Resources")
				if err != nil {
					t.Fatalf("%s %s: %v", e.Env, s.Name, err)
				}
				if got, want := len(res.Content)/2, len(s.Template.Get("Resources").Pairs); got != want {
					t.Errorf("%s %s: rain sees %d resources, riglet wrote %d", e.Env, s.Name, got, want)
				}
			}
		}
	}
}

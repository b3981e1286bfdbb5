package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/riglet/riglet/blocks"
)

// A template sized in the reused buffer, and indexed on its own when a finding needs
// its lines, has the size and lines of the rendered file lint --check keeps; and lint
// finds the same either way.
func TestSizesAndLinesWithoutKeeping(t *testing.T) {
	specs, _ := filepath.Glob("../riglets/*.yaml")
	if len(specs) == 0 {
		t.Fatal("no example riglets in ../riglets")
	}
	for i, s := range specs {
		specs[i] = strings.TrimPrefix(filepath.ToSlash(s), "../")
	}
	kept, err := Lint(os.DirFS(".."), blocks.FS, specs, Options{Keep: true})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Lint(os.DirFS(".."), blocks.FS, specs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(kept.Findings, plain.Findings); d != "" {
		t.Errorf("findings with the files kept and without (-kept +not):\n%s", d)
	}
	stacks, lines := 0, 0
	for _, res := range kept.Results {
		for _, er := range res.Envs {
			e := newEnv(res, er, false)
			files := map[string]int{}
			for _, f := range res.EnvFiles(er) {
				files[f.Path] = len(f.Data)
				if f.Index == nil {
					continue
				}
				name := strings.TrimSuffix(filepath.Base(f.Path), ".yaml")
				for _, s := range e.Stacks {
					if s.Name != name {
						continue
					}
					for id, want := range f.Index.Resources {
						got, ok := e.generated(s, id)
						if !ok || int(got.Line) != want {
							t.Errorf("%s %s: line %d %v, want %d", f.Path, id, got.Line, ok, want)
						}
						lines++
					}
				}
			}
			for _, s := range e.Stacks {
				want, ok := files[res.EnvDir(er.Env)+"/"+s.Name+".yaml"]
				if got := s.Size(); !ok || got != want {
					t.Errorf("%s/%s: size %d, want %d", er.Env, s.Name, got, want)
				}
				stacks++
			}
		}
	}
	if stacks < 10 || lines < 100 {
		t.Fatalf("%d stacks, %d lines compared: too few to mean anything", stacks, lines)
	}
}

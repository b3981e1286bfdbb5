package lint

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
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

// Rendered's callback is handed every file of every env exactly once, with the bytes
// and index Result.EnvFiles renders, and done after the last; the findings are those
// of a lint that keeps the files.
func TestRenderedHandsEachFileOnce(t *testing.T) {
	specs, _ := filepath.Glob("../riglets/*.yaml")
	if len(specs) == 0 {
		t.Fatal("no example riglets in ../riglets")
	}
	for i, s := range specs {
		specs[i] = strings.TrimPrefix(filepath.ToSlash(s), "../")
	}
	type got struct {
		data  string
		lines map[string]int
		n     int
	}
	var mu sync.Mutex
	seen := map[*compiler.Result]map[string]*got{}
	finished := map[*compiler.Result]bool{}
	opts := Options{Keep: true, Rendered: func(res *compiler.Result) (func(compiler.File), func()) {
		mu.Lock()
		seen[res] = map[string]*got{}
		mu.Unlock()
		return func(f compiler.File) {
				mu.Lock()
				defer mu.Unlock()
				if finished[res] {
					t.Errorf("%s handed after done", f.Path)
				}
				g := seen[res][f.Path]
				if g == nil {
					g = &got{}
					seen[res][f.Path] = g
				}
				g.n++
				g.data = string(f.Data)
				if f.Index != nil {
					g.lines = f.Index.Resources
				}
			}, func() {
				mu.Lock()
				finished[res] = true
				mu.Unlock()
			}
	}}
	streamed, err := Lint(os.DirFS(".."), blocks.FS, specs, opts)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := Lint(os.DirFS(".."), blocks.FS, specs, Options{Keep: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(kept.Findings, streamed.Findings); d != "" {
		t.Errorf("findings with the files kept and handed over (-kept +handed):\n%s", d)
	}
	if len(streamed.Results) == 0 {
		t.Fatal("no riglet compiled")
	}
	files := 0
	for _, res := range streamed.Results {
		if !finished[res] {
			t.Errorf("%s: done never called", res.Spec.Name)
		}
		want := res.Files()
		if len(seen[res]) != len(want) {
			t.Errorf("%s: %d files handed, want %d", res.Spec.Name, len(seen[res]), len(want))
		}
		for _, f := range want {
			g := seen[res][f.Path]
			switch {
			case g == nil:
				t.Errorf("%s never handed", f.Path)
			case g.n != 1:
				t.Errorf("%s handed %d times", f.Path, g.n)
			case g.data != string(f.Data):
				t.Errorf("%s: handed bytes differ from EnvFiles'", f.Path)
			case f.Index != nil && !cmp.Equal(g.lines, f.Index.Resources):
				t.Errorf("%s: handed index differs from EnvFiles'", f.Path)
			}
			files++
		}
	}
	if files < 10 {
		t.Fatalf("%d files compared: too few to mean anything", files)
	}
}

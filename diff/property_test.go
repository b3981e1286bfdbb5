package diff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riglet/riglet/source"
)

// TestSelfDiffIsEmpty: every example template against itself, parsed twice (different
// bytes, so that nothing is skipped), changes nothing.
func TestSelfDiffIsEmpty(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "out", "*", "*", "*.yaml"))
	if len(files) < 10 {
		t.Fatalf("%d example templates", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		a, err := source.Parse(f, data)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := source.Parse(f, data)
		o := &Side{Envs: []*Env{{Name: "e", Stacks: []*Stack{{Name: "s", File: f, Data: []byte("a"), Template: a}}}}}
		n := &Side{Envs: []*Env{{Name: "e", Stacks: []*Stack{{Name: "s", File: f, Data: []byte("b"), Template: b}}}}}
		if cs := Compare(o, n).Envs[0].Changes; len(cs) != 0 {
			t.Errorf("%s against itself: %d changes, first %s", f, len(cs), cs[0].Message)
		}
	}
}

// TestReversedMirrors: each golden case the other way round swaps what is added and
// removed, and says nothing the forward diff did not find at all.
func TestReversedMirrors(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	for _, file := range files {
		ar := parseArchive(t, file)
		fwd := Compare(sideOf(t, ar, "old"), sideOf(t, ar, "new"))
		rev := Compare(sideOf(t, ar, "new"), sideOf(t, ar, "old"))
		count := func(r *Riglet, kind, action string) int {
			n := 0
			for _, e := range r.Envs {
				for _, c := range e.Changes {
					if c.Kind == kind && c.Action == action {
						n++
					}
				}
			}
			return n
		}
		for _, k := range []string{"resource", "stack"} {
			if a, b := count(fwd, k, "added"), count(rev, k, "removed"); a != b {
				t.Errorf("%s: %d %s added forward, %d removed backward", file, a, k, b)
			}
			if a, b := count(fwd, k, "removed"), count(rev, k, "added"); a != b {
				t.Errorf("%s: %d %s removed forward, %d added backward", file, a, k, b)
			}
		}
		if (len(fwd.Envs[0].Changes) == 0) != (len(rev.Envs[0].Changes) == 0) {
			t.Errorf("%s: one way changes, the other not", file)
		}
	}
}

// TestUnreadableTemplateIsAChange: a template that does not parse is reported, not a panic.
func TestUnreadableTemplateIsAChange(t *testing.T) {
	for _, data := range []string{"Resources: [", "- a list\n", "Resources: 3\n", "Resources:\n  X: 3\n  Y: {Type: 7, Properties: [1]}\n"} {
		o := &Side{Envs: []*Env{{Name: "e", Stacks: []*Stack{{Name: "s", File: "old.yaml", Data: []byte("Resources:\n  X: {Type: AWS::SNS::Topic}\n")}}}}}
		n := &Side{Envs: []*Env{{Name: "e", Stacks: []*Stack{{Name: "s", File: "new.yaml", Data: []byte(data)}}}}}
		for _, r := range []*Riglet{Compare(o, n), Compare(n, o)} {
			if len(r.Envs[0].Changes) == 0 {
				t.Errorf("%q: no change reported", data)
			}
		}
	}
}

// TestTemplateSizeLimit: a template growing over 51,200 bytes is said, and so is one
// shrinking back under; one that stays on its side of the limit is not.
func TestTemplateSizeLimit(t *testing.T) {
	tpl := func(n int) []byte {
		return []byte("Description: " + strings.Repeat("x", n) + "\nResources:\n  X: {Type: AWS::SNS::Topic}\n")
	}
	side := func(data []byte) *Side {
		return &Side{Envs: []*Env{{Name: "e", Stacks: []*Stack{{Name: "s", File: "s.yaml", Data: data}}}}}
	}
	sizes := func(o, n []byte) []string {
		var out []string
		for _, c := range Compare(side(o), side(n)).Envs[0].Changes {
			if c.Kind == "size" {
				out = append(out, c.Message)
			}
		}
		return out
	}
	small, smaller, big := tpl(40000), tpl(30000), tpl(60000)
	if got := sizes(small, big); len(got) != 1 || !strings.Contains(got[0], "grows over the 51,200-byte") {
		t.Errorf("small -> big: %q", got)
	}
	if got := sizes(big, small); len(got) != 1 || !strings.Contains(got[0], "shrinks under") {
		t.Errorf("big -> small: %q", got)
	}
	if got := sizes(small, smaller); len(got) != 0 {
		t.Errorf("small -> smaller: %q", got)
	}
}

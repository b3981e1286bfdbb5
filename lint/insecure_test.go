package lint

import (
	"os"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/riglet/riglet/source"
)

const insecureTemplate = "testdata/insecure/template.yaml"

// TestInsecureTemplate lints a template of deliberately insecure resources, one per
// common scanner rule, as production: every resource gets at least one finding on
// its own lines, and every finding is the one its `# want` expects, on that line.
func TestInsecureTemplate(t *testing.T) {
	data, err := os.ReadFile(insecureTemplate)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Template(insecureTemplate, data, Options{Envs: []string{"production"}})
	if err != nil {
		t.Fatal(err)
	}
	wants := expectations(t, &txtar.Archive{Files: []txtar.File{{Name: insecureTemplate, Data: data}}})
	for _, f := range rep.Findings {
		matched := false
		for _, w := range wants {
			if w.line == int(f.Pos.Line) && w.re.MatchString(f.Rule+" "+f.Message()) {
				w.hit, matched = true, true
			}
		}
		if !matched {
			t.Errorf("%s: unexpected finding: %s (%s)", f.Pos, f.Message(), f.Rule)
		}
	}
	for _, w := range wants {
		if !w.hit {
			t.Errorf("%s:%d: no finding matching %q", insecureTemplate, w.line, w.raw)
		}
	}

	// Each resource's lines run from its key to the next resource's key.
	root, err := source.Parse(insecureTemplate, data)
	if err != nil {
		t.Fatal(err)
	}
	res := root.Get("Resources").Pairs
	if len(res) < 35 {
		t.Fatalf("%d resources, want about 35", len(res))
	}
	rules := map[string]bool{}
	for i, p := range res {
		from, to := p.KeyPos.Line, int32(1<<30)
		if i+1 < len(res) {
			to = res[i+1].KeyPos.Line
		}
		found := false
		for _, f := range rep.Findings {
			if f.Pos.Line >= from && f.Pos.Line < to {
				found = true
				rules[f.Rule] = true
			}
		}
		if !found {
			t.Errorf("%s:%d: resource %s has no finding", insecureTemplate, from, p.Key)
		}
	}
	var ids []string
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	t.Logf("%d resources, %d findings of %d rules: %s", len(res), len(rep.Findings), len(ids), strings.Join(ids, " "))
}

// TestInsecureTemplateNotProduction: without --env production the same template
// gets none of the production-only findings.
func TestInsecureTemplateNotProduction(t *testing.T) {
	data, err := os.ReadFile(insecureTemplate)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Template(insecureTemplate, data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	prodOnly := map[string]bool{"REL004": true, "REL006": true, "REL007": true, "REL008": true, "SEC033": true}
	n := 0
	for _, f := range rep.Findings {
		if prodOnly[f.Rule] {
			t.Errorf("%s: %s finding outside production: %s", f.Pos, f.Rule, f.Message())
		}
		n++
	}
	if n == 0 {
		t.Fatal("no findings at all")
	}
}

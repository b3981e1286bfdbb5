package diff

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riglet/riglet/ir"
)

// TestJSONShapeIsDocumented: the example in docs/diff.md names exactly the fields the
// JSON has, so the documented shape and the code never drift.
func TestJSONShapeIsDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/diff.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```json\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/diff.md has no ```json example")
	}
	var doc any
	if err := json.Unmarshal([]byte(block), &doc); err != nil {
		t.Fatalf("docs/diff.md's example is not JSON: %v", err)
	}
	p := ir.Pos{File: ir.FileOf("riglets/x.yaml"), Line: 1, Col: 1}
	full := &Report{Version: Version, Riglets: []*Riglet{{Name: "x", Envs: []*EnvDiff{{Env: "e", Changes: []Change{{
		Stack: "s", Kind: "resource", Action: "replaced", ID: "Q", Type: "AWS::SQS::Queue", Classes: []Class{Replace},
		Message: "m", SourceText: p.String(), TemplateText: p.String(),
		Props:    []Prop{{Path: "FifoQueue", Action: "modified", Old: "a", New: "b", Replace: Replace, SourceText: p.String()}},
		Security: []Sec{{Area: "iam", Direction: "widened", What: "w"}},
	}}}}}}}
	js, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	var code any
	if err := json.Unmarshal(js, &code); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(keys(doc, ""), keys(code, "")); d != "" {
		t.Errorf("docs/diff.md's JSON example and the JSON riglet writes differ in their fields (-docs +code):\n%s", d)
	}
}

// keys are the key paths of a JSON value (list items as []).
func keys(v any, at string) []string {
	set := map[string]bool{}
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				set[at+"."+k] = true
				walk(x, at+"."+k)
			}
		case []any:
			for _, x := range v {
				walk(x, at+"[]")
			}
		}
	}
	walk(v, at)
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

//go:build oracle

// Oracle test: PyYAML, a YAML reader that is not goccy (and the one cfn-lint reads
// templates with), judges what riglet loads from flow collections. It runs under
// `make check` (go test -tags oracle) and fails, never skips, when PyYAML is missing.

package source

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pyLoadAll reads a JSON list of YAML documents with PyYAML's SafeLoader, short-form
// tags as their long form (as cfn-lint's loader does), and writes the trees as a JSON list.
const pyLoadAll = `
import sys, json, yaml
class L(yaml.SafeLoader): pass
def fn(loader, suffix, node):
    name = suffix if suffix in ("Ref", "Condition") else "Fn::" + suffix
    if isinstance(node, yaml.ScalarNode): v = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode): v = loader.construct_sequence(node, deep=True)
    else: v = loader.construct_mapping(node, deep=True)
    if suffix == "GetAtt" and isinstance(v, str): v = v.split(".", 1)
    return {name: v}
L.add_multi_constructor("!", fn)
json.dump([yaml.load(d, Loader=L) for d in json.load(sys.stdin)], sys.stdout)
`

// TestPyYAMLReadsFlowCollectionsTheSame: every generated flow collection loads in
// riglet to the tree PyYAML reads, and that is the tree the generator meant (so the
// non-oracle TestFlowCollectionsLoad checks the right thing).
func TestPyYAMLReadsFlowCollectionsTheSame(t *testing.T) {
	if out, err := exec.Command("python3", "-c", "import yaml").CombinedOutput(); err != nil {
		t.Fatalf("this oracle test needs python3 with PyYAML (apt-get install python3-yaml, or python3 -m pip install pyyaml): %v\n%s", err, out)
	}
	texts, wants := flowDocs(2000)
	in, err := json.Marshal(texts)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", "-c", pyLoadAll)
	cmd.Stdin = strings.NewReader(string(in))
	js, err := cmd.Output()
	if err != nil {
		t.Fatalf("PyYAML: %v", err)
	}
	var py []any
	if err := json.Unmarshal(js, &py); err != nil {
		t.Fatal(err)
	}
	if len(py) != len(texts) {
		t.Fatalf("PyYAML read %d documents of %d", len(py), len(texts))
	}
	failed := 0
	for i, text := range texts {
		if d := cmp.Diff(py[i], wants[i]); d != "" {
			t.Errorf("the generator means another tree than PyYAML reads from %q (-pyyaml +generator):\n%s", text, d)
		}
		n, err := Parse("f.yaml", []byte(text))
		if err != nil {
			t.Errorf("Parse(%q): %v", text, err)
		} else if d := cmp.Diff(py[i], plain(n)); d != "" {
			t.Errorf("Parse(%q) (-pyyaml +riglet):\n%s", text, d)
		}
		if t.Failed() {
			if failed++; failed > 5 {
				t.Fatal("more failures left out")
			}
		}
	}
}

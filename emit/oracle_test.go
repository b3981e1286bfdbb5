//go:build oracle

// Oracle tests: independent YAML readers judge what emit writes. They run under
// `make check` (go test -tags oracle) and fail, never skip, when the oracle is missing.

package emit

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/riglet/riglet/ir"
)

// pyLoad reads YAML with PyYAML's SafeLoader (YAML 1.1), short-form tags as long form.
const pyLoad = `
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
json.dump(yaml.load(sys.stdin.buffer.read().decode("utf-8"), Loader=L), sys.stdout)
`

// TestPyYAMLReadsTheSame checks the tricky strings with a YAML 1.1 reader that is not
// Go: it takes "yes", "0123" or "1:20" for booleans and numbers when they are plain.
func TestPyYAMLReadsTheSame(t *testing.T) {
	if out, err := exec.Command("python3", "-c", "import yaml").CombinedOutput(); err != nil {
		t.Fatalf("this oracle test needs python3 with PyYAML (python3 -m pip install pyyaml): %v\n%s", err, out)
	}
	p := ir.Pos{}
	tmpl := ir.NewMap(p)
	vals, keys, tagged := ir.NewList(p), ir.NewMap(p), ir.NewList(p)
	for i, s := range tricky {
		vals.Items = append(vals.Items, ir.Str(s, p))
		keys.Pairs = append(keys.Pairs, ir.Pair{Key: s, Value: ir.Int(i, p)})
		tagged.Items = append(tagged.Items, ir.Fn("Fn::Sub", ir.Str(s, p), p), ir.GetAtt("R", s, p))
		tmpl.Pairs = append(tmpl.Pairs, ir.Pair{Key: fmt.Sprintf("K%d", i), Value: ir.Str(s, p)})
	}
	tmpl.Set("Values", vals)
	tmpl.Set("Keys", keys)
	tmpl.Set("Tagged", tagged)
	out := Template([]string{"header"}, tmpl)
	cmd := exec.Command("python3", "-c", pyLoad)
	cmd.Stdin = strings.NewReader(string(out))
	js, err := cmd.Output()
	if err != nil {
		t.Fatalf("PyYAML cannot read it: %v\n%s", err, out)
	}
	var got any
	if err := json.Unmarshal(js, &got); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(plainValue(tmpl), got); d != "" {
		t.Errorf("PyYAML reads (-want +got):\n%s", d)
	}
}

// plainValue is n as encoding/json would decode it.
func plainValue(n *ir.Node) any {
	switch n.Kind {
	case ir.Map:
		m := map[string]any{}
		for _, p := range n.Pairs {
			m[p.Key] = plainValue(p.Value)
		}
		return m
	case ir.List:
		l := []any{}
		for _, it := range n.Items {
			l = append(l, plainValue(it))
		}
		return l
	case ir.Number:
		f, _ := strconv.ParseFloat(n.Text, 64)
		return f
	case ir.Bool:
		return n.Text == "true"
	case ir.Null:
		return nil
	}
	return n.Text
}

// TestCfnLint checks that cfn-lint reads a template with quoted look-alikes.
func TestCfnLint(t *testing.T) {
	if _, err := exec.LookPath("cfn-lint"); err != nil {
		t.Fatal("this oracle test needs cfn-lint on PATH (python3 -m pip install cfn-lint)")
	}
	p := ir.Pos{}
	tmpl := ir.NewMap(p)
	tmpl.Set("AWSTemplateFormatVersion", ir.Str("2010-09-09", p))
	tmpl.Set("Description", ir.Str("a queue\nwith: odd 'strings'", p))
	tmpl.Set("Parameters", ir.NewMap(p))
	tmpl.Get("Parameters").Set("Flag", mapOf(p, "Type", ir.Str("String", p), "AllowedValues",
		ir.NewList(p, ir.Str("ON", p), ir.Str("OFF", p)), "Default", ir.Str("ON", p)))
	tmpl.Set("Conditions", mapOf(p, "IsOn", ir.Fn("Fn::Equals", ir.NewList(p, ir.Ref("Flag", p), ir.Str("ON", p)), p)))
	tmpl.Set("Resources", mapOf(p, "Queue", mapOf(p, "Type", ir.Str("AWS::SQS::Queue", p),
		"Condition", ir.Str("IsOn", p),
		"Properties", mapOf(p, "DelaySeconds", ir.Int(5, p), "Tags", ir.NewList(p,
			mapOf(p, "Key", ir.Str("yes", p), "Value", ir.Str("0123", p)),
			mapOf(p, "Key", ir.Str("when", p), "Value", ir.Str("2001-12-14", p)))))))
	tmpl.Set("Outputs", mapOf(p, "Arn", mapOf(p, "Condition", ir.Str("IsOn", p),
		"Value", ir.GetAtt("Queue", "Arn", p))))
	dir := t.TempDir()
	f := filepath.Join(dir, "t.yaml")
	if err := os.WriteFile(f, Template([]string{"generated"}, tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("cfn-lint", "--", f).CombinedOutput()
	if err != nil {
		t.Errorf("cfn-lint: %v\n%s", err, out)
	}
}

package diff

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/source"
)

// oracleCase is one template pair: a resource of the example riglets' output with
// one top-level property changed or removed.
type oracleCase struct {
	Name string `json:"name"`
	Old  any    `json:"old"`
	New  any    `json:"new"`
	key  string // Type Property mutation
	old  *ir.Node
	new  *ir.Node
	id   string
}

func corpus(t *testing.T) []oracleCase {
	files, _ := filepath.Glob(filepath.Join("..", "out", "*", "*", "*.yaml"))
	sort.Strings(files)
	seen := map[string]bool{}
	var out []oracleCase
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tpl, err := source.Parse(f, data)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range pairsOf(tpl.Get("Resources")) {
			ty := typeOf(r.Value)
			for _, p := range pairsOf(r.Value.Get("Properties")) {
				for _, mut := range []string{"change", "remove"} {
					key := ty + " " + p.Key + " " + mut
					if seen[key] {
						continue
					}
					nr := r.Value.Clone()
					props := nr.Get("Properties")
					if mut == "remove" {
						props.Delete(p.Key)
					} else if !changeScalar(props.Get(p.Key)) {
						continue
					}
					seen[key] = true
					c := oracleCase{Name: strconv.Itoa(len(out)), key: key, id: r.Key,
						old: single(r.Key, r.Value), new: single(r.Key, nr)}
					c.Old, c.New = toJSON(c.old), toJSON(c.new)
					out = append(out, c)
				}
			}
		}
	}
	return out
}

func single(id string, r *ir.Node) *ir.Node {
	res := ir.NewMap(ir.Pos{})
	res.Set(id, r)
	t := ir.NewMap(ir.Pos{})
	t.Set("Resources", res)
	return t
}

// changeScalar changes the first literal scalar inside n (not an intrinsic's
// argument: a Ref changed names another resource, not another value).
func changeScalar(n *ir.Node) bool {
	if n == nil {
		return false
	}
	if _, _, ok := n.Intrinsic(); ok {
		return false
	}
	switch n.Kind {
	case ir.String:
		n.Text += "-changed"
		return true
	case ir.Number:
		if i, err := strconv.Atoi(n.Text); err == nil {
			n.Text = strconv.Itoa(i + 1)
			return true
		}
		n.Text += "1"
		return true
	case ir.Bool:
		n.Text = strconv.FormatBool(n.Text != "true")
		return true
	case ir.List:
		for _, it := range n.Items {
			if changeScalar(it) {
				return true
			}
		}
	case ir.Map:
		for _, p := range n.Pairs {
			if changeScalar(p.Value) {
				return true
			}
		}
	}
	return false
}

// TestCorpusIsDeterministicBothWays runs every pair of the oracle's corpus through
// Compare, forward and backward, twice: no panic, and the same report each time.
func TestCorpusIsDeterministicBothWays(t *testing.T) {
	for _, c := range corpus(t) {
		for _, pair := range [][2]*ir.Node{{c.old, c.new}, {c.new, c.old}} {
			var out [2]bytes.Buffer
			for i := range out {
				o := &Side{Envs: []*Env{{Name: "x", Stacks: []*Stack{{Name: "s", File: "old.yaml", Data: []byte("o"), Template: pair[0]}}}}}
				n := &Side{Envs: []*Env{{Name: "x", Stacks: []*Stack{{Name: "s", File: "new.yaml", Data: []byte("n"), Template: pair[1]}}}}}
				if err := Write(&out[i], "json", &Report{Version: Version, Riglets: []*Riglet{Compare(o, n)}}); err != nil {
					t.Fatal(err)
				}
			}
			if out[0].String() != out[1].String() {
				t.Errorf("%s: two runs differ", c.key)
			}
			if !bytes.Contains(out[0].Bytes(), []byte(`"kind": "resource"`)) {
				t.Errorf("%s: no resource change", c.key)
			}
		}
	}
}

// toJSON is a template as cdk reads it: numbers as numbers, long-form intrinsics.
func toJSON(n *ir.Node) any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case ir.Map:
		m := map[string]any{}
		for _, p := range n.Pairs {
			m[p.Key] = toJSON(p.Value)
		}
		return m
	case ir.List:
		l := make([]any, len(n.Items))
		for i, it := range n.Items {
			l[i] = toJSON(it)
		}
		return l
	case ir.Number:
		return json.Number(n.Text)
	case ir.Bool:
		return n.Text == "true"
	case ir.Null:
		return nil
	}
	return n.Text
}

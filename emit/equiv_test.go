package emit

import (
	"strings"

	"github.com/riglet/riglet/ir"
	"gopkg.in/yaml.v3"
)

// yamlV3Quotes asks yaml.v3 itself, as rain uses it, whether it quotes s.
func yamlV3Quotes(s string) bool {
	b, err := yaml.Marshal(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s})
	if err != nil {
		panic(err)
	}
	return len(b) > 0 && (b[0] == '"' || b[0] == '\'')
}

// unquoteDeliberate undoes, in out, the quotes that emit adds and rain does not: for
// YAML 1.1 booleans, numbers and the like (double quotes around a plain-safe word),
// and for the empty argument of a short-form tag, which rain leaves bare (and then
// reads back as null).
func unquoteDeliberate(out string, n *ir.Node) string {
	seen := map[string]bool{}
	var walk func(n *ir.Node, tagged bool)
	walk = func(n *ir.Node, tagged bool) {
		if n == nil {
			return
		}
		if n.Kind == ir.String && ambiguous(n.Text) && (tagged || !yamlV3Quotes(n.Text)) {
			seen[n.Text] = true
		}
		for _, p := range n.Pairs {
			if ambiguous(p.Key) && !yamlV3Quotes(p.Key) {
				seen[p.Key] = true
			}
			walk(p.Value, len(n.Pairs) == 1 && tags[p.Key] != "")
		}
		for _, it := range n.Items {
			walk(it, false)
		}
	}
	walk(n, false)
	for s := range seen {
		if s == "" {
			for _, tag := range tags {
				out = strings.ReplaceAll(out, tag+` ""`+"\n", tag+"\n")
			}
			continue
		}
		out = strings.ReplaceAll(out, `"`+s+`"`, s)
	}
	return out
}

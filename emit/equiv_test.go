package emit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws-cloudformation/rain/cft/format"
	"github.com/aws-cloudformation/rain/cft/parse"
	"github.com/google/go-cmp/cmp"
	"github.com/riglet/riglet/ir"
	"gopkg.in/yaml.v3"
)

const rainTemplates = "/root/go/pkg/mod/github.com/aws-cloudformation/rain@v1.23.1/test/templates"

// TestRainEquivalence checks that Template writes what rain's format.String writes
// for rain's own test templates, except for the strings we quote on purpose.
func TestRainEquivalence(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(rainTemplates, "*.yaml"))
	if len(files) == 0 {
		t.Skip("rain's test templates are not in the module cache")
	}
	compared := 0
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			tmpl, err := parse.String(string(src))
			if err != nil || tmpl.Node == nil || len(tmpl.Node.Content) == 0 {
				t.Skipf("rain cannot parse it: %v", err)
			}
			if why := notIR(tmpl.Node); why != "" {
				t.Skipf("not representable in ir: %s", why)
			}
			stripComments(tmpl.Node)
			n := fromYAML(tmpl.Node)
			want := format.String(tmpl, format.Options{})
			got := unquoteDeliberate(string(Template(nil, n)), n)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-rain +emit):\n%s", d)
			}
			compared++
		})
	}
	if compared < 40 {
		t.Errorf("compared only %d templates", compared)
	}
}

// notIR reports what in a parsed template ir cannot hold: anchors and aliases (ir
// is a tree) and tags that are not intrinsics.
func notIR(n *yaml.Node) string {
	if n.Anchor != "" || n.Kind == yaml.AliasNode {
		return "anchor " + n.Anchor
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return "tag " + n.Tag
	}
	for _, c := range n.Content {
		if why := notIR(c); why != "" {
			return why
		}
	}
	return ""
}

// stripComments removes comments, which riglet's templates do not carry.
func stripComments(n *yaml.Node) {
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	for _, c := range n.Content {
		stripComments(c)
	}
}

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

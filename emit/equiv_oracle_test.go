//go:build oracle

package emit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws-cloudformation/rain/cft/format"
	"github.com/aws-cloudformation/rain/cft/parse"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// rainDir is where the go command keeps the rain module that go.mod requires: its
// test templates are the corpus of TestRainEquivalence.
func rainDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws-cloudformation/rain").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Fatalf("cannot find rain's module (run go mod download github.com/aws-cloudformation/rain): %v", err)
	}
	return dir
}

// TestRainEquivalence checks that Template writes what rain's format.String writes
// for rain's own test templates, except for the strings we quote on purpose.
func TestRainEquivalence(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(rainDir(t), "test", "templates", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("rain's test templates (test/templates/*.yaml in its module) are missing: run go mod download github.com/aws-cloudformation/rain")
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

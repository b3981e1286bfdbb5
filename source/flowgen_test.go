package source

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riglet/riglet/ir"
)

// flowGen writes flow collections of the shapes CloudFormation templates hold (maps and
// lists nested a few levels, keys and values with "::", ":" and ".", short-form tags
// in them) and, beside each, the tree YAML 1.2 reads from it. Every scalar it writes
// means the same in YAML 1.1 (PyYAML) and 1.2: no numbers, booleans or nulls, and no
// plain scalar starts with a colon (PyYAML takes one for a key's).
type flowGen struct {
	r *rand.Rand
	n int // keys written, so that each is new
}

// doc returns a document holding one flow collection, at the top or nested in blocks,
// and the tree it means.
func (g *flowGen) doc() (string, any) {
	text, want := g.coll(0)
	if g.r.IntN(2) == 0 {
		return "X: " + text + "\n", map[string]any{"X": want}
	}
	return "R:\n  P: " + text + "\n", map[string]any{"R": map[string]any{"P": want}}
}

// sep is a flow collection's separator: sometimes a line break, indented past the
// block keys around it.
func (g *flowGen) sep() string {
	if g.r.IntN(4) == 0 {
		return ",\n    "
	}
	return ", "
}

func (g *flowGen) coll(depth int) (string, any) {
	var b strings.Builder
	size := 1 + g.r.IntN(3)
	if g.r.IntN(2) == 0 {
		m := map[string]any{}
		b.WriteString("{")
		for i := range size {
			if i > 0 {
				b.WriteString(g.sep())
			}
			kt, k := g.key()
			vt, v := g.value(depth)
			b.WriteString(kt + ": " + vt)
			m[k] = v
		}
		b.WriteString("}")
		return b.String(), m
	}
	l := []any{}
	b.WriteString("[")
	for i := range size {
		if i > 0 {
			b.WriteString(g.sep())
		}
		vt, v := g.value(depth)
		b.WriteString(vt)
		l = append(l, v)
	}
	b.WriteString("]")
	return b.String(), l
}

func (g *flowGen) key() (string, string) {
	g.n++
	word := []string{"Key", "Fn::Length", "aws:SourceAccount", "kms:CallerAccount", "a.b", "AWS", "Ref::x"}[g.r.IntN(7)]
	k := fmt.Sprintf("%s%d", word, g.n)
	switch g.r.IntN(3) {
	case 0:
		return `"` + k + `"`, k
	case 1:
		return "'" + k + "'", k
	}
	return k, k
}

var plainValues = []string{"v", "AWS::Region", "AWS::AccountId", "iam:PassRole", "a.b", "x::y",
	"arn:aws:s3:::b/*", "http://h:80/p", "R.Arn", "a:b:c", "Name-x"}

func (g *flowGen) scalar() (string, string) {
	v := plainValues[g.r.IntN(len(plainValues))]
	switch g.r.IntN(4) {
	case 0:
		return `"` + v + `"`, v
	case 1:
		return "'" + v + "'", v
	case 2:
		v = "${AWS::StackName}-" + v // a Sub, only quoted: "{" is a flow indicator
		return `"` + v + `"`, v
	}
	return v, v
}

func (g *flowGen) value(depth int) (string, any) {
	switch g.r.IntN(5) {
	case 0, 1:
		if depth < 3 {
			return g.coll(depth + 1)
		}
	case 2:
		text, v := g.scalar()
		tag := []string{"!Ref", "!Sub", "!ImportValue", "!Condition", "!Base64"}[g.r.IntN(5)]
		return tag + " " + text, map[string]any{longTag(tag): v}
	case 3:
		if g.r.IntN(2) == 0 {
			res, attr := fmt.Sprintf("R%d", g.r.IntN(9)), []string{"Arn", "Endpoint.Address"}[g.r.IntN(2)]
			return "!GetAtt " + res + "." + attr, map[string]any{"Fn::GetAtt": []any{res, attr}}
		}
		if depth < 3 {
			tag := []string{"!Join", "!If", "!Select", "!Sub", "!GetAtt"}[g.r.IntN(5)]
			text, v := g.coll(depth + 1)
			return tag + " " + text, map[string]any{longTag(tag): v}
		}
	}
	text, v := g.scalar()
	return text, v
}

func longTag(tag string) string {
	return shortTags[tag]
}

// plain is a tree as encoding/json reads it back.
func plain(n *ir.Node) any {
	switch n.Kind {
	case ir.Map:
		m := map[string]any{}
		for _, p := range n.Pairs {
			m[p.Key] = plain(p.Value)
		}
		return m
	case ir.List:
		l := []any{}
		for _, it := range n.Items {
			l = append(l, plain(it))
		}
		return l
	case ir.Null:
		return nil
	}
	return n.Text
}

// flowDocs are the generated documents every test over them reads.
func flowDocs(n int) (texts []string, wants []any) {
	for i := range n {
		g := &flowGen{r: rand.New(rand.NewPCG(14, uint64(i)))}
		text, want := g.doc()
		texts, wants = append(texts, text), append(wants, want)
	}
	return texts, wants
}

// TestFlowCollectionsLoad: every generated flow collection reads as the tree it
// means, and every key and scalar is placed where the file has it.
func TestFlowCollectionsLoad(t *testing.T) {
	texts, wants := flowDocs(2000)
	failed := 0
	for i, text := range texts {
		n, err := Parse("f.yaml", []byte(text))
		if err != nil {
			t.Errorf("Parse(%q): %v", text, err)
		} else if d := cmp.Diff(wants[i], plain(n)); d != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", text, d)
		} else {
			checkPositions(t, text, n)
		}
		if t.Failed() {
			if failed++; failed > 5 {
				t.Fatal("more failures left out")
			}
		}
	}
}

// checkPositions checks that the file holds each key and string value at its
// position: its text, or the quote that opens it, or the tag it came from.
func checkPositions(t *testing.T, text string, n *ir.Node) {
	t.Helper()
	lines := strings.Split(text, "\n")
	at := func(p ir.Pos, want string) {
		t.Helper()
		if p.Line < 1 || int(p.Line) > len(lines) || p.Col < 1 || int(p.Col) > len(lines[p.Line-1]) {
			t.Errorf("%q: %q at %s, outside the file", text, want, p)
			return
		}
		rest := lines[p.Line-1][p.Col-1:]
		if !strings.HasPrefix(rest, want) && !strings.HasPrefix(rest, `"`+want) && !strings.HasPrefix(rest, "'"+want) {
			t.Errorf("%q: %q at %s, where the file has %q", text, want, p, rest)
		}
	}
	var walk func(n *ir.Node)
	walk = func(n *ir.Node) {
		switch n.Kind {
		case ir.String:
			at(n.Pos, n.Text)
		case ir.List:
			for _, it := range n.Items {
				walk(it)
			}
		case ir.Map:
			if len(n.Pairs) == 1 && strings.HasPrefix(lines[n.Pos.Line-1][n.Pos.Col-1:], "!") {
				// a short-form tag: the map is placed at the tag, its argument after it
				p := n.Pairs[0]
				if l := p.Value; p.Key == "Fn::GetAtt" && l.Kind == ir.List && len(l.Items) == 2 && l.Items[0].Pos == l.Items[1].Pos {
					at(l.Pos, l.Items[0].Text+"."+l.Items[1].Text) // !GetAtt R.Arn, split
					return
				}
				walk(p.Value)
				return
			}
			for _, p := range n.Pairs {
				at(p.KeyPos, p.Key)
				walk(p.Value)
			}
		}
	}
	walk(n)
}

package emit

import (
	"strings"
	"testing"

	"github.com/aws-cloudformation/rain/cft/format"
	"github.com/aws-cloudformation/rain/cft/parse"
	"github.com/google/go-cmp/cmp"
	"github.com/riglet/riglet/ir"
	"gopkg.in/yaml.v3"
)

// FuzzRoundTrip builds a tree from the input and checks that rain's parser reads back
// what was written. When the tree holds nothing written differently from rain on
// purpose, it also checks that rain fmt leaves the output as it is, i.e. that the
// layout is rain's.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("\x08\x05\x00\x01\x02\x08\x03\x07\x02\x09\x04\x00"))
	f.Add([]byte("\x08\x03\x09\x01\x00\x81\x05abc\nd\x07\x03\x01\x02\x03"))
	f.Add([]byte("\x08\x04\x00\x08\x02\x09\x09\x02\x07\x02\x00\x05\x00\x06\x80\x07 x\n y:\x04"))
	f.Add([]byte{8, 5, 0, 8, 3, 0, 8, 3, 0, 7, 3, 0, 7, 0, 0, 9, 12, 0, 200, 7, 3, 1, 4, 6})
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &gen{data: data}
		n := g.template()
		g.differs = g.differs || tagDiffers(n, 0) || trailingBlanks(n)
		out, err := roundTrip(n)
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		// rain's format.String takes milliseconds per line (a regexp per line): on the
		// largest generated trees it outlasts the fuzzer's deadline, so only smaller
		// outputs are compared with it; every output is still round-tripped above.
		if g.differs || len(out) > 4096 {
			return
		}
		tmpl, err := parse.String(out)
		if err != nil {
			t.Fatal(err)
		}
		want := format.String(tmpl, format.Options{})
		if d := cmp.Diff(want, unquoteDeliberate(out, n)); d != "" {
			t.Errorf("rain fmt changes the output (-rain +emit):\n%s", d)
		}
	})
}

// gen makes a tree out of fuzz input.
type gen struct {
	data []byte
	i    int
	// differs is set when the tree holds something written differently from rain on
	// purpose (or where rain's layout would change the value): then only the round
	// trip is checked.
	differs bool
}

func (g *gen) next() int {
	if g.i >= len(g.data) {
		return 0
	}
	g.i++
	return int(g.data[g.i-1])
}

var (
	sectionKeys = []string{"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules",
		"Mappings", "Conditions", "Transform", "Globals", "Resources", "Outputs"}
	innerKeys = []string{"Type", "Properties", "DependsOn", "Metadata", "Condition", "DeletionPolicy",
		"Description", "Value", "Export", "Default", "AllowedValues", "Name", "Parameters", "Ref", "Fn::Sub"}
	fnKeys = []string{"Ref", "Condition", "Fn::If", "Fn::Sub", "Fn::Join", "Fn::GetAtt", "Fn::Base64",
		"Fn::Select", "Fn::Equals", "Fn::GetAZs", "Fn::Length", "Fn::ToJsonString", "Rain::Embed", "Fn::Not"}
	numbers = []string{"0", "1", "-5", "3.14", "1e3", "10", "0.5", "-0.25", "100000000000"}
)

func (g *gen) str() string {
	var s string
	if b := g.next(); b < 160 {
		s = tricky[b%len(tricky)]
	} else {
		n := g.next() % 24
		start := g.i
		g.i = min(g.i+n, len(g.data))
		s = strings.ToValidUTF8(string(g.data[start:g.i]), "\uFFFD")
	}
	g.check(s)
	return s
}

func (g *gen) key(keys []string) string {
	if b := g.next(); b < 128 {
		return keys[b%len(keys)]
	}
	s := g.str()
	if b, err := yaml.Marshal(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}, {Kind: yaml.ScalarNode, Value: "x"}}}); err != nil ||
		firstStyle(b) != styleChar(chooseStyle(s, true)) && !(len(s) > 128 && b[0] == '?') ||
		strings.ContainsAny(s, "\r\u0085\u2028\u2029") {
		g.differs = true
	}
	return s
}

// check sets differs for strings that rain writes differently, or whose value rain's
// line-based post-processing changes or takes for a block header.
func (g *gen) check(s string) {
	b, err := yaml.Marshal(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s})
	switch {
	case err != nil, firstStyle(b) != styleChar(chooseStyle(s, false)):
		g.differs = true
	case strings.HasPrefix(s, "\ufeff"):
		g.differs = true // yaml.v3 then escapes every character
	case strings.Contains(s, "\n") && needsIndicator(s):
		g.differs = true // rain misses the |2 header and adds blank lines inside the block
	case strings.HasSuffix(s, "|") || strings.HasSuffix(s, ">") || strings.HasSuffix(s, "-") || strings.HasSuffix(s, "+"):
		g.differs = true // rain takes a line ending so for a block header
	}
}

func firstStyle(b []byte) byte {
	switch b[0] {
	case '"', '\'', '|':
		return b[0]
	}
	return 0
}

func styleChar(s style) byte {
	return [...]byte{plain: 0, single: '\'', double: '"', literal: '|'}[s]
}

func (g *gen) template() *ir.Node {
	m := ir.NewMap(ir.Pos{})
	for n := g.next()%6 + 1; n > 0; n-- {
		k := g.key(sectionKeys)
		if m.Get(k) != nil {
			continue
		}
		m.Pairs = append(m.Pairs, ir.Pair{Key: k, Value: g.node(1)})
	}
	return m
}

func (g *gen) node(depth int) *ir.Node {
	op := g.next() % 10
	if depth > 5 && op >= 7 {
		op = 0
	}
	switch op {
	case 4:
		s := numbers[g.next()%len(numbers)]
		if strings.HasPrefix(s, "0.") || strings.HasPrefix(s, "-0.") {
			g.differs = true // rain reads it back as a string and quotes it
		}
		return &ir.Node{Kind: ir.Number, Text: s}
	case 5:
		return ir.Boolean(g.next()%2 == 0, ir.Pos{})
	case 6:
		return &ir.Node{Kind: ir.Null, Text: "null"}
	case 7:
		l := ir.NewList(ir.Pos{})
		l.Items = []*ir.Node{}
		for n := g.next() % 4; n > 0; n-- {
			l.Items = append(l.Items, g.node(depth+1))
		}
		return l
	case 8:
		m := ir.NewMap(ir.Pos{})
		for n := g.next() % 4; n > 0; n-- {
			k := g.key(innerKeys)
			if m.Get(k) != nil {
				continue
			}
			m.Pairs = append(m.Pairs, ir.Pair{Key: k, Value: g.node(depth + 1)})
		}
		return m
	case 9:
		k := fnKeys[g.next()%len(fnKeys)]
		if k == "Fn::GetAtt" {
			return ir.GetAtt(g.str(), g.str(), ir.Pos{})
		}
		return ir.Fn(k, g.node(depth+1), ir.Pos{})
	}
	return ir.Str(g.str(), ir.Pos{})
}

// tagDiffers reports short-form intrinsics that rain writes differently on purpose.
func tagDiffers(n *ir.Node, depth int) bool {
	if n == nil {
		return false
	}
	if n.Kind == ir.Map && len(n.Pairs) == 1 && tags[n.Pairs[0].Key] != "" && n.Pairs[0].Value != nil {
		name, arg := n.Pairs[0].Key, n.Pairs[0].Value
		switch {
		case arg.Kind == ir.String && ambiguous(arg.Text):
			return true // rain never quotes under a tag
		case arg.Kind == ir.Null:
			return true // rain writes the bare tag
		case arg.Kind == ir.Map && depth <= 2:
			return true // rain's ordering rebuilds such maps without their tag
		case name == "Fn::GetAtt" && arg.Kind == ir.List && len(arg.Items) == 2 && arg.Items[0].Kind == ir.String &&
			arg.Items[1].Kind == ir.String &&
			(strings.Contains(arg.Items[0].Text, ".") || ambiguous(arg.Items[0].Text+"."+arg.Items[1].Text)):
			return true // rain joins it anyway (and reads it back split elsewhere), or does not quote it
		}
	}
	for _, it := range n.Items {
		if tagDiffers(it, depth+1) {
			return true
		}
	}
	for _, p := range n.Pairs {
		if tagDiffers(p.Value, depth+1) {
			return true
		}
	}
	return false
}

// trailingBlanks reports a multi-line string with a line ending in a space or tab:
// rain's post-processing trims those lines inside literal blocks, changing the value,
// so only the round trip (which keeps them) is checked for it. A two-part GetAtt is
// one such string as written (Res.Attr): "a\nb" and "c\t" make the line "b.c\t".
func trailingBlanks(n *ir.Node) bool {
	blankEnded := func(s string) bool {
		if !strings.Contains(s, "\n") {
			return false
		}
		for _, line := range strings.Split(s, "\n") {
			if strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") {
				return true
			}
		}
		return false
	}
	found := false
	ir.Walk(n, func(m *ir.Node) bool {
		if m.Kind == ir.String && blankEnded(m.Text) {
			found = true
		}
		if fn, arg, ok := m.Intrinsic(); ok && fn == "Fn::GetAtt" && arg.Kind == ir.List && len(arg.Items) == 2 &&
			arg.Items[0].Kind == ir.String && arg.Items[1].Kind == ir.String && blankEnded(arg.Items[0].Text+"."+arg.Items[1].Text) {
			found = true
		}
		return !found
	})
	return found
}

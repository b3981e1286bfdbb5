package eval

import (
	"slices"
	"strings"

	"github.com/riglet/riglet/ir"
)

// Fn::ForEach (AWS::LanguageExtensions), in values and in the keys of sections.

// forEach expands one Fn::ForEach::Name entry into the pairs it produces, evaluated.
func (e *Evaluator) forEach(p ir.Pair) []ir.Pair {
	var out []ir.Pair
	for _, q := range e.forEachRaw(p) {
		if v := e.Eval(q.Value); v != Removed {
			out = append(out, ir.Pair{Key: q.Key, KeyPos: q.KeyPos, Value: v})
		}
	}
	return out
}

// isListForEach reports a list item that is a Fn::ForEach: riglet's one extension of
// it (CloudFormation's makes map keys only), so that a block can turn a collection into
// list items (a container's Secrets from a map parameter).
func isListForEach(n *ir.Node) bool {
	return n.Kind == ir.Map && len(n.Pairs) == 1 && strings.HasPrefix(n.Pairs[0].Key, "Fn::ForEach::")
}

// spliceForEach appends the values a Fn::ForEach list item produces, in the
// collection's order, each only when the list does not hold it already: a list is most
// often a set (the Resource of a policy statement, where two entries may share an ARN),
// and an item that must repeat can be written outside the loop.
func (e *Evaluator) spliceForEach(items []*ir.Node, p ir.Pair) []*ir.Node {
	for _, q := range e.forEach(p) {
		if !slices.ContainsFunc(items, func(it *ir.Node) bool { return ir.Equal(it, q.Value) }) {
			items = append(items, q.Value)
		}
	}
	return items
}

// substIdent replaces ${id} with v and &{id} with v stripped to letters and digits.
func substIdent(s, id, v string) string {
	s = strings.ReplaceAll(s, "${"+id+"}", v)
	if strings.Contains(s, "&{"+id+"}") {
		var b strings.Builder
		for _, c := range v {
			if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
				b.WriteRune(c)
			}
		}
		s = strings.ReplaceAll(s, "&{"+id+"}", b.String())
	}
	return s
}

func isEmptyString(n *ir.Node) bool { return n.Kind == ir.String && n.Text == "" }

func HasForEach(n *ir.Node) bool {
	for _, p := range n.Pairs {
		if strings.HasPrefix(p.Key, "Fn::ForEach::") {
			return true
		}
	}
	return false
}

// expandKeys expands Fn::ForEach entries of a section map without evaluating the
// other entries' values (they are evaluated in their turn, with identifiers
// substituted into them).
func (e *Evaluator) ExpandKeys(n *ir.Node) *ir.Node {
	// room for the pairs as they are (what a map without Fn::ForEach keeps), in one
	// allocation rather than append's doublings
	out := ir.NewMapCap(n.Pos, len(n.Pairs))
	for _, p := range n.Pairs {
		if !strings.HasPrefix(p.Key, "Fn::ForEach::") {
			out.Pairs = append(out.Pairs, p)
			continue
		}
		for _, q := range e.forEachRaw(p) {
			if out.Get(q.Key) != nil {
				e.errf(q.KeyPos, "Fn::ForEach produces the key %s twice", q.Key)
				continue
			}
			out.Pairs = append(out.Pairs, q)
		}
	}
	return out
}

// forEachRaw expands a Fn::ForEach entry by substituting the identifier into keys and
// into Ref/Fn::Sub of the values, without evaluating anything else.
func (e *Evaluator) forEachRaw(p ir.Pair) []ir.Pair {
	a := p.Value
	if a.Kind != ir.List || len(a.Items) != 3 || a.Items[0].Kind != ir.String || a.Items[2].Kind != ir.Map {
		e.errf(p.KeyPos, "%s takes [Identifier, Collection, {OutputKey: OutputValue}]", p.Key)
		return nil
	}
	id := a.Items[0].Text
	coll := e.Eval(a.Items[1])
	if coll.Kind == ir.String && coll.Text != "" {
		coll = SplitList(coll.Text, ",", coll.Pos)
	}
	if coll.Kind != ir.List || !IsLiteral(coll) {
		e.errf(a.Items[1].Pos, "the collection of %s must be known at compile time", p.Key)
		return nil
	}
	var out []ir.Pair
	for _, item := range coll.Items {
		if !item.IsScalar() {
			e.errf(item.Pos, "the collection of %s must hold strings", p.Key)
			return nil
		}
		e.produced += len(a.Items[2].Pairs)
		if e.produced > maxForEach {
			e.errf(p.KeyPos, "Fn::ForEach produces more than %d entries", maxForEach)
			return nil
		}
		for _, q := range a.Items[2].Pairs {
			key := substIdent(q.Key, id, item.Text)
			v := bindIdent(q.Value, id, item.Text)
			if strings.HasPrefix(key, "Fn::ForEach::") {
				out = append(out, e.forEachRaw(ir.Pair{Key: key, KeyPos: q.KeyPos, Value: v})...)
				continue
			}
			out = append(out, ir.Pair{Key: key, KeyPos: q.KeyPos, Value: v})
		}
	}
	return out
}

// bindIdent returns n with Ref id replaced by value and ${id} / &{id} substituted in
// strings (which covers Fn::Sub templates, keys and nested ForEach).
func bindIdent(n *ir.Node, id, value string) *ir.Node {
	switch n.Kind {
	case ir.String:
		if strings.Contains(n.Text, "{"+id+"}") {
			return ir.Str(substIdent(n.Text, id, value), n.Pos)
		}
		return n
	case ir.List:
		out := &ir.Node{Kind: ir.List, Pos: n.Pos, Items: make([]*ir.Node, len(n.Items))}
		for i, it := range n.Items {
			out.Items[i] = bindIdent(it, id, value)
		}
		return out
	case ir.Map:
		if fn, a, ok := n.Intrinsic(); ok && fn == "Ref" && a.Kind == ir.String && a.Text == id {
			return ir.Str(value, n.Pos)
		}
		out := &ir.Node{Kind: ir.Map, Pos: n.Pos, Pairs: make([]ir.Pair, len(n.Pairs))}
		for i, p := range n.Pairs {
			out.Pairs[i] = ir.Pair{Key: substIdent(p.Key, id, value), KeyPos: p.KeyPos, Value: bindIdent(p.Value, id, value)}
		}
		return out
	}
	return n
}

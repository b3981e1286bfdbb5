package emit

import (
	"github.com/riglet/riglet/ir"
	"gopkg.in/yaml.v3"
)

// fromYAML converts a yaml.v3 tree, as rain's parser leaves it (intrinsics in long
// form), into an ir tree. Scalars take the kind yaml.v3 resolved for them.
func fromYAML(n *yaml.Node) *ir.Node {
	for n.Kind == yaml.DocumentNode || n.Kind == yaml.AliasNode {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else {
			if len(n.Content) == 0 {
				return &ir.Node{Kind: ir.Null, Text: "null"}
			}
			n = n.Content[0]
		}
	}
	pos := ir.Pos{File: ir.FileOf("test.yaml"), Line: int32(n.Line), Col: int32(n.Column)}
	switch n.Kind {
	case yaml.MappingNode:
		m := ir.NewMap(pos)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			m.Pairs = append(m.Pairs, ir.Pair{Key: k.Value, KeyPos: ir.Pos{File: ir.FileOf("test.yaml"), Line: int32(k.Line), Col: int32(k.Column)}, Value: fromYAML(n.Content[i+1])})
		}
		return m
	case yaml.SequenceNode:
		l := ir.NewList(pos)
		l.Items = []*ir.Node{}
		for _, c := range n.Content {
			l.Items = append(l.Items, fromYAML(c))
		}
		return l
	}
	k := ir.String
	switch n.ShortTag() {
	case "!!int", "!!float":
		k = ir.Number
	case "!!bool":
		k = ir.Bool
	case "!!null":
		k = ir.Null
	}
	return &ir.Node{Kind: k, Text: n.Value, Pos: pos}
}

// mapOf builds a map from key, value pairs.
func mapOf(p ir.Pos, kv ...any) *ir.Node {
	m := ir.NewMap(p)
	for i := 0; i < len(kv); i += 2 {
		m.Set(kv[i].(string), kv[i+1].(*ir.Node))
	}
	return m
}

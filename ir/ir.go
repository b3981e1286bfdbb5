// Package ir is riglet's one intermediate representation: an ordered value tree in
// which every node remembers the source position it came from. Loading produces it,
// every compiler pass rewrites it, the emitter writes it, and the linter reads it.
package ir

import (
	"strconv"
	"strings"
)

// Pos is a position in a source file. Paths are slash-separated and relative to the
// directory riglet runs in (built-in blocks use the same "blocks/<name>/block.yaml" form).
type Pos struct {
	// The file is an index into riglet's table of file names: a Pos sits in every
	// node and pair, and a large compile makes millions of them, so that 12 bytes
	// (not 24 with a string) keep a Node at 80 bytes and a Pair at 40, and leave the
	// collector one pointer fewer in each to follow.
	File File
	Line int32 // 1-based; 0 means unknown
	Col  int32 // 1-based; 0 means unknown
}

// String renders file:line:col, file:line, file or "-".
func (p Pos) String() string {
	switch {
	case p.File == 0 && p.Line == 0:
		return "-"
	case p.Line == 0:
		return p.File.String()
	case p.Col == 0:
		return p.File.String() + ":" + strconv.Itoa(int(p.Line))
	}
	return p.File.String() + ":" + strconv.Itoa(int(p.Line)) + ":" + strconv.Itoa(int(p.Col))
}

// IsValid reports whether the position names a place.
func (p Pos) IsValid() bool { return p.File != 0 || p.Line > 0 }

// Before orders positions by file name, line, column.
func (p Pos) Before(q Pos) bool {
	if p.File != q.File {
		return p.File.String() < q.File.String()
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// Kind is the kind of a Node.
type Kind uint8

const (
	Null Kind = iota
	Bool
	Number
	String
	List
	Map
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case List:
		return "list"
	case Map:
		return "map"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Node is one value. Scalars keep their text: a Number keeps the digits as written
// ("3000", "0.5"), a Bool is "true" or "false", a String is the string itself, so that
// nothing is re-interpreted on the way through. Intrinsic functions are always in
// long form: a Map with one pair whose key is "Ref", "Condition" or "Fn::..."
// (the loader turns short-form tags into that).
type Node struct {
	Text  string
	Items []*Node // List
	Pairs []Pair  // Map, in source order
	Pos   Pos
	Kind  Kind // last, in the padding after Pos: 80 bytes, a size class of its own
}

// Pair is one key and value of a Map.
type Pair struct {
	Key    string
	KeyPos Pos
	Value  *Node
}

// Str returns a String node.
func Str(s string, p Pos) *Node { return &Node{Kind: String, Text: s, Pos: p} }

// Num returns a Number node for an integer.
func Int(n int, p Pos) *Node { return &Node{Kind: Number, Text: strconv.Itoa(n), Pos: p} }

// Boolean returns a Bool node.
func Boolean(b bool, p Pos) *Node { return &Node{Kind: Bool, Text: strconv.FormatBool(b), Pos: p} }

// NewList returns a List node of the items (copied: the list does not share the
// caller's slice).
func NewList(p Pos, items ...*Node) *Node {
	n := NewListCap(p, len(items))
	n.Items = append(n.Items, items...)
	return n
}

// NewListCap returns an empty List node with room for n items.
func NewListCap(p Pos, n int) *Node {
	l := withItems(n)
	l.Kind, l.Pos = List, p
	return l
}

// NewMap returns an empty Map node.
func NewMap(p Pos) *Node { return &Node{Kind: Map, Pos: p} }

// NewMapCap returns an empty Map node with room for n pairs.
func NewMapCap(p Pos, n int) *Node {
	m := withPairs(n)
	m.Kind, m.Pos = Map, p
	return m
}

// Fn returns the intrinsic {name: arg}.
func Fn(name string, arg *Node, p Pos) *Node {
	m := withPairs(1)
	m.Kind, m.Pos = Map, p
	m.Pairs = append(m.Pairs, Pair{Key: name, KeyPos: p, Value: arg})
	return m
}

// withPairs and withItems return a zero Node whose Pairs or Items has room for n,
// for a few in the same allocation as the node: trees are mostly small maps and
// lists (an intrinsic is a map of one pair), and one allocation for two halves the
// allocator's work for them. Growing past n moves the slice out as append does.
func withPairs(n int) *Node {
	m, room := withRoom[Pair](n)
	m.Pairs = room
	return m
}

func withItems(n int) *Node {
	l, room := withRoom[*Node](n)
	l.Items = room
	return l
}

// withRoom returns a zero Node and an empty slice with room for n Ts, allocated
// together for n up to 4; nil for n 0.
func withRoom[T any](n int) (*Node, []T) {
	switch n {
	case 0:
		return &Node{}, nil
	case 1:
		b := new(struct {
			n Node
			a [1]T
		})
		return &b.n, b.a[:0]
	case 2:
		b := new(struct {
			n Node
			a [2]T
		})
		return &b.n, b.a[:0]
	case 3:
		b := new(struct {
			n Node
			a [3]T
		})
		return &b.n, b.a[:0]
	case 4:
		b := new(struct {
			n Node
			a [4]T
		})
		return &b.n, b.a[:0]
	}
	return &Node{}, make([]T, 0, n)
}

// Ref returns {Ref: name}.
func Ref(name string, p Pos) *Node { return Fn("Ref", Str(name, p), p) }

// GetAtt returns {Fn::GetAtt: [res, attr]}.
func GetAtt(res, attr string, p Pos) *Node {
	return Fn("Fn::GetAtt", NewList(p, Str(res, p), Str(attr, p)), p)
}

// Get returns the value of key in a Map, or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Map {
		return nil
	}
	for i := range n.Pairs {
		if n.Pairs[i].Key == key {
			return n.Pairs[i].Value
		}
	}
	return nil
}

// Pair returns the pair of key in a Map, or nil.
func (n *Node) Pair(key string) *Pair {
	if n == nil || n.Kind != Map {
		return nil
	}
	for i := range n.Pairs {
		if n.Pairs[i].Key == key {
			return &n.Pairs[i]
		}
	}
	return nil
}

// Set replaces the value of key, or appends the pair.
func (n *Node) Set(key string, v *Node) {
	for i := range n.Pairs {
		if n.Pairs[i].Key == key {
			n.Pairs[i].Value = v
			return
		}
	}
	p := v.Pos
	n.Pairs = append(n.Pairs, Pair{Key: key, KeyPos: p, Value: v})
}

// Delete removes key from a Map.
func (n *Node) Delete(key string) {
	for i := range n.Pairs {
		if n.Pairs[i].Key == key {
			n.Pairs = append(n.Pairs[:i], n.Pairs[i+1:]...)
			return
		}
	}
}

// Keys returns the keys of a Map in order.
func (n *Node) Keys() []string {
	if n == nil || n.Kind != Map {
		return nil
	}
	ks := make([]string, len(n.Pairs))
	for i := range n.Pairs {
		ks[i] = n.Pairs[i].Key
	}
	return ks
}

// IsScalar reports whether n is a String, Number, Bool or Null.
func (n *Node) IsScalar() bool { return n != nil && n.Kind != List && n.Kind != Map }

// Intrinsic returns the function name and argument when n is an intrinsic function
// call ({"Ref": x}, {"Condition": x} or {"Fn::...": x}).
func (n *Node) Intrinsic() (string, *Node, bool) {
	if n == nil || n.Kind != Map || len(n.Pairs) != 1 {
		return "", nil, false
	}
	k := n.Pairs[0].Key
	if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") || strings.HasPrefix(k, "Riglet::") {
		return k, n.Pairs[0].Value, true
	}
	return "", nil, false
}

// Clone returns a deep copy of n.
func (n *Node) Clone() *Node {
	if n == nil {
		return nil
	}
	var c *Node
	if n.Pairs == nil {
		c = withItems(len(n.Items))
	} else {
		c = withPairs(len(n.Pairs))
	}
	if n.Items != nil {
		if c.Items == nil { // empty, or beside pairs: keep a list a list
			c.Items = make([]*Node, 0, len(n.Items))
		}
		for _, it := range n.Items {
			c.Items = append(c.Items, it.Clone())
		}
	}
	if n.Pairs != nil {
		if c.Pairs == nil {
			c.Pairs = []Pair{}
		}
		for _, p := range n.Pairs {
			c.Pairs = append(c.Pairs, Pair{Key: p.Key, KeyPos: p.KeyPos, Value: p.Value.Clone()})
		}
	}
	c.Kind, c.Text, c.Pos = n.Kind, n.Text, n.Pos
	return c
}

// Equal reports whether a and b hold the same value, ignoring positions.
func Equal(a, b *Node) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind || a.Text != b.Text || len(a.Items) != len(b.Items) || len(a.Pairs) != len(b.Pairs) {
		return false
	}
	for i := range a.Items {
		if !Equal(a.Items[i], b.Items[i]) {
			return false
		}
	}
	for i := range a.Pairs {
		if a.Pairs[i].Key != b.Pairs[i].Key || !Equal(a.Pairs[i].Value, b.Pairs[i].Value) {
			return false
		}
	}
	return true
}

// Walk calls fn for n and every node below it, depth first, stopping descent where fn
// returns false.
func Walk(n *Node, fn func(*Node) bool) {
	if n == nil || !fn(n) {
		return
	}
	for _, it := range n.Items {
		Walk(it, fn)
	}
	for _, p := range n.Pairs {
		Walk(p.Value, fn)
	}
}

// SubVars returns the variable names of a Fn::Sub template ("Queue.Arn",
// "AWS::Region"), leaving out ${!Literal} escapes and empty ${}.
func SubVars(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return out
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return out
		}
		v := strings.TrimSpace(s[i+2 : i+j])
		s = s[i+j+1:]
		if strings.HasPrefix(v, "!") || v == "" {
			continue
		}
		out = append(out, v)
	}
}

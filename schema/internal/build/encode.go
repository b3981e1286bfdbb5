package build

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/riglet/riglet/schema/internal/format"
)

// node is a shape after de-duplication: children are node ids.
type node struct {
	kind     byte
	item     int
	names    []string // property names, sorted
	props    []int    // node of each name
	required []string
	enum     []string
	enumFold bool
	minLen   int
	maxLen   int
	min, max string
	choices  []choice
	alts     []int
}

func (n *node) children() []int {
	out := append([]int(nil), n.props...)
	out = append(out, n.alts...)
	if n.kind == format.KindList || n.kind == format.KindMap {
		out = append(out, n.item)
	}
	return out
}

// key identifies a node by content, for sharing identical shapes across types.
func (n *node) key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d|%d|%q|%v|%q|%q|%v|%d|%d|%q|%q|%v|%v", n.kind, n.item, n.names, n.props, n.required, n.enum, n.enumFold, n.minLen, n.maxLen, n.min, n.max, n.choices, n.alts)
	return b.String()
}

// encoder shares identical shapes. Shapes on a cycle are kept apart (their content
// key would depend on their own id); everything else is looked up by content once
// its children have ids, which Tarjan's algorithm guarantees by finishing strongly
// connected components children first.
type encoder struct {
	ids     map[*shape]int
	nodes   []*node
	byKey   map[string]int
	index   map[*shape]int
	low     map[*shape]int
	onStack map[*shape]bool
	stack   []*shape
	counter int
}

func shapeChildren(s *shape) []*shape {
	var out []*shape
	for _, n := range sortedKeys(s.props) {
		out = append(out, s.props[n])
	}
	out = append(out, s.alts...)
	if s.kind == format.KindList || s.kind == format.KindMap {
		out = append(out, s.item)
	}
	return out
}

func (e *encoder) visit(v *shape) {
	e.index[v] = e.counter
	e.low[v] = e.counter
	e.counter++
	e.stack = append(e.stack, v)
	e.onStack[v] = true
	selfLoop := false
	for _, w := range shapeChildren(v) {
		if w == v {
			selfLoop = true
		}
		if _, seen := e.index[w]; !seen {
			e.visit(w)
			e.low[v] = min(e.low[v], e.low[w])
		} else if e.onStack[w] {
			e.low[v] = min(e.low[v], e.index[w])
		}
	}
	if e.low[v] != e.index[v] {
		return
	}
	var scc []*shape
	for {
		w := e.stack[len(e.stack)-1]
		e.stack = e.stack[:len(e.stack)-1]
		e.onStack[w] = false
		scc = append(scc, w)
		if w == v {
			break
		}
	}
	if len(scc) == 1 && !selfLoop {
		n := e.makeNode(v)
		k := n.key()
		id, ok := e.byKey[k]
		if !ok {
			id = len(e.nodes)
			e.nodes = append(e.nodes, n)
			e.byKey[k] = id
		}
		e.ids[v] = id
		return
	}
	// Ids first, so that members can refer to each other.
	for i := len(scc) - 1; i >= 0; i-- {
		e.ids[scc[i]] = len(e.nodes)
		e.nodes = append(e.nodes, nil)
	}
	for _, w := range scc {
		e.nodes[e.ids[w]] = e.makeNode(w)
	}
}

func (e *encoder) makeNode(s *shape) *node {
	n := &node{kind: s.kind, required: s.required, enum: s.enum, enumFold: s.enumFold,
		minLen: s.minLen, maxLen: s.maxLen, min: s.min, max: s.max, choices: s.choices}
	for _, name := range sortedKeys(s.props) {
		n.names = append(n.names, name)
		n.props = append(n.props, e.ids[s.props[name]])
	}
	for _, a := range s.alts {
		n.alts = append(n.alts, e.ids[a])
	}
	if s.kind == format.KindList || s.kind == format.KindMap {
		n.item = e.ids[s.item]
	}
	return n
}

func encode(rs []*resource) ([]byte, error) {
	e := &encoder{
		ids: map[*shape]int{}, byKey: map[string]int{},
		index: map[*shape]int{}, low: map[*shape]int{}, onStack: map[*shape]bool{},
	}
	for _, r := range rs {
		if _, seen := e.index[r.root]; !seen {
			e.visit(r.root)
		}
	}

	// Renumber so that the most referred-to nodes get the smallest varints.
	refs := make([]int, len(e.nodes))
	for _, n := range e.nodes {
		for _, c := range n.children() {
			refs[c]++
		}
	}
	for _, r := range rs {
		refs[e.ids[r.root]]++
	}
	order := make([]int, len(e.nodes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return refs[order[i]] > refs[order[j]] })
	newID := make([]int, len(e.nodes))
	for i, old := range order {
		newID[old] = i
	}

	// Strings, most used first for the same reason.
	count := map[string]int{}
	for _, n := range e.nodes {
		for _, l := range [][]string{n.names, n.required, n.enum} {
			for _, s := range l {
				count[s]++
			}
		}
		for _, c := range n.choices {
			for _, s := range c.names {
				count[s]++
			}
		}
		for _, s := range []string{n.min, n.max} {
			if s != "" {
				count[s]++
			}
		}
	}
	for _, r := range rs {
		count[r.typeName]++
		for _, l := range r.lists {
			for _, s := range l {
				count[s]++
			}
		}
	}
	strs := sortedKeys(count)
	sort.SliceStable(strs, func(i, j int) bool { return count[strs[i]] > count[strs[j]] })

	out := make([]byte, format.HeaderSize)
	strOff := make(map[string]int, len(strs))
	for _, s := range strs {
		strOff[s] = len(out)
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	strList := func(l []string) {
		out = binary.AppendUvarint(out, uint64(len(l)))
		for _, s := range l {
			out = binary.AppendUvarint(out, uint64(strOff[s]))
		}
	}
	nodeOff := make([]int, len(e.nodes))
	for _, old := range order {
		n := e.nodes[old]
		nodeOff[newID[old]] = len(out)
		out = append(out, n.kind)
		switch n.kind {
		case format.KindString, format.KindInteger, format.KindNumber:
			strList(n.enum)
			out = append(out, boolByte(n.enumFold))
			if n.kind == format.KindString {
				out = binary.AppendUvarint(out, uint64(n.minLen))
				out = binary.AppendUvarint(out, uint64(n.maxLen))
			} else {
				for _, b := range []string{n.min, n.max} {
					if b == "" {
						out = binary.AppendUvarint(out, 0)
					} else {
						out = binary.AppendUvarint(out, uint64(strOff[b])+1)
					}
				}
			}
		case format.KindList, format.KindMap:
			out = binary.AppendUvarint(out, uint64(newID[n.item]))
		case format.KindObject:
			out = binary.AppendUvarint(out, uint64(len(n.names)))
			for i, name := range n.names {
				out = binary.AppendUvarint(out, uint64(strOff[name]))
				out = binary.AppendUvarint(out, uint64(newID[n.props[i]]))
			}
			strList(n.required)
			out = binary.AppendUvarint(out, uint64(len(n.choices)))
			for _, c := range n.choices {
				out = append(out, boolByte(c.one))
				strList(c.names)
			}
		case format.KindUnion:
			out = binary.AppendUvarint(out, uint64(len(n.alts)))
			for _, a := range n.alts {
				out = binary.AppendUvarint(out, uint64(newID[a]))
			}
		}
	}
	recOff := make([]int, len(rs))
	for i, r := range rs {
		recOff[i] = len(out)
		out = binary.AppendUvarint(out, uint64(newID[e.ids[r.root]]))
		for _, l := range r.lists {
			strList(l)
		}
	}
	nodeTab := len(out)
	for _, off := range nodeOff {
		out = binary.LittleEndian.AppendUint32(out, uint32(off))
	}
	typeTab := len(out)
	for i, r := range rs {
		out = binary.LittleEndian.AppendUint32(out, uint32(strOff[r.typeName]))
		out = binary.LittleEndian.AppendUint32(out, uint32(recOff[i]))
	}
	if len(out) > math.MaxUint32 {
		return nil, fmt.Errorf("schema data too large: %d bytes", len(out))
	}
	h := out[:0:format.HeaderSize]
	h = append(h, format.Magic...)
	h = binary.LittleEndian.AppendUint32(h, uint32(len(rs)))
	h = binary.LittleEndian.AppendUint32(h, uint32(typeTab))
	h = binary.LittleEndian.AppendUint32(h, uint32(len(e.nodes)))
	binary.LittleEndian.AppendUint32(h, uint32(nodeTab))
	return out, nil
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

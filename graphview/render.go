// Package graphview draws what a compiled riglet is, for reviewers and docs: its stacks in
// deploy order with the imports between them, its network plan, and its listener rules in
// the order an ALB evaluates them. Each view is built once as a small graph (nodes, nested
// clusters, edges) and written as Mermaid (which GitHub renders in markdown) or as DOT
// (Graphviz), so the two formats never disagree about what is shown.
package graphview

import (
	"fmt"
	"io"
	"strings"
)

// Format is an output language.
type Format string

const (
	Mermaid Format = "mermaid"
	DOT     Format = "dot"
)

// style says how a node or an edge is drawn; the renderers map it to their own syntax.
type style uint8

const (
	plain    style = iota
	retired        // kept in the lock, not deployed: dashed and grey
	shared         // deployed once for every env
	external       // not part of the riglet
	note           // a remark, not a resource
)

type node struct {
	id    string
	lines []string // the label, one line each
	style style
}

type cluster struct {
	id       string
	label    string
	nodes    []*node
	clusters []*cluster
}

type edge struct {
	from, to string
	label    string
	dashed   bool
}

// graph is one view: clusters (which may nest) and free nodes, then the edges.
type graph struct {
	direction string // TB or LR
	root      cluster
	edges     []edge
	next      int
}

func newGraph(direction string) *graph { return &graph{direction: direction} }

// node adds a node to c (the graph's root when c is nil). Node IDs are given in creation
// order, so the same compile draws the same bytes.
func (g *graph) node(c *cluster, st style, lines ...string) *node {
	if c == nil {
		c = &g.root
	}
	g.next++
	n := &node{id: fmt.Sprintf("n%d", g.next), lines: lines, style: st}
	c.nodes = append(c.nodes, n)
	return n
}

func (g *graph) cluster(parent *cluster, label string) *cluster {
	if parent == nil {
		parent = &g.root
	}
	g.next++
	c := &cluster{id: fmt.Sprintf("c%d", g.next), label: label}
	parent.clusters = append(parent.clusters, c)
	return c
}

func (g *graph) edge(from, to *node, label string, dashed bool) {
	g.edges = append(g.edges, edge{from: from.id, to: to.id, label: label, dashed: dashed})
}

func (g *graph) write(w io.Writer, f Format) error {
	var b strings.Builder
	switch f {
	case Mermaid:
		g.mermaid(&b)
	case DOT:
		g.dot(&b)
	default:
		return fmt.Errorf("unknown graph format %q (mermaid or dot)", f)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mermaidText makes a label safe inside a quoted Mermaid label: quotes and the
// characters Mermaid reads as markup become entity codes, lines join with <br/>.
func mermaidText(lines ...string) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteString("<br/>")
		}
		for _, r := range l {
			switch r {
			case '"':
				b.WriteString("#quot;")
			case '#':
				b.WriteString("#35;")
			case '<':
				b.WriteString("#lt;")
			case '>':
				b.WriteString("#gt;")
			case '&':
				b.WriteString("#amp;")
			case '`':
				b.WriteString("#96;")
			case '\n', '\r':
				b.WriteString(" ")
			default:
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

var mermaidShape = map[style][2]string{
	plain:    {"[", "]"},
	retired:  {"[", "]"},
	shared:   {"[[", "]]"},
	external: {"([", "])"},
	note:     {">", "]"},
}

func (g *graph) mermaid(b *strings.Builder) {
	fmt.Fprintf(b, "flowchart %s\n", g.direction)
	var walk func(c *cluster, indent string)
	walk = func(c *cluster, indent string) {
		for _, n := range c.nodes {
			sh := mermaidShape[n.style]
			fmt.Fprintf(b, "%s%s%s\"%s\"%s\n", indent, n.id, sh[0], mermaidText(n.lines...), sh[1])
		}
		for _, s := range c.clusters {
			fmt.Fprintf(b, "%ssubgraph %s[\"%s\"]\n", indent, s.id, mermaidText(s.label))
			walk(s, indent+"  ")
			fmt.Fprintf(b, "%send\n", indent)
		}
	}
	walk(&g.root, "  ")
	for _, e := range g.edges {
		arrow := "-->"
		if e.dashed {
			arrow = "-.->"
		}
		if e.label != "" {
			fmt.Fprintf(b, "  %s %s|\"%s\"| %s\n", e.from, arrow, mermaidText(e.label), e.to)
		} else {
			fmt.Fprintf(b, "  %s %s %s\n", e.from, arrow, e.to)
		}
	}
	// Styles by class, declared once, so a reader of the source sees why a node is grey.
	classes := map[style][]string{}
	var collect func(c *cluster)
	collect = func(c *cluster) {
		for _, n := range c.nodes {
			if n.style != plain {
				classes[n.style] = append(classes[n.style], n.id)
			}
		}
		for _, s := range c.clusters {
			collect(s)
		}
	}
	collect(&g.root)
	for _, st := range []style{retired, shared, external, note} {
		ids := classes[st]
		if len(ids) == 0 {
			continue
		}
		name, def := mermaidClass(st)
		fmt.Fprintf(b, "  classDef %s %s\n", name, def)
		fmt.Fprintf(b, "  class %s %s\n", strings.Join(ids, ","), name)
	}
}

func mermaidClass(st style) (string, string) {
	switch st {
	case retired:
		return "retired", "stroke-dasharray: 5 5,color:#666,fill:#eee"
	case shared:
		return "shared", "fill:#e8f0fe"
	case external:
		return "external", "stroke-dasharray: 3 3,fill:#fff8e1"
	default:
		return "note", "fill:#fffde7"
	}
}

// dotText quotes a DOT string: backslashes and quotes escaped, lines joined with \n.
func dotText(lines ...string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, l := range lines {
		if i > 0 {
			b.WriteString(`\n`)
		}
		for _, r := range l {
			switch r {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteRune(r)
			case '\n', '\r':
				b.WriteString(" ")
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

var dotStyle = map[style]string{
	plain:    `shape=box`,
	retired:  `shape=box, style="dashed", fontcolor="#666666"`,
	shared:   `shape=box, style="filled", fillcolor="#e8f0fe"`,
	external: `shape=ellipse, style="dashed"`,
	note:     `shape=note`,
}

func (g *graph) dot(b *strings.Builder) {
	rank := "TB"
	if g.direction == "LR" {
		rank = "LR"
	}
	fmt.Fprintf(b, "digraph riglet {\n  rankdir=%s;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n", rank)
	var walk func(c *cluster, indent string)
	walk = func(c *cluster, indent string) {
		for _, n := range c.nodes {
			fmt.Fprintf(b, "%s%s [label=%s, %s];\n", indent, n.id, dotText(n.lines...), dotStyle[n.style])
		}
		for _, s := range c.clusters {
			// Graphviz draws a subgraph as a box only when its name starts with "cluster".
			fmt.Fprintf(b, "%ssubgraph cluster_%s {\n%s  label=%s;\n", indent, s.id, indent, dotText(s.label))
			walk(s, indent+"  ")
			fmt.Fprintf(b, "%s}\n", indent)
		}
	}
	walk(&g.root, "  ")
	for _, e := range g.edges {
		var attrs []string
		if e.label != "" {
			attrs = append(attrs, "label="+dotText(e.label))
		}
		if e.dashed {
			attrs = append(attrs, `style="dashed"`)
		}
		if len(attrs) > 0 {
			fmt.Fprintf(b, "  %s -> %s [%s];\n", e.from, e.to, strings.Join(attrs, ", "))
		} else {
			fmt.Fprintf(b, "  %s -> %s;\n", e.from, e.to)
		}
	}
	b.WriteString("}\n")
}

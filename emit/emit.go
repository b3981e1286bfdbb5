// Package emit writes CloudFormation templates as YAML in rain's layout (rain's
// canonical key order, short-form tags, 2-space indentation, blank lines between
// sections and between their entries), in one pass and without rain's cost, and
// quotes every string that some YAML 1.1 or 1.2 reader would take for something else.
package emit

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/riglet/riglet/ir"
)

// Template writes the template n (a Map) in rain's layout, preceded by header lines
// (each written as "# " + line; none when header is empty), ending in one newline.
//
// The header is followed directly by the template, without a blank line: rain fmt
// keeps a comment that touches the first key and drops one separated from it, so this
// form survives a reviewer running rain fmt on the output.
func Template(header []string, n *ir.Node) []byte {
	return AppendTemplate(make([]byte, 0, 16<<10), header, n)
}

// AppendTemplate is Template appending to dst (for reuse of buffers).
func AppendTemplate(dst []byte, header []string, n *ir.Node) []byte {
	b, _ := appendTemplate(dst, header, n, false)
	return b
}

// Index says on which line of an emitted template each resource and output key was
// written (1-based), so that a finding or a diff can point at the generated line
// without reading the template back.
type Index struct {
	Resources map[string]int
	Outputs   map[string]int
}

// TemplateIndexed is Template, also returning where it wrote each resource and output.
func TemplateIndexed(header []string, n *ir.Node) ([]byte, *Index) {
	return appendTemplate(make([]byte, 0, 16<<10), header, n, true)
}

// AppendTemplateIndexed is TemplateIndexed appending to dst (for reuse of buffers).
func AppendTemplateIndexed(dst []byte, header []string, n *ir.Node) ([]byte, *Index) {
	return appendTemplate(dst, header, n, true)
}

func appendTemplate(dst []byte, header []string, n *ir.Node, index bool) ([]byte, *Index) {
	start := len(dst)
	for _, h := range header {
		dst = append(dst, "# "...)
		dst = append(dst, h...)
		dst = append(dst, '\n')
	}
	w := writer{b: dst, layout: true, first: true}
	if index {
		w.marks = map[string][]mark{}
	}
	w.root(n, &templateOrder)
	out := append(w.b, '\n')
	if !index {
		return out, nil
	}
	// The writer noted byte offsets; one pass over the bytes turns them into lines.
	idx := &Index{Resources: map[string]int{}, Outputs: map[string]int{}}
	for section, ms := range w.marks {
		into := idx.Resources
		if section == "Outputs" {
			into = idx.Outputs
		}
		line, at := 1, start
		for _, m := range ms { // in offset order: they were written in order
			line += bytes.Count(out[at:m.offset], []byte{'\n'})
			at = m.offset
			into[m.key] = line
		}
	}
	return out, idx
}

// mark is a key written at a byte offset.
type mark struct {
	key    string
	offset int
}

// Value writes any node in the same style (used for messages and docs), no trailing
// newline. It keeps map order and adds no blank lines: those belong to templates.
func Value(n *ir.Node) string {
	w := writer{b: make([]byte, 0, 64), first: true}
	w.root(n, nil)
	return string(w.b)
}

type writer struct {
	b []byte
	// layout turns on rain's blank lines: one before a line indented by 0 or 2 when
	// the line above is indented as much or more, unless the line above is a comment
	// (rain takes a literal line starting with # for one).
	layout      bool
	first       bool // nothing written yet on this template
	lastIndent  int
	lastComment bool
	// marks, when indexing, collects the offsets of the keys of Resources and Outputs.
	marks   map[string][]mark
	section string // the top-level key being written
}

// line starts a new line indented by indent.
func (w *writer) line(indent int) {
	if w.first {
		w.first = false
	} else {
		w.b = append(w.b, '\n')
		if w.layout && (indent == 0 || indent == 2) && indent <= w.lastIndent && !w.lastComment {
			w.b = append(w.b, '\n')
		}
	}
	w.b = appendSpaces(w.b, indent)
	w.lastIndent, w.lastComment = indent, false
}

// ordering is rain's canonical order (rain cft/format/sort.go): the keys of a map
// listed in props come first, in that order, and the others follow in input order.
// children gives the ordering of the value under a key ("*" for any key).
type ordering struct {
	props    []string
	children map[string]*ordering
}

var (
	anyOrder = func(props ...string) *ordering {
		return &ordering{children: map[string]*ordering{"*": {props: props}}}
	}
	templateOrder = ordering{
		props: []string{"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules",
			"Mappings", "Conditions", "Transform", "Globals", "Resources", "Outputs"},
		children: map[string]*ordering{
			"Transform":  anyOrder("Name", "Parameters"),
			"Metadata":   anyOrder("Description"),
			"Parameters": anyOrder("Description", "Type", "AllowedValues", "Default"),
			"Resources": anyOrder("CreationPolicy", "DeletionPolicy", "UpdatePolicy",
				"UpdateReplacePolicy", "Type", "DependsOn", "Metadata", "Properties"),
			"Outputs": anyOrder("Description", "Value", "Export"),
		},
	}
)

func (o *ordering) child(key string) *ordering {
	if o == nil {
		return nil
	}
	if c := o.children[key]; c != nil {
		return c
	}
	return o.children["*"]
}

// tags maps the intrinsics that rain writes in short form (rain cft.Tags) to their tag.
var tags = map[string]string{
	"Ref": "!Ref", "Condition": "!Condition",
	"Fn::And": "!And", "Fn::Base64": "!Base64", "Fn::Cidr": "!Cidr", "Fn::Equals": "!Equals",
	"Fn::FindInMap": "!FindInMap", "Fn::GetAZs": "!GetAZs", "Fn::GetAtt": "!GetAtt",
	"Fn::If": "!If", "Fn::ImportValue": "!ImportValue", "Fn::Join": "!Join", "Fn::Not": "!Not",
	"Fn::Or": "!Or", "Fn::Select": "!Select", "Fn::Split": "!Split", "Fn::Sub": "!Sub",
	"Fn::Invoke": "!Invoke", "Fn::InsertFile": "!InsertFile", "Fn::Merge": "!Merge",
	"Rain::Embed": "!Rain::Embed", "Rain::Include": "!Rain::Include", "Rain::Env": "!Rain::Env",
	"Rain::S3Http": "!Rain::S3Http", "Rain::S3": "!Rain::S3", "Rain::Module": "!Rain::Module",
	"Rain::Constant": "!Rain::Constant",
}

// item is a node as it is written: a short-form tag (or none) and the node under it.
// joined is the "Res.Attr" form of a GetAtt.
type item struct {
	tag    string
	n      *ir.Node // for a joined GetAtt, the list of its two parts
	isJoin bool
}

// unwrap turns a one-key intrinsic map into its tag and argument, as rain does. The
// argument itself is never unwrapped again (rain leaves `!Base64 {Fn::Sub: x}` with the
// inner call in long form), which the caller ensures by using unwrap only on the
// children of what it writes.
func unwrap(n *ir.Node) item {
	if n == nil || n.Kind != ir.Map || len(n.Pairs) != 1 {
		return item{n: n}
	}
	p := &n.Pairs[0]
	tag, ok := tags[p.Key]
	if !ok {
		return item{n: n}
	}
	v := p.Value
	// A two-part GetAtt of strings is written Res.Attr; rain's reader splits at the
	// first dot, so only when the resource name has none.
	if tag == "!GetAtt" && v != nil && v.Kind == ir.List && len(v.Items) == 2 {
		a, b := v.Items[0], v.Items[1]
		if a != nil && b != nil && a.Kind == ir.String && b.Kind == ir.String && strings.IndexByte(a.Text, '.') < 0 {
			return item{tag: tag, n: v, isJoin: true}
		}
	}
	return item{tag: tag, n: v}
}

// root writes a node at the top of a document.
func (w *writer) root(n *ir.Node, ord *ordering) {
	it := unwrap(n)
	w.line(0)
	if it.tag != "" {
		w.b = append(w.b, it.tag...)
	}
	switch {
	case it.isJoin || isScalar(it.n):
		if it.tag != "" {
			w.b = append(w.b, ' ')
		}
		w.scalar(it, 2, true)
	case isEmpty(it.n):
		if it.tag != "" {
			w.b = append(w.b, ' ')
		}
		w.empty(it.n)
	case it.n.Kind == ir.Map:
		w.mapping(it.n, 0, it.tag == "", ord)
	default:
		w.list(it.n, 0, it.tag == "")
	}
}

func isScalar(n *ir.Node) bool { return n == nil || (n.Kind != ir.List && n.Kind != ir.Map) }

func isEmpty(n *ir.Node) bool {
	return n.Kind == ir.Map && len(n.Pairs) == 0 || n.Kind == ir.List && len(n.Items) == 0
}

func (w *writer) empty(n *ir.Node) {
	if n.Kind == ir.Map {
		w.b = append(w.b, "{}"...)
	} else {
		w.b = append(w.b, "[]"...)
	}
}

// mapping writes the pairs of a non-empty map with keys at indent. When inline, the
// first key goes where the cursor is (after "- ", "? " or ": "), which is at indent.
func (w *writer) mapping(n *ir.Node, indent int, inline bool, ord *ordering) {
	if ord != nil && len(ord.props) > 0 {
		w.orderedMapping(n, indent, inline, ord)
		return
	}
	for i := range n.Pairs {
		w.pair(&n.Pairs[i], indent, inline && i == 0, ord.child(n.Pairs[i].Key))
	}
}

// orderedMapping writes the pairs listed in ord.props first. It does not allocate:
// the maps it orders are small, so it scans them once per listed key.
func (w *writer) orderedMapping(n *ir.Node, indent int, inline bool, ord *ordering) {
	first := true
	listed := func(k string) bool {
		for _, p := range ord.props {
			if p == k {
				return true
			}
		}
		return false
	}
	for _, prop := range ord.props {
		for i := range n.Pairs {
			if n.Pairs[i].Key == prop {
				w.pair(&n.Pairs[i], indent, inline && first, ord.child(prop))
				first = false
				break
			}
		}
	}
	for i := range n.Pairs {
		p := &n.Pairs[i]
		if !listed(p.Key) {
			w.pair(p, indent, inline && first, ord.child(p.Key))
			first = false
		}
	}
}

func (w *writer) pair(p *ir.Pair, indent int, inline bool, ord *ordering) {
	if !inline {
		w.line(indent)
	}
	if w.marks != nil {
		switch {
		case indent == 0:
			w.section = p.Key
		case indent == 2 && (w.section == "Resources" || w.section == "Outputs"):
			w.marks[w.section] = append(w.marks[w.section], mark{p.Key, len(w.b)})
		}
	}
	if len(p.Key) > 128 || !simplePlain(p.Key) {
		w.otherPair(p, indent, ord)
		return
	}
	w.simpleKey(p.Key)
	w.value(unwrap(p.Value), indent, ord)
}

// otherPair writes a pair whose key needs the full analysis. Like yaml.v3, it writes
// keys over 128 bytes or with line breaks as complex keys ("? key" then ": value").
func (w *writer) otherPair(p *ir.Pair, indent int, ord *ordering) {
	key := validUTF8(p.Key)
	if len(key) > 128 || strings.IndexByte(key, '\n') >= 0 {
		// yaml.v3 writes long and multi-line keys as complex keys.
		w.b = append(w.b, '?')
		w.afterIndicator(item{n: &ir.Node{Kind: ir.String, Text: key}}, indent, nil)
		w.line(indent)
		w.b = append(w.b, ':')
		w.afterIndicator(unwrap(p.Value), indent, ord)
		return
	}
	w.b = appendScalar(w.b, key, chooseStyle(key, true), 0)
	w.b = append(w.b, ':')
	w.value(unwrap(p.Value), indent, ord)
}

// simpleKey writes a key that simplePlain accepts, and the colon.
func (w *writer) simpleKey(k string) {
	if ambiguous(k) {
		w.b = appendDouble(w.b, k)
	} else {
		w.b = append(w.b, k...)
	}
	w.b = append(w.b, ':')
}

// value writes the value of a pair after "key:".
func (w *writer) value(it item, indent int, ord *ordering) {
	if it.tag != "" {
		w.b = append(w.b, ' ')
		w.b = append(w.b, it.tag...)
	}
	switch {
	case it.isJoin || isScalar(it.n):
		w.b = append(w.b, ' ')
		w.scalar(it, indent+2, false)
	case isEmpty(it.n):
		w.b = append(w.b, ' ')
		w.empty(it.n)
	case it.n.Kind == ir.Map:
		w.mapping(it.n, indent+2, false, ord)
	default:
		w.list(it.n, indent+2, false)
	}
}

// list writes the items of a non-empty list with dashes at indent.
func (w *writer) list(n *ir.Node, indent int, inline bool) {
	for i, v := range n.Items {
		if !inline || i > 0 {
			w.line(indent)
		}
		w.b = append(w.b, '-')
		w.afterIndicator(unwrap(v), indent, nil)
	}
}

// afterIndicator writes a node after "-", "?" or ":" at column indent: collections
// without a tag start on the same line, indented by 2 more.
func (w *writer) afterIndicator(it item, indent int, ord *ordering) {
	w.b = append(w.b, ' ')
	if it.tag != "" {
		w.b = append(w.b, it.tag...)
	}
	switch {
	case it.isJoin || isScalar(it.n):
		if it.tag != "" {
			w.b = append(w.b, ' ')
		}
		w.scalar(it, indent+2, false)
	case isEmpty(it.n):
		if it.tag != "" {
			w.b = append(w.b, ' ')
		}
		w.empty(it.n)
	case it.n.Kind == ir.Map:
		w.mapping(it.n, indent+2, it.tag == "", ord)
	default:
		w.list(it.n, indent+2, it.tag == "")
	}
}

// scalar writes a scalar whose literal block lines, if any, are indented by indent.
func (w *writer) scalar(it item, indent int, root bool) {
	n := it.n
	var text string
	switch {
	case it.isJoin:
		a, b := n.Items[0].Text, n.Items[1].Text
		// Logical IDs are letters and digits: most joins need no look at the whole.
		if simplePlain(a) && simplePlain(b) && isLetter(a[0]) && (!ynotf(a[0]) || len(a)+1+len(b) > 5) {
			w.b = append(append(append(w.b, a...), '.'), b...)
			return
		}
		text = a + "." + b
	case n == nil || n.Kind == ir.Null:
		w.b = append(w.b, "null"...)
		return
	case n.Kind != ir.String && n.Text != "" && analyze(n.Text).plainOK:
		// Numbers and booleans are written as they came; text that would not read
		// back as a scalar at all is quoted rather than allowed to break the document.
		w.b = append(w.b, n.Text...)
		return
	default:
		text = n.Text
	}
	if simplePlain(text) {
		if ambiguous(text) {
			w.b = appendDouble(w.b, text)
		} else {
			w.b = append(w.b, text...)
		}
		return
	}
	s := validUTF8(text)
	st := chooseStyle(s, false)
	if st == literal && root && needsIndicator(s) {
		st = double // an indentation indicator at the top level means another indent
	}
	w.b = appendScalar(w.b, s, st, indent)
	if st == literal {
		w.literalTail(s, indent)
	}
}

// literalTail records the last line of a literal block for rain's blank-line rule,
// which counts the block's lines like any other.
func (w *writer) literalTail(s string, indent int) {
	if s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	last := s[strings.LastIndexByte(s, '\n')+1:]
	if last == "" {
		w.lastIndent, w.lastComment = 0, false
		return
	}
	t := strings.TrimLeft(last, " ")
	w.lastIndent = indent + len(last) - len(t)
	w.lastComment = strings.HasPrefix(t, "#")
}

// validUTF8 replaces invalid bytes, which YAML cannot carry, with U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// ynotf reports the first letters of YAML booleans and nulls, the words ambiguous
// looks at.
func ynotf(c byte) bool {
	switch c {
	case 'y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O':
		return true
	}
	return false
}

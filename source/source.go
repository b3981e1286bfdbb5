// Package source reads riglet's YAML sources (env files, riglet specs, blocks) into ir
// trees with goccy/go-yaml, keeping the position of every node. CloudFormation's
// short-form tags become long-form intrinsics here, once, so that no later pass sees tags.
package source

import (
	"bytes"
	"errors"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/riglet/riglet/ir"
)

// Limits that keep hostile input (alias bombs, deep nesting) from exhausting memory.
const (
	MaxNodes = 1 << 20
	MaxDepth = 256
)

// shortTags maps CloudFormation's short-form tags, and riglet's !Output, to the
// long-form key.
var shortTags = map[string]string{
	"!Ref":              "Ref",
	"!Condition":        "Condition",
	"!Base64":           "Fn::Base64",
	"!Cidr":             "Fn::Cidr",
	"!FindInMap":        "Fn::FindInMap",
	"!GetAtt":           "Fn::GetAtt",
	"!GetAZs":           "Fn::GetAZs",
	"!ImportValue":      "Fn::ImportValue",
	"!Join":             "Fn::Join",
	"!Select":           "Fn::Select",
	"!Split":            "Fn::Split",
	"!Sub":              "Fn::Sub",
	"!Transform":        "Fn::Transform",
	"!And":              "Fn::And",
	"!Equals":           "Fn::Equals",
	"!If":               "Fn::If",
	"!Not":              "Fn::Not",
	"!Or":               "Fn::Or",
	"!Contains":         "Fn::Contains",
	"!EachMemberEquals": "Fn::EachMemberEquals",
	"!EachMemberIn":     "Fn::EachMemberIn",
	"!RefAll":           "Fn::RefAll",
	"!ValueOf":          "Fn::ValueOf",
	"!ValueOfAll":       "Fn::ValueOfAll",
	"!Length":           "Fn::Length",
	"!ToJsonString":     "Fn::ToJsonString",
	"!ForEach":          "Fn::ForEach",
	"!Output":           OutputFn,
}

// ShortTags lists the short-form tags riglet reads, sorted: what an editor must be
// told are tags (yaml.customTags), not errors.
func ShortTags() []string {
	out := make([]string, 0, len(shortTags))
	for t := range shortTags {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// OutputFn is the long form of riglet's !Output tag: the output of another instance.
const OutputFn = "Riglet::Output"

// Parse reads one YAML document. file is the path shown in positions.
func Parse(file string, data []byte) (*ir.Node, error) {
	filled, sc, fixes, err := prepare(file, data)
	if err != nil {
		return nil, err
	}
	if len(filled) >= splitMin {
		if root, ok := parseSplit(file, filled, &sc, fixes, runtime.GOMAXPROCS(0)); ok {
			return root, nil
		}
	}
	return parseWhole(file, filled, &sc, fixes)
}

// prepare refuses what goccy must not be given, and returns the text it gets: data
// with the plain colons of flow collections hidden and bare tags filled, what the
// pre-scan found, and how to map goccy's columns back to data's.
func prepare(file string, data []byte) ([]byte, scan, []colFix, error) {
	if len(data) > MaxFileSize {
		return nil, scan{}, nil, ir.Errors{ir.Errorf(ir.CodeYAML, ir.Pos{File: ir.FileOf(file), Line: 1, Col: 1},
			"the file is %d bytes; riglet reads at most %d (8 MiB) per source file", len(data), MaxFileSize)}
	}
	data = normalise(data)
	sc := prescan(file, data)
	if sc.tooMany.Line != 0 {
		return nil, scan{}, nil, ir.Errors{ir.Errorf(ir.CodeYAML, sc.tooMany, "document holds more than %d values", MaxNodes)}
	}
	if sc.tooDeep.Line != 0 {
		return nil, scan{}, nil, ir.Errors{ir.Errorf(ir.CodeYAML, sc.tooDeep, "values nested more than %d deep", MaxDepth)}
	}
	if i := bytes.IndexByte(data, plainColon); i >= 0 {
		// YAML forbids the control character, and the text goccy reads uses it
		line := int32(bytes.Count(data[:i], []byte("\n")) + 1)
		col := int32(i - bytes.LastIndexByte(data[:i], '\n'))
		return nil, scan{}, nil, ir.Errors{ir.Errorf(ir.CodeYAML, ir.Pos{File: ir.FileOf(file), Line: line, Col: col},
			"yaml: the control character U+0001 may not appear in a YAML file")}
	}
	text := data
	if sc.hidden != nil {
		text = sc.hidden
	}
	filled, fixes := fillBare(text, sc.tags)
	return filled, sc, fixes, nil
}

// parseWhole parses the text goccy gets (filled) in one piece.
func parseWhole(file string, filled []byte, sc *scan, fixes []colFix) (*ir.Node, error) {
	f, err := parser.ParseBytes(filled, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		if sc.open.Line != 0 {
			// goccy reports an unclosed bracket or quote where it gave up, lines later
			// and in its own words; the opening is where the mistake is.
			return nil, ir.Errors{ir.Errorf(ir.CodeYAML, sc.open, "yaml: %s", sc.openWhat)}
		}
		return nil, syntaxError(file, err, fixes)
	}
	c := &converter{file: ir.FileOf(file), anchors: map[string]ast.Node{}, fixes: fixes}
	root, _ := c.document(f)
	if root == nil && len(c.errs) == 0 {
		root = &ir.Node{Kind: ir.Null, Pos: ir.Pos{File: ir.FileOf(file), Line: 1, Col: 1}}
	}
	if err := c.errs.Err(); err != nil {
		return nil, err
	}
	return root, nil
}

// document converts the one document of f, and says how many f has (a second is a
// problem, reported at its start).
func (c *converter) document(f *ast.File) (*ir.Node, int) {
	var root *ir.Node
	docs := 0
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		docs++
		if docs > 1 {
			c.errs.AddCode(ir.CodeYAML, c.startPos(d.Body), "more than one YAML document in the file")
			break
		}
		root = c.node(d.Body, 0)
	}
	return root, docs
}

func syntaxError(file string, err error, fixes []colFix) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		p := ir.Pos{File: ir.FileOf(file)}
		if t := ye.GetToken(); t != nil && t.Position != nil {
			p.Line, p.Col = int32(t.Position.Line), int32(t.Position.Column)
			p = unfix(p, fixes)
		}
		e := ir.Errorf(ir.CodeYAML, p, "yaml: %s", showPlainColons(lowerFirst(ye.GetMessage())))
		return ir.Errors{e}
	}
	e := ir.Errorf(ir.CodeYAML, ir.Pos{File: ir.FileOf(file)}, "yaml: %s", showPlainColons(err.Error()))
	return ir.Errors{e}
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	if len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z' { // an acronym: leave it
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

type converter struct {
	file    ir.File
	anchors map[string]ast.Node
	count   int
	errs    ir.Errors
	// ownerCol is the column of the key or list item whose value is being read: a
	// value that starts on a later line must be indented further to belong to it.
	ownerCol int32
	// ownerKey: the owner is a key (not a "- "), whose value may be a block list
	// at the key's own column
	ownerKey bool
	blown    bool
	fixes    []colFix // goccy's columns to the file's (fillBare)
}

func (c *converter) pos(t *token.Token) ir.Pos {
	if t == nil || t.Position == nil {
		return ir.Pos{File: c.file}
	}
	return unfix(ir.Pos{File: c.file, Line: int32(t.Position.Line), Col: int32(t.Position.Column)}, c.fixes)
}

func (c *converter) budget(n ast.Node) bool {
	c.count++
	if c.count > MaxNodes {
		if !c.blown {
			c.blown = true
			c.errs.AddCode(ir.CodeYAML, c.pos(n.GetToken()), "document expands to more than %d values (aliases that multiply?)", MaxNodes)
		}
		return false
	}
	return true
}

func (c *converter) node(n ast.Node, depth int) *ir.Node {
	if n == nil {
		return &ir.Node{Kind: ir.Null, Pos: ir.Pos{File: c.file}}
	}
	p := c.pos(n.GetToken())
	if depth > MaxDepth {
		if !c.blown {
			c.blown = true
			c.errs.AddCode(ir.CodeYAML, p, "values nested more than %d deep", MaxDepth)
		}
		return &ir.Node{Kind: ir.Null, Pos: p}
	}
	if !c.budget(n) {
		return &ir.Node{Kind: ir.Null, Pos: p}
	}
	switch v := n.(type) {
	case *ast.NullNode:
		return &ir.Node{Kind: ir.Null, Pos: p}
	case *ast.BoolNode:
		return &ir.Node{Kind: ir.Bool, Text: strconv.FormatBool(v.Value), Pos: p}
	case *ast.IntegerNode:
		return &ir.Node{Kind: ir.Number, Text: v.Token.Value, Pos: p}
	case *ast.FloatNode:
		return &ir.Node{Kind: ir.Number, Text: v.Token.Value, Pos: p}
	case *ast.InfinityNode, *ast.NanNode:
		return &ir.Node{Kind: ir.String, Text: n.GetToken().Value, Pos: p}
	case *ast.StringNode:
		return &ir.Node{Kind: ir.String, Text: stringValue(v), Pos: p}
	case *ast.LiteralNode:
		return &ir.Node{Kind: ir.String, Text: v.Value.Value, Pos: p}
	case *ast.MappingNode:
		m := &ir.Node{Kind: ir.Map, Pos: p}
		if len(v.Values) > 0 {
			m.Pos = c.pos(v.Values[0].Key.GetToken())
		}
		seen := map[string]seenKey{}
		for _, mv := range v.Values {
			c.pair(m, mv, seen, depth)
		}
		return m
	case *ast.MappingValueNode:
		m := &ir.Node{Kind: ir.Map, Pos: c.pos(v.Key.GetToken())}
		c.pair(m, v, map[string]seenKey{}, depth)
		return m
	case *ast.SequenceNode:
		l := &ir.Node{Kind: ir.List, Pos: p, Items: make([]*ir.Node, 0, len(v.Values))}
		saved, savedKey := c.ownerCol, c.ownerKey
		for _, it := range v.Values {
			if !v.IsFlowStyle {
				c.ownerCol, c.ownerKey = c.pos(it.GetToken()).Col-2, false // the "- " before the item
			}
			l.Items = append(l.Items, c.node(it, depth+1))
		}
		c.ownerCol, c.ownerKey = saved, savedKey
		return l
	case *ast.AnchorNode:
		if name := anchorName(v); name != "" {
			c.anchors[name] = v.Value
		}
		return c.node(v.Value, depth+1)
	case *ast.AliasNode:
		name := ""
		if v.Value != nil {
			name = showPlainColons(v.Value.GetToken().Value)
		}
		target, ok := c.anchors[name]
		if !ok {
			c.errs.AddCode(ir.CodeYAML, p, "unknown alias *%s", name)
			return &ir.Node{Kind: ir.Null, Pos: p}
		}
		return c.node(target, depth+1)
	case *ast.TagNode:
		return c.tag(v, p, depth)
	case *ast.CommentGroupNode, *ast.CommentNode:
		return &ir.Node{Kind: ir.Null, Pos: p}
	case *ast.DocumentNode:
		return c.node(v.Body, depth+1)
	}
	c.errs.AddCode(ir.CodeYAML, p, "unsupported YAML node %s", n.Type())
	return &ir.Node{Kind: ir.Null, Pos: p}
}

func anchorName(a *ast.AnchorNode) string {
	if a.Name == nil {
		return ""
	}
	return showPlainColons(a.Name.GetToken().Value)
}

// seenKey is a key a map already has: where, and whether a merge key brought it (a
// key written in the map then overrides it, as YAML 1.1 merge keys mean).
type seenKey struct {
	pos    ir.Pos
	merged bool
	index  int // in the map's Pairs
}

func (c *converter) pair(m *ir.Node, mv *ast.MappingValueNode, seen map[string]seenKey, depth int) {
	kp := c.pos(mv.Key.GetToken())
	if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
		c.merge(m, c.node(mv.Value, depth+1), seen, kp)
		return
	}
	var keyNode ast.Node = mv.Key
	if k, ok := keyNode.(*ast.MappingKeyNode); ok { // "? !Ref x"
		keyNode = k.Value
	}
	t, tagged := keyNode.(*ast.TagNode)
	if tagged && (t.Start.Value == "!" || t.Start.Value == "!!str") {
		// "! "Ref": x" and "!!str Ref: x": tags that only say the key is a string
		if k, ok := t.Value.(ast.MapKeyNode); ok {
			keyNode, tagged = k, false
		}
	}
	if tagged {
		// "[!ImportValue Fn::Sub: x]" is, in YAML, a list of one map whose key is the
		// tagged string Fn::Sub: no CloudFormation function, and not what was meant.
		arg := ""
		if t.Value != nil && t.Value.GetToken() != nil {
			arg = showPlainColons(t.Value.GetToken().Value)
		}
		c.errs.AddCode(ir.CodeYAML, kp, "the key %s %s carries a tag, which CloudFormation cannot read; in a [...] or {...} collection give a function map its own braces: %s {%s: ...}", t.Start.Value, arg, t.Start.Value, arg)
		return
	}
	kn, ok := keyNode.(ast.MapKeyNode)
	key := ""
	if ok {
		key, ok = c.key(kn)
	}
	if !ok {
		c.errs.AddCode(ir.CodeYAML, kp, "a map key must be a scalar")
		return
	}
	first, dup := seen[key]
	if dup && !first.merged {
		c.errs.Add(&ir.Error{Code: ir.CodeDuplicateKey, Pos: kp, Msg: "duplicate key " + ir.Quote(key),
			Related: []ir.Related{{Pos: first.pos, Msg: "first defined here"}}})
		return
	}
	saved, savedKey := c.ownerCol, c.ownerKey
	c.ownerCol, c.ownerKey = kp.Col, true
	v := c.node(mv.Value, depth+1)
	c.ownerCol, c.ownerKey = saved, savedKey
	if dup {
		m.Pairs[first.index] = ir.Pair{Key: key, KeyPos: kp, Value: v}
		seen[key] = seenKey{pos: kp, index: first.index}
		return
	}
	seen[key] = seenKey{pos: kp, index: len(m.Pairs)}
	m.Pairs = append(m.Pairs, ir.Pair{Key: key, KeyPos: kp, Value: v})
}

// merge applies a YAML merge key: pairs the map does not already have are added, and
// a key written in the map after the merge key replaces the merged one.
func (c *converter) merge(m, src *ir.Node, seen map[string]seenKey, p ir.Pos) {
	var maps []*ir.Node
	switch src.Kind {
	case ir.Map:
		maps = []*ir.Node{src}
	case ir.List:
		maps = src.Items
	}
	for _, s := range maps {
		if s.Kind != ir.Map {
			c.errs.AddCode(ir.CodeYAML, p, "a merge key takes a map or a list of maps")
			return
		}
		for _, pr := range s.Pairs {
			if _, ok := seen[pr.Key]; ok {
				continue
			}
			seen[pr.Key] = seenKey{pos: pr.KeyPos, merged: true, index: len(m.Pairs)}
			m.Pairs = append(m.Pairs, pr)
		}
	}
}

func (c *converter) key(k ast.MapKeyNode) (string, bool) {
	switch v := ast.Node(k).(type) {
	case *ast.MappingKeyNode:
		if s, ok := v.Value.(ast.MapKeyNode); ok {
			return c.key(s)
		}
		return "", false
	case *ast.StringNode:
		return stringValue(v), true
	case *ast.NullNode:
		return "", false
	case ast.ScalarNode:
		return showPlainColons(v.GetToken().Value), true
	}
	return "", false
}

func (c *converter) tag(t *ast.TagNode, p ir.Pos, depth int) *ir.Node {
	name := t.Start.Value
	if s, ok := t.Value.(*ast.StringNode); ok && s.Value == "\x00" && s.Token.Type == token.DoubleQuoteType {
		return c.bareTag(name, p)
	}
	switch name {
	case "!!str", "!!binary":
		v := c.node(t.Value, depth+1)
		if v.IsScalar() {
			return &ir.Node{Kind: ir.String, Text: scalarText(t.Value, v), Pos: p}
		}
		c.errs.AddCode(ir.CodeYAML, p, "%s takes a scalar", name)
		return v
	case "!!int", "!!float":
		v := c.node(t.Value, depth+1)
		if _, err := strconv.ParseFloat(v.Text, 64); err != nil || !v.IsScalar() {
			c.errs.AddCode(ir.CodeYAML, p, "%s %q is not a number", name, v.Text)
		}
		return &ir.Node{Kind: ir.Number, Text: v.Text, Pos: p}
	case "!!bool":
		v := c.node(t.Value, depth+1)
		b, err := strconv.ParseBool(v.Text)
		if err != nil {
			c.errs.AddCode(ir.CodeYAML, p, "!!bool %q is not a boolean", v.Text)
		}
		return &ir.Node{Kind: ir.Bool, Text: strconv.FormatBool(b), Pos: p}
	case "!!map", "!!seq", "!!null":
		return c.node(t.Value, depth+1)
	}
	fn, ok := shortTags[name]
	if !ok {
		c.errs.AddCode(ir.CodeYAML, p, "unknown tag %s", name)
		return &ir.Node{Kind: ir.Null, Pos: p}
	}
	if t.Value != nil && t.Value.GetToken() != nil && t.Value.GetToken().Position != nil {
		// The prescan fills bare tags; should goccy still give "a: !GetAZs" followed by
		// "b: 1" the map that follows as the tag's value (YAML gives it nothing),
		// refuse rather than lose the map. A key's value may be a block list at the
		// key's own column.
		_, list := t.Value.(*ast.SequenceNode)
		if vp := c.startPos(t.Value); vp.Line > p.Line && (vp.Col < c.ownerCol || vp.Col == c.ownerCol && !(list && c.ownerKey)) {
			c.errs.AddCode(ir.CodeYAML, p, "%s has no value on its line; write %s \"\" for an empty one", name, name)
			return &ir.Node{Kind: ir.Null, Pos: p}
		}
	}
	arg := c.node(t.Value, depth+1)
	if fn == "Fn::GetAtt" && arg.Kind == ir.String {
		// !GetAtt Res.Attr: the resource name never holds a dot, the attribute may (Endpoint.Address).
		res, attr, found := strings.Cut(arg.Text, ".")
		if !found {
			c.errs.AddCode(ir.CodeYAML, p, "!GetAtt %q needs the form Resource.Attribute", arg.Text)
		}
		arg = ir.NewList(arg.Pos, ir.Str(res, arg.Pos), ir.Str(attr, arg.Pos))
	}
	if arg.Kind == ir.Null {
		arg = ir.Str("", p) // !GetAZs with nothing after it means the current region
	}
	return ir.Fn(fn, arg, p)
}

// bareTag is a tag with nothing after it, which the prescan filled (bareTag): YAML
// gives it an empty value. A bare !GetAZs is the region's AZs, as CloudFormation
// reads it; every other function needs its argument.
func (c *converter) bareTag(name string, p ir.Pos) *ir.Node {
	switch name {
	case "!GetAZs":
		return ir.Fn("Fn::GetAZs", ir.Str("", p), p)
	case "!!str":
		return ir.Str("", p)
	case "!!null", "!!map", "!!seq":
		return &ir.Node{Kind: ir.Null, Pos: p}
	}
	if _, ok := shortTags[name]; !ok && !strings.HasPrefix(name, "!!") {
		c.errs.AddCode(ir.CodeYAML, p, "unknown tag %s", name)
	} else {
		c.errs.AddCode(ir.CodeYAML, p, "%s has no value; write %s \"\" for an empty one", name, name)
	}
	return &ir.Node{Kind: ir.Null, Pos: p}
}

// scalarText is the text of a scalar forced to a string: as written.
func scalarText(n ast.Node, v *ir.Node) string {
	if v.Kind == ir.String {
		return v.Text
	}
	if n != nil && n.GetToken() != nil {
		return showPlainColons(n.GetToken().Value)
	}
	return v.Text
}

// stringValue is a string's text as the file holds it: a plain scalar's colons are
// plainColon in the text goccy read (scan.hidden); a quoted one's are not, and a
// "\x01" escape in it is its own.
func stringValue(v *ast.StringNode) string {
	if v.Token != nil && v.Token.Type == token.StringType {
		return showPlainColons(v.Value)
	}
	return v.Value
}

// startPos is where a node's text starts: a map starts at its first key, not at the
// colon goccy's token points to.
func (c *converter) startPos(n ast.Node) ir.Pos {
	switch v := n.(type) {
	case *ast.MappingNode:
		if len(v.Values) > 0 {
			return c.pos(v.Values[0].Key.GetToken())
		}
	case *ast.MappingValueNode:
		return c.pos(v.Key.GetToken())
	}
	return c.pos(n.GetToken())
}

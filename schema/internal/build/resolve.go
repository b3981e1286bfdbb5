package build

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/riglet/riglet/schema/internal/format"
)

// maxEnum is the largest enum kept; longer ones (instance types, regions) go stale
// faster than the schemas are refreshed and would mostly cost space.
const maxEnum = 64

// shape is the generator's view of one property shape, before encoding. Shapes form
// a graph: definitions are shared, and recursive definitions make cycles.
type shape struct {
	kind     byte
	pending  bool // still being built: a cycle reached it
	item     *shape
	props    map[string]*shape
	required []string
	enum     []string
	enumFold bool     // the enum ignores case (cfn-lint's enumCaseInsensitive)
	minLen   int      // string: minLength, 0 for none
	maxLen   int      // string: maxLength, 0 for none
	min, max string   // integer, number: minimum and maximum as written, "" for none
	choices  []choice // of the object's properties, at least or exactly one must be set
	alts     []*shape
}

// choice is an "A, B or C" rule of an object: at least one of names is set, or with
// one, exactly one. Schemas write it as requiredOr or requiredXor (cfn-lint's
// extensions), or as an anyOf or oneOf of alternatives that each require one name.
type choice struct {
	one   bool
	names []string
}

// choicesKey is where build hands an object's choices to object: not a JSON schema
// keyword, so no schema has it.
const choicesKey = "\x00choices"

var anyShape = &shape{kind: format.KindAny}

// resolver turns one registry schema document into shapes.
type resolver struct {
	doc  map[string]any
	refs map[string]*shape // shapes of "$ref" targets, so definitions are shared
}

// annotations are keywords that do not change a shape; a "$ref" with only these
// beside it is the referenced definition itself and can share its shape.
var annotations = map[string]bool{
	"$ref": true, "description": true, "title": true, "markdownDescription": true,
	"insertionOrder": true, "uniqueItems": true, "examples": true, "default": true,
	"$comment": true, "relationshipRef": true, "minItems": true, "maxItems": true,
	"minLength": true, "maxLength": true, "maxProperties": true, "minProperties": true,
	"format": true, "arrayType": true,
}

// deref resolves a JSON pointer inside the document ("#/definitions/Tag").
func (r *resolver) deref(ref string) (map[string]any, error) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("unsupported $ref %q", ref)
	}
	var cur any = r.doc
	for tok := range strings.SplitSeq(rest, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q: %q is not an object", ref, tok)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("$ref %q: no %q", ref, tok)
		}
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("$ref %q is not an object", ref)
	}
	return m, nil
}

// flatten returns s with its top-level "$ref" and "allOf" merged in, so that what is
// left describes the value itself. Children stay as written.
func (r *resolver) flatten(s map[string]any, depth int) (map[string]any, error) {
	if depth > 32 {
		return nil, fmt.Errorf("$ref or allOf nested too deep")
	}
	out := map[string]any{}
	if ref, ok := s["$ref"].(string); ok {
		t, err := r.deref(ref)
		if err != nil {
			return nil, err
		}
		ft, err := r.flatten(t, depth+1)
		if err != nil {
			return nil, err
		}
		merge(out, ft)
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			m, ok := sub.(map[string]any)
			if !ok {
				continue
			}
			fs, err := r.flatten(m, depth+1)
			if err != nil {
				return nil, err
			}
			merge(out, fs)
		}
	}
	own := map[string]any{}
	for k, v := range s {
		if k != "$ref" && k != "allOf" {
			own[k] = v
		}
	}
	merge(out, own)
	return out, nil
}

// merge adds src's keywords to dst as allOf would: properties and required are
// unions, a property defined on both sides must satisfy both, anything else is
// taken from src.
func merge(dst, src map[string]any) {
	for k, v := range src {
		old, had := dst[k]
		switch {
		case !had:
			dst[k] = v
		case k == "properties":
			a, _ := old.(map[string]any)
			b, _ := v.(map[string]any)
			m := make(map[string]any, len(a)+len(b))
			for n, p := range a {
				m[n] = p
			}
			for n, p := range b {
				if q, ok := m[n]; ok {
					m[n] = map[string]any{"allOf": []any{q, p}}
				} else {
					m[n] = p
				}
			}
			dst[k] = m
		case k == "required":
			a, _ := old.([]any)
			b, _ := v.([]any)
			dst[k] = append(slices.Clip(a), b...)
		default:
			dst[k] = v
		}
	}
}

// node returns the shape of a schema written at some place in the document.
func (r *resolver) node(v any) (*shape, error) {
	s, ok := v.(map[string]any)
	if !ok {
		return anyShape, nil // `true` or a malformed child: accept anything
	}
	ref, isRef := s["$ref"].(string)
	for k := range s {
		if !annotations[k] {
			isRef = false
		}
	}
	if !isRef {
		f, err := r.flatten(s, 0)
		if err != nil {
			return nil, err
		}
		return r.build(f)
	}
	if sh, ok := r.refs[ref]; ok {
		return sh, nil
	}
	sh := &shape{pending: true}
	r.refs[ref] = sh
	t, err := r.deref(ref)
	if err != nil {
		return nil, err
	}
	f, err := r.flatten(t, 0)
	if err != nil {
		return nil, err
	}
	built, err := r.build(f)
	if err != nil {
		return nil, err
	}
	*sh = *built
	sh.pending = false
	return sh, nil
}

// build returns the shape of a flattened schema.
func (r *resolver) build(s map[string]any) (*shape, error) {
	s = extractChoices(s)
	var alts []any
	for _, k := range []string{"oneOf", "anyOf"} {
		if a, ok := s[k].([]any); ok {
			alts = append(alts, a...)
		}
	}
	if len(alts) > 0 {
		base := map[string]any{}
		for k, v := range s {
			if k != "oneOf" && k != "anyOf" {
				base[k] = v
			}
		}
		var shapes []*shape
		for _, a := range alts {
			m, ok := a.(map[string]any)
			if !ok {
				return anyShape, nil
			}
			fa, err := r.flatten(m, 0)
			if err != nil {
				return nil, err
			}
			am := map[string]any{}
			merge(am, base)
			merge(am, fa)
			sh, err := r.build(am)
			if err != nil {
				return nil, err
			}
			shapes = append(shapes, sh)
		}
		return combine(shapes), nil
	}

	types := typeList(s["type"])
	if len(types) > 1 {
		var shapes []*shape
		for _, t := range types {
			m := map[string]any{}
			merge(m, s)
			m["type"] = t
			sh, err := r.build(m)
			if err != nil {
				return nil, err
			}
			shapes = append(shapes, sh)
		}
		return combine(shapes), nil
	}
	t := ""
	if len(types) == 1 {
		t = types[0]
	} else {
		// Untyped: JSON schema accepts anything, but the keywords present say what
		// the author meant.
		switch {
		case s["properties"] != nil:
			t = "object"
		case s["items"] != nil:
			t = "array"
		case s["patternProperties"] != nil:
			t = "object"
		case s["enum"] != nil:
			t = "string"
		}
	}
	switch t {
	case "string", "integer", "number":
		kind := map[string]byte{"string": format.KindString, "integer": format.KindInteger, "number": format.KindNumber}[t]
		sh := &shape{kind: kind}
		if e, ok := s["enum"].([]any); ok && len(e) <= maxEnum {
			sh.enum = enumStrings(e)
		} else if e, ok := s["enumCaseInsensitive"].([]any); ok && len(e) <= maxEnum {
			sh.enum, sh.enumFold = enumStrings(e), true
		} else if c, ok := s["const"]; ok {
			sh.enum = enumStrings([]any{c})
		}
		if kind == format.KindString {
			sh.minLen, sh.maxLen = intKeyword(s["minLength"]), intKeyword(s["maxLength"])
		} else {
			sh.min, sh.max = numKeyword(s["minimum"]), numKeyword(s["maximum"])
		}
		return sh, nil
	case "boolean":
		return &shape{kind: format.KindBoolean}, nil
	case "array":
		item := anyShape
		if it, ok := s["items"]; ok {
			var err error
			if item, err = r.node(it); err != nil {
				return nil, err
			}
		}
		return &shape{kind: format.KindList, item: item}, nil
	case "object":
		return r.object(s)
	}
	return anyShape, nil
}

func (r *resolver) object(s map[string]any) (*shape, error) {
	if props, ok := s["properties"].(map[string]any); ok && len(props) > 0 {
		// Objects with fixed properties are closed even where the schema forgets
		// additionalProperties: false, as CloudFormation rejects unknown keys.
		sh := &shape{kind: format.KindObject, props: map[string]*shape{}}
		for _, name := range sortedKeys(props) {
			p, err := r.node(props[name])
			if err != nil {
				return nil, fmt.Errorf("property %s: %w", name, err)
			}
			sh.props[name] = p
		}
		req, _ := s["required"].([]any)
		for _, q := range req {
			if n, ok := q.(string); ok && sh.props[n] != nil && !slices.Contains(sh.required, n) {
				sh.required = append(sh.required, n)
			}
		}
		sort.Strings(sh.required)
		for _, c := range objectChoices(s) {
			if known(c.names, sh.props) {
				sh.choices = append(sh.choices, c)
			}
		}
		return sh, nil
	}
	var values []*shape
	if pp, ok := s["patternProperties"].(map[string]any); ok {
		for _, k := range sortedKeys(pp) {
			v, err := r.node(pp[k])
			if err != nil {
				return nil, err
			}
			values = append(values, v)
		}
	}
	if ap, ok := s["additionalProperties"].(map[string]any); ok {
		v, err := r.node(ap)
		if err != nil {
			return nil, err
		}
		values = append(values, v)
	}
	if len(values) == 0 {
		if ap, ok := s["additionalProperties"].(bool); ok && !ap && s["patternProperties"] == nil {
			return &shape{kind: format.KindObject, props: map[string]*shape{}}, nil
		}
		return &shape{kind: format.KindMap, item: anyShape}, nil
	}
	return &shape{kind: format.KindMap, item: combine(values)}, nil
}

// typeList reads "type", which may be a string or a list; "null" adds nothing a
// template can express.
func typeList(v any) []string {
	var out []string
	add := func(x any) {
		if s, ok := x.(string); ok && s != "null" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if l, ok := v.([]any); ok {
		for _, x := range l {
			add(x)
		}
	} else {
		add(v)
	}
	return out
}

func enumStrings(e []any) []string {
	var out []string
	for _, v := range e {
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case bool:
			s = strconv.FormatBool(v)
		case fmt.Stringer: // json.Number keeps the text the schema wrote
			s = v.String()
		default:
			continue
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// combine joins the alternatives of a oneOf/anyOf (or of a type list) into one
// shape. Alternatives of the same kind merge leniently (properties are united, a
// property is required only if every alternative requires it) so a linter never
// flags a value that some alternative accepts; different kinds become a union.
func combine(shapes []*shape) *shape {
	var flat []*shape
	for _, s := range shapes {
		if s.kind == format.KindUnion && !s.pending {
			flat = append(flat, s.alts...)
		} else {
			flat = append(flat, s)
		}
	}
	flat = dedupe(flat)
	if len(flat) == 1 {
		return flat[0]
	}
	for _, s := range flat {
		if s.pending {
			// A cycle reaches back to a shape still being built; its kind is
			// unknown, so keep the alternatives apart.
			return &shape{kind: format.KindUnion, alts: flat}
		}
		if s.kind == format.KindAny {
			return anyShape
		}
	}
	groups := map[byte][]*shape{}
	var kinds []byte
	for _, s := range flat {
		if groups[s.kind] == nil {
			kinds = append(kinds, s.kind)
		}
		groups[s.kind] = append(groups[s.kind], s)
	}
	slices.Sort(kinds)
	var out []*shape
	for _, k := range kinds {
		out = append(out, mergeSame(groups[k]))
	}
	if len(out) == 1 {
		return out[0]
	}
	return &shape{kind: format.KindUnion, alts: out}
}

func dedupe(s []*shape) []*shape {
	var out []*shape
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// mergeSame merges shapes of one kind.
func mergeSame(g []*shape) *shape {
	if len(g) == 1 {
		return g[0]
	}
	out := &shape{kind: g[0].kind}
	switch out.kind {
	case format.KindString, format.KindInteger, format.KindNumber:
		// Bounds hold only as far as every alternative has them: the loosest wins.
		out.minLen, out.maxLen, out.min, out.max = g[0].minLen, g[0].maxLen, g[0].min, g[0].max
		for _, s := range g[1:] {
			out.minLen = loosest(out.minLen, s.minLen, false)
			out.maxLen = loosest(out.maxLen, s.maxLen, true)
			out.min = loosestNum(out.min, s.min, false)
			out.max = loosestNum(out.max, s.max, true)
		}
		var all []any
		for _, s := range g {
			if s.enum == nil {
				return out // one alternative takes any value
			}
			for _, e := range s.enum {
				all = append(all, e)
			}
			out.enumFold = out.enumFold || s.enumFold // lenient: one alternative ignores case
		}
		if len(all) <= maxEnum {
			out.enum = enumStrings(all)
		}
	case format.KindList, format.KindMap:
		var items []*shape
		for _, s := range g {
			items = append(items, s.item)
		}
		out.item = combine(items)
	case format.KindObject:
		// Choices of one alternative hold only where it is chosen: like required,
		// keep those every alternative has.
		for _, c := range g[0].choices {
			all := true
			for _, s := range g[1:] {
				all = all && slices.ContainsFunc(s.choices, func(d choice) bool { return d.one == c.one && slices.Equal(d.names, c.names) })
			}
			if all {
				out.choices = append(out.choices, c)
			}
		}
		byName := map[string][]*shape{}
		count := map[string]int{}
		for _, s := range g {
			for n, p := range s.props {
				byName[n] = append(byName[n], p)
			}
			for _, n := range s.required {
				count[n]++
			}
		}
		out.props = map[string]*shape{}
		for _, n := range sortedKeys(byName) {
			out.props[n] = combine(byName[n])
		}
		for _, n := range sortedKeys(count) {
			if count[n] == len(g) {
				out.required = append(out.required, n)
			}
		}
	}
	return out
}

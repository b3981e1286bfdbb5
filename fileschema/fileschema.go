// Package fileschema writes JSON Schemas (draft-07) of the three files a user writes:
// env files, riglet specs and blocks, for editors (the YAML language server of VS Code
// and others). They are generated from model's key tables, the decoders' own, and from
// the block library: the spec's schema knows every block's parameters, their types,
// allowed values and defaults, so that an editor completes `params:` of an instance
// and flags a wrong value before a compile does.
package fileschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// Dir is where the committed schemas live, relative to the repository root.
const Dir = "docs/schema"

// Files are the schemas' file names, as `riglet new` points at them.
const (
	EnvFile   = "env.json"
	SpecFile  = "spec.json"
	BlockFile = "block.json"
)

const draft = "http://json-schema.org/draft-07/schema#"

// obj is a JSON object that keeps its keys in the order they were set, so that the
// schemas are the same bytes every run and read in a sensible order.
type obj struct {
	keys []string
	vals map[string]any
}

func newObj(kv ...any) *obj {
	o := &obj{vals: map[string]any{}}
	for i := 0; i+1 < len(kv); i += 2 {
		o.set(kv[i].(string), kv[i+1])
	}
	return o
}

func (o *obj) set(k string, v any) *obj {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
	return o
}

func (o *obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// gen builds one schema: tables become definitions, referred to by name.
type gen struct {
	defs   *obj
	tables map[*model.Table]string
}

func newGen() *gen { return &gen{defs: newObj(), tables: map[*model.Table]string{}} }

func defName(t *model.Table) string {
	return strings.NewReplacer(" ", "-", ".", "-").Replace(t.Name)
}

func ref(name string) *obj { return newObj("$ref", "#/definitions/"+name) }

// table is the schema of a table's map, defined once.
func (g *gen) table(t *model.Table) *obj {
	if name, ok := g.tables[t]; ok {
		return ref(name)
	}
	name := defName(t)
	g.tables[t] = name
	props := newObj()
	var required []string
	for _, k := range t.Keys {
		if k.Refused {
			props.set(k.Name, newObj("description", k.Doc, "not", newObj()))
			continue
		}
		s := g.shape(k.Shape)
		s.set("description", describe(k))
		props.set(k.Name, s)
		if k.Required {
			required = append(required, k.Name)
		}
	}
	d := newObj("type", "object", "properties", props)
	if len(required) > 0 {
		d.set("required", required)
	}
	if !t.Open {
		d.set("additionalProperties", false)
	}
	g.defs.set(name, d)
	return ref(name)
}

// describe is a key's doc for an editor's hover: what it does, its default.
func describe(k model.Key) string {
	d := k.Doc
	if k.Default != "" {
		d += " Default: " + k.Default + "."
	}
	return d
}

// shape is the schema of a value. A reference cannot carry a description beside it in
// draft-07, so a table is wrapped in allOf.
func (g *gen) shape(s *model.Shape) *obj {
	switch s.Kind {
	case model.KString:
		o := newObj("type", "string")
		if len(s.Enum) > 0 {
			o.set("enum", s.Enum)
		}
		if s.Pattern != "" {
			o.set("pattern", s.Pattern)
		}
		if s.MaxLen > 0 {
			o.set("maxLength", s.MaxLen)
		}
		return o
	case model.KInteger:
		o := newObj("type", "integer")
		if s.Min != nil {
			o.set("minimum", *s.Min)
		}
		if s.Max != nil {
			o.set("maximum", *s.Max)
		}
		return o
	case model.KNumber:
		return newObj("type", "number")
	case model.KBoolean:
		return newObj("type", "boolean")
	case model.KList:
		return newObj("type", "array", "items", g.shape(s.Elem))
	case model.KMap:
		return newObj("type", "object", "additionalProperties", g.shape(s.Elem))
	case model.KObject:
		if s.Keys == nil {
			return newObj("type", "object")
		}
		return newObj("allOf", []any{g.table(s.Keys)})
	case model.KOneOf:
		var of []any
		for _, x := range s.Of {
			of = append(of, g.shape(x))
		}
		return newObj("anyOf", of)
	}
	return newObj()
}

// schema is the whole schema: the top table's definition inline (a $ref beside other
// keys is ignored in draft-07, and editors complete the top level best inline), the
// rest as definitions.
func (g *gen) schema(id, title string, top *model.Table) ([]byte, error) {
	out := newObj("$schema", draft, "$id", id, "title", title)
	name := g.tables[top]
	root := g.def(name)
	for _, k := range root.keys {
		out.set(k, root.vals[k])
	}
	defs := newObj()
	for _, k := range g.defs.keys {
		if k != name {
			defs.set(k, g.defs.vals[k])
		}
	}
	out.set("definitions", defs)
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

const idBase = "https://github.com/riglet/riglet/docs/schema/"

// Env is the schema of an env file.
func Env() ([]byte, error) {
	g := newGen()
	g.table(model.EnvKeys)
	return g.schema(idBase+EnvFile, "riglet env file (envs/<env>.yaml)", model.EnvKeys)
}

// intrinsic is a long-form intrinsic function or riglet's !Output, as a value whose
// check waits for the compiler: a map of one Fn::, Ref or Riglet:: key.
func intrinsic() *obj {
	return newObj("type", "object", "minProperties", 1, "maxProperties", 1,
		"propertyNames", newObj("pattern", `^(Fn::[A-Za-z]+|Ref|Condition|Riglet::[A-Za-z]+)$`))
}

// param is the schema of a value given to a block parameter: its CloudFormation
// type and constraints, or an intrinsic, whose value the compiler checks.
func param(p *model.Param) *obj {
	var alts []any
	scalar := paramScalar(p)
	if p.IsList() {
		alts = append(alts, newObj("type", "array", "items", newObj("anyOf", []any{scalar, ref("intrinsic")})))
		alts = append(alts, newObj("type", "string")) // comma-separated
	} else if of, ok := scalar.vals["anyOf"].([]any); ok {
		alts = append(alts, of...) // one anyOf, not two nested: shorter, and clearer in an editor's message
	} else {
		alts = append(alts, scalar)
	}
	alts = append(alts, ref("intrinsic"))
	o := newObj("anyOf", alts)
	desc := p.Description
	if desc == "" {
		desc = p.Name
	}
	desc += " (" + p.Type
	if p.Default != nil {
		desc += ", default " + ir.Quote(p.Default.Text)
	} else {
		desc += ", required"
	}
	o.set("description", desc+")")
	if p.Default != nil && p.Default.IsScalar() && p.Default.Kind != ir.Null {
		o.set("default", jsonScalar(p.Default, p.IsNumber()))
	}
	return o
}

// mapParam is the schema of a map parameter's value (Metadata.Riglet.Maps): names to
// the first field's value or to a map of fields.
func mapParam(p *model.Param, m *model.MapParam) *obj {
	fields := newObj()
	var required []any
	for _, f := range m.Fields {
		fields.set(f.Name, param(f))
		if f.Default == nil {
			required = append(required, f.Name)
		}
	}
	entry := newObj("type", "object", "properties", fields, "additionalProperties", false)
	if len(required) > 0 {
		entry.set("required", required)
	}
	o := newObj("type", "object", "additionalProperties", newObj("anyOf", []any{param(m.Fields[0]), entry}))
	if m.Names != nil {
		o.set("propertyNames", newObj("pattern", "^(?:"+m.Names.Text+")$"))
	}
	desc := p.Description
	if desc == "" {
		desc = p.Name
	}
	o.set("description", desc+" (map of "+strings.Join(m.FieldNames(), ", ")+")")
	return o
}

// paramScalar is one value of the parameter's type. A String parameter takes any
// scalar (riglet makes numbers and booleans strings, as CloudFormation does); a
// Number one a number or a string that reads as one.
func paramScalar(p *model.Param) *obj {
	if len(p.AllowedValues) > 0 {
		var vals []any
		for _, v := range p.AllowedValues {
			vals = append(vals, v)
			// YAML `Port: 80` reads a number where AllowedValues hold "80"
			if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				vals = append(vals, json.Number(strconv.FormatFloat(f, 'f', -1, 64)))
			}
			if v == "true" || v == "false" {
				vals = append(vals, v == "true")
			}
		}
		return newObj("enum", vals)
	}
	if p.IsNumber() {
		n := newObj("type", "number")
		if !math.IsNaN(p.MinValue) {
			n.set("minimum", json.Number(strconv.FormatFloat(p.MinValue, 'f', -1, 64)))
		}
		if !math.IsNaN(p.MaxValue) {
			n.set("maximum", json.Number(strconv.FormatFloat(p.MaxValue, 'f', -1, 64)))
		}
		return newObj("anyOf", []any{n, newObj("type", "string", "pattern", `^-?[0-9]+(\.[0-9]+)?$`)})
	}
	s := newObj("type", "string")
	if p.AllowedPattern != nil {
		s.set("pattern", "^(?:"+p.AllowedPattern.Text+")$")
	}
	if p.MinLength >= 0 {
		s.set("minLength", p.MinLength)
	}
	if p.MaxLength >= 0 {
		s.set("maxLength", p.MaxLength)
	}
	// A string holding ${...} is a !Sub the compile resolves: its value is not known
	// here, so the constraints cannot judge it.
	sub := newObj("type", "string", "pattern", `\$\{[^}]+\}`)
	return newObj("anyOf", []any{s, sub, newObj("type", []string{"number", "boolean"})})
}

func jsonScalar(n *ir.Node, number bool) any {
	switch n.Kind {
	case ir.Number:
		if number {
			return json.Number(n.Text)
		}
		return n.Text
	case ir.Bool:
		return n.Text == "true"
	}
	return n.Text
}

// blockParams defines, per block of the library, the schema of its parameters.
func (g *gen) blockParams(lib *model.Library) (blocks, mods []string, err error) {
	g.defs.set("intrinsic", intrinsic())
	for _, name := range lib.Names() {
		b, err := lib.Get(name)
		if err != nil {
			return nil, nil, fmt.Errorf("block %s: %w", name, err)
		}
		if b == nil {
			continue
		}
		props := newObj()
		for _, p := range b.Params {
			if m := b.Maps[p.Name]; m != nil {
				props.set(p.Name, mapParam(p, m))
				continue
			}
			props.set(p.Name, param(p))
		}
		d := newObj("type", "object", "properties", props, "additionalProperties", false)
		if b.Description != "" {
			d.set("description", b.Description)
		}
		g.defs.set("params-"+name, d)
		if b.Kind == "modification" {
			mods = append(mods, name)
		} else {
			blocks = append(blocks, name)
		}
	}
	return blocks, mods, nil
}

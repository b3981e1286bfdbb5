package model

import (
	"github.com/riglet/riglet/ir"
)

// MapParam is a parameter that takes a map (Metadata.Riglet.Maps): CloudFormation has
// no map parameter type, and a spec often has a set of named things of one kind (the
// secrets a container reads, a function's environment). The parameter itself is a
// CommaDelimitedList with an empty default, so the block stays a valid template: Ref
// of it is the entries' names, sorted, which Fn::ForEach iterates, and the entries'
// fields are a mapping of the same name, read with Fn::FindInMap [Param, Name, Field].
type MapParam struct {
	Pos    ir.Pos
	Names  *Pattern // what every entry's name must match; nil for any
	Fields []*Param // an entry's fields, in the parameter schema; a scalar entry sets the first
	// Distinct are parameters whose values name what the map's entries name too (an
	// environment variable given another way): no entry may repeat one. A list's item
	// NAME=value names NAME.
	Distinct    []string
	DistinctPos []ir.Pos
}

// Field returns the named field, or nil.
func (m *MapParam) Field(name string) *Param {
	for _, f := range m.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// FieldNames lists the fields in their order.
func (m *MapParam) FieldNames() []string {
	out := make([]string, len(m.Fields))
	for i, f := range m.Fields {
		out[i] = f.Name
	}
	return out
}

func (b *Block) readMaps(n *ir.Node, errs *ir.Errors) {
	for _, pr := range n.Pairs {
		o := newObject(pr.Value, MapParamKeys, "Metadata.Riglet.Maps."+pr.Key, errs)
		m := &MapParam{Pos: pr.KeyPos}
		if s, sp := o.str("Names"); s != "" {
			re, err := CompilePattern(s)
			if err != nil {
				errs.AddCode(ir.CodeBlockDefinition, sp, "Names: %v", err)
			} else {
				m.Names = re
			}
		}
		if f := o.mapping("Fields"); f != nil {
			for _, fp := range f.Pairs {
				m.Fields = append(m.Fields, readParam(fp, errs))
			}
		}
		if len(m.Fields) == 0 {
			errs.AddCode(ir.CodeBlockDefinition, pr.KeyPos, "map parameter %s needs Fields", pr.Key)
		}
		m.Distinct, m.DistinctPos = o.strings("Distinct")
		o.done()
		b.Maps[pr.Key] = m
	}
}

// checkMaps checks the map parameters against the rest of the block: each is a
// parameter of the shape that keeps the template valid, and its mapping name is free.
func (b *Block) checkMaps(errs *ir.Errors) {
	for _, name := range sortedKeys(b.Maps) {
		m := b.Maps[name]
		p := b.Param(name)
		if p == nil {
			errs.AddCode(ir.CodeBlockDefinition, m.Pos, "Metadata.Riglet.Maps names %s, which is not a parameter", name)
			continue
		}
		if p.Type != "CommaDelimitedList" || p.Default == nil || !(p.Default.IsScalar() && p.Default.Text == "") {
			errs.AddCode(ir.CodeBlockDefinition, p.Pos, "map parameter %s must be declared Type: CommaDelimitedList, Default: \"\" (Ref of it is the entries' names)", name)
		}
		if b.Mappings.Get(name) != nil {
			errs.AddCode(ir.CodeBlockDefinition, m.Pos, "map parameter %s has the name of a mapping, which Fn::FindInMap [%s, ...] must mean", name, name)
		}
		if b.DeployTime[name] {
			errs.AddCode(ir.CodeBlockDefinition, m.Pos, "map parameter %s cannot be a deploy-time parameter", name)
		}
		for i, d := range m.Distinct {
			if b.Param(d) == nil || d == name {
				errs.AddCode(ir.CodeBlockDefinition, m.DistinctPos[i], "Distinct of map parameter %s names %s, which is not another parameter", name, d)
			}
		}
	}
}

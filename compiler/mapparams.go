package compiler

// Map-valued parameters (Metadata.Riglet.Maps): a spec gives NAME: value or
// NAME: {Field: value}; the block sees Ref of the parameter as the names, sorted (so
// the output is the same whatever the YAML's order), and each entry's fields as a
// mapping of the parameter's name. Values stay as the spec's evaluation made them (an
// !Output is already a Ref or an ImportValue), like any other parameter's.

import (
	"sort"
	"strings"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// bindMap checks the map v given to map parameter p and binds it: Ref to the sorted
// names, Fn::FindInMap to the entries, every field filled (its default when left out).
func (x *expander) bindMap(s *blockScope, p *model.Param, m *model.MapParam, v *ir.Node) bool {
	b := s.b
	names := ir.NewList(v.Pos)
	rows := ir.NewMap(v.Pos)
	defer func() {
		s.params[p.Name] = names
		s.maps[p.Name] = rows
	}()
	if v.IsScalar() && v.Text == "" {
		return true // the declared default: no entries
	}
	if _, _, fn := v.Intrinsic(); v.Kind != ir.Map || fn {
		x.errs.AddCode(ir.CodeConstraint, v.Pos, "parameter %s of block %s takes a map of NAME: %s, not %s", p.Name, b.Name, m.Fields[0].Name, kindOf(v))
		return false
	}
	taken := x.distinctNames(s, m)
	ok := true
	pairs := append([]ir.Pair(nil), v.Pairs...)
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].Key < pairs[j].Key })
	for _, pr := range pairs {
		if m.Names != nil {
			if match, err := m.Names.Match(pr.Key); err != nil || !match {
				x.errs.AddCode(ir.CodeConstraint, pr.KeyPos, "parameter %s of block %s: name %s does not match %s", p.Name, b.Name, ir.Quote(pr.Key), m.Names.Text)
				ok = false
				continue
			}
		}
		if other, dup := taken[pr.Key]; dup {
			x.errs.AddCode(ir.CodeDuplicateName, pr.KeyPos, "parameter %s of block %s: %s is also given by %s", p.Name, b.Name, pr.Key, other)
			ok = false
			continue
		}
		row, rowOK := x.mapEntry(b, p, m, pr)
		if !rowOK {
			ok = false
			continue
		}
		names.Items = append(names.Items, ir.Str(pr.Key, pr.KeyPos))
		rows.Pairs = append(rows.Pairs, ir.Pair{Key: pr.Key, KeyPos: pr.KeyPos, Value: row})
	}
	return ok
}

// mapEntry reads one entry: a single value sets the first field, a map names fields.
func (x *expander) mapEntry(b *model.Block, p *model.Param, m *model.MapParam, pr ir.Pair) (*ir.Node, bool) {
	given := map[string]*ir.Node{}
	val := pr.Value
	if _, _, fn := val.Intrinsic(); val.Kind == ir.Map && !fn {
		for _, f := range val.Pairs {
			if m.Field(f.Key) == nil {
				x.errs.AddCode(ir.CodeUnknownKey, f.KeyPos, "parameter %s of block %s: entry %s has no field %s%s", p.Name, b.Name, pr.Key, f.Key, didYouMean(f.Key, m.FieldNames()))
				return nil, false
			}
			given[f.Key] = f.Value
		}
	} else if val.Kind != ir.Null && val.Kind != ir.List {
		given[m.Fields[0].Name] = val
	} else {
		x.errs.AddCode(ir.CodeConstraint, val.Pos, "parameter %s of block %s: entry %s takes a %s or a map of %s", p.Name, b.Name, pr.Key, m.Fields[0].Name, strings.Join(m.FieldNames(), ", "))
		return nil, false
	}
	row := ir.NewMap(val.Pos)
	ok := true
	for _, f := range m.Fields {
		fv := given[f.Name]
		if fv == nil || fv.Kind == ir.Null {
			if f.Default == nil {
				x.errs.AddCode(ir.CodeMissingParam, pr.KeyPos, "parameter %s of block %s: entry %s needs %s%s", p.Name, b.Name, pr.Key, f.Name, describe(f))
				ok = false
				continue
			}
			fv = f.Default
		} else if msg := f.Check(fv); msg != "" {
			x.errs.AddCode(ir.CodeConstraint, fv.Pos, "parameter %s of block %s: %s of %s: %s", p.Name, b.Name, f.Name, pr.Key, msg)
			ok = false
			continue
		}
		row.Pairs = append(row.Pairs, ir.Pair{Key: f.Name, KeyPos: pr.KeyPos, Value: f.Normalize(fv)})
	}
	return row, ok
}

// distinctNames is what the parameters m.Distinct names already, each with the
// parameter that names it: a string's value, a list's items up to "=".
func (x *expander) distinctNames(s *blockScope, m *model.MapParam) map[string]string {
	taken := map[string]string{}
	add := func(n *ir.Node, param string) {
		if n == nil || !n.IsScalar() || n.Text == "" {
			return // a value known only at deploy time names nothing here
		}
		name, _, _ := strings.Cut(n.Text, "=")
		if _, ok := taken[name]; !ok {
			taken[name] = param
		}
	}
	for _, d := range m.Distinct {
		v := s.params[d]
		if v == nil {
			continue
		}
		if v.Kind == ir.List {
			for _, it := range v.Items {
				add(it, d)
			}
			continue
		}
		add(v, d)
	}
	return taken
}

func kindOf(v *ir.Node) string {
	if fn, _, ok := v.Intrinsic(); ok {
		return fn
	}
	return "a " + v.Kind.String()
}

package compiler

import (
	"strings"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// Origin is where an output resource came from, kept as data so that the passes, lint
// and a reviewer's tools never parse it back out of Metadata (which is written from it).
type Origin struct {
	Instance string          // the instance path from the spec: app-twig-api.service.Orders
	Block    string          // the block whose template holds the resource
	Pos      ir.Pos          // the resource's key in that block
	Builtin  bool            // the block is built in: Pos is in no file of the user's repository
	Chain    []Step          // the instances from the riglet spec down to the resource's block
	Top      *model.Instance // the riglet spec's instance it belongs to (nil for none)
}

// Step is one instance on the way from the riglet spec to a resource.
type Step struct {
	Name    string // the instance name (a modification's: instance+block)
	Block   string // the block it instantiates
	Pos     ir.Pos // where it is declared
	Builtin bool   // declared inside a built-in block
}

// User is where a problem with the resource is reported: a position in the user's
// repository. That is the resource's own line when its block is the user's, else the
// innermost instance declared in a file of the user's (the riglet spec, or a user block
// nesting a built-in one).
func (o *Origin) User() ir.Pos {
	if o == nil {
		return ir.Pos{}
	}
	if !o.Builtin {
		return o.Pos
	}
	for i := len(o.Chain) - 1; i >= 0; i-- {
		if !o.Chain[i].Builtin {
			return o.Chain[i].Pos
		}
	}
	return o.Pos
}

// Related are the built-in positions behind User, innermost first: the resource's line
// in its built-in block and each built-in instance on the way.
func (o *Origin) Related() []ir.Related {
	if o == nil || !o.Builtin {
		return nil
	}
	out := []ir.Related{{Pos: o.Pos, Msg: "made by built-in block " + o.Block}}
	for i := len(o.Chain) - 1; i > 0 && o.Chain[i].Builtin; i-- {
		out = append(out, ir.Related{Pos: o.Chain[i].Pos, Msg: "instance " + o.Chain[i].Name + " in built-in block " + o.Chain[i-1].Block})
	}
	return out
}

// relocate moves the problems of errs[from:] that sit in built-in files to at, the
// instance that brought the built-in block in, keeping the built-in line as related:
// the primary position of every problem is a file the user has.
func (x *expander) relocate(from int, b *model.Block, at ir.Pos) {
	if !at.IsValid() {
		return
	}
	for _, e := range (*x.errs)[from:] {
		if !x.c.lib.IsBuiltin(e.Pos.File.String()) {
			continue
		}
		rel := ir.Related{Pos: e.Pos, Msg: "in built-in block " + b.Name}
		if !strings.HasPrefix(e.Pos.File.String(), "blocks/"+b.Name+"/") {
			rel.Msg = "in built-in " + e.Pos.File.String()
		}
		e.Related = append([]ir.Related{rel}, e.Related...)
		e.Moved = append(e.Moved, e.Pos)
		e.Pos = at
	}
}

// place returns where a problem at p about resource id of a stack is reported, and the
// built-in positions to relate: p itself when it is in a file the user has.
func (ec *envCompile) place(stack, id string, p ir.Pos) (ir.Pos, []ir.Related) {
	if !ec.c.lib.IsBuiltin(p.File.String()) {
		return p, nil
	}
	out := ec.outs[stack]
	if out == nil || out.origins[id] == nil {
		return p, nil
	}
	o := out.origins[id]
	rel := o.Related()
	if p != o.Pos {
		msg := "in built-in " + p.File.String()
		if p.File == o.Pos.File {
			msg = "in built-in block " + o.Block
		}
		rel = append([]ir.Related{{Pos: p, Msg: msg}}, rel...)
	}
	return o.User(), rel
}

// addAbout adds a problem about resource id of a stack, placed in the user's
// repository (see place); its related positions in built-in files are kept as they are.
func (ec *envCompile) addAbout(stack, id string, e *ir.Error) {
	pos, rel := ec.place(stack, id, e.Pos)
	if pos != e.Pos {
		e.Moved = append(e.Moved, e.Pos)
	}
	e.Pos = pos
	if len(rel) > 0 {
		e.Related = append(rel, e.Related...)
	}
	ec.errs.Add(e)
	ec.blameStack(e, stack)
}

// madeHere relates the resource that makes a problem: its line in the user's
// repository, and the built-in line behind it.
func (ec *envCompile) madeHere(stack, id string, p ir.Pos) []ir.Related {
	pos, rel := ec.place(stack, id, p)
	return append([]ir.Related{{Pos: pos, Msg: "made here"}}, rel...)
}

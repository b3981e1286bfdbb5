package model

import (
	"slices"

	"github.com/riglet/riglet/ir"
)

// Only is a stack's or an instance's `only:`: the envs it is limited to. An env it
// leaves out gets none of its resources, alarms, priorities or lock entries, and
// wiring to it there is an error that names this key.
type Only struct {
	Set    bool // only: was given; without it, every env of the riglet
	Envs   []string
	Pos    []ir.Pos // of each env name
	KeyPos ir.Pos   // of the only: key, which an error about what it leaves out names
}

// Allows reports whether env is one the only: keeps.
func (o Only) Allows(env string) bool { return !o.Set || slices.Contains(o.Envs, env) }

// In reports whether the stack exists in env. A shared stack is compiled once, for
// no env in particular: only: does not apply to it (the compiler refuses one).
func (s *Stack) In(env string) bool { return s.Only.Allows(env) }

// In reports whether the instance exists in env: its stack's only: and its own both
// keep it.
func (in *Instance) In(env string) bool { return in.Stack.In(env) && in.Only.Allows(env) }

// LeftOutBy is the only: that leaves the instance out of env (its stack's first, as
// that is the one to widen first), or nil when the instance exists there.
func (in *Instance) LeftOutBy(env string) *Only {
	switch {
	case !in.Stack.Only.Allows(env):
		return &in.Stack.Only
	case !in.Only.Allows(env):
		return &in.Only
	}
	return nil
}

// loadOnly reads an only: key of a stack or an instance.
func loadOnly(o *object) Only {
	v := o.get("only")
	if v == nil {
		return Only{}
	}
	envs, pos := o.strings("only")
	if len(envs) == 0 && (v.Kind != ir.List || len(v.Items) > 0) {
		return Only{} // not a list of names, which o.strings reports: "lists no env" would be its cascade
	}
	return Only{Set: true, Envs: envs, Pos: pos, KeyPos: o.keyPos("only")}
}

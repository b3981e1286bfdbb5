package compiler

// Per-env presence: a stack's or an instance's only: limits it to some envs. An env it
// leaves out compiles as if it were not in the spec (no resources, alarms, priorities,
// lock entries or stack there), except that wiring to it, by !Output, by a block's
// Wiring or by needs:, is an error in that env naming the only: that leaves it out:
// a consumer that silently lost its producer would deploy something nobody reviewed.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// checkOnly checks every only: and what depends on it but not on an env's files.
func (c *compilation) checkOnly() {
	for _, s := range c.spec.Stacks {
		if s.Shared && s.Only.Set {
			c.errs.AddCode(ir.CodeInvalidValue, s.Only.KeyPos, "stack %s is shared, compiled once for every env: only: does not apply to it", s.Name)
		}
		c.checkOnlyNames(s.Only, "stack "+s.Name, nil)
		for _, in := range s.Instances {
			if s.Shared && in.Only.Set {
				c.errs.AddCode(ir.CodeInvalidValue, in.Only.KeyPos, "instance %s is in shared stack %s, compiled once for every env: only: does not apply to it", in.Name, s.Name)
			}
			c.checkOnlyNames(in.Only, "instance "+in.Name, &s.Only)
			for _, env := range sortedKeys(in.EnvsPos) {
				if !slices.Contains(c.spec.Envs, env) {
					continue // an unknown env: checkInstances says so
				}
				if by := in.LeftOutBy(env); by != nil {
					c.errs.Add(&ir.Error{Code: ir.CodeInvalidValue, Pos: in.EnvsPos[env],
						Msg:     fmt.Sprintf("instance %s sets parameters for env %s, which only: leaves out%s; remove envs.%s or add %s to that only:", in.Name, env, onlyList(by), env, env),
						Related: []ir.Related{onlyRelated(by, env)}})
				}
			}
		}
		if !s.Shared {
			c.checkEmptyInEnv(s)
		}
	}
	c.checkNeedsPresent()
}

// checkOnlyNames checks the env names of one only:, and that an instance's are within
// its stack's (within: nil for a stack).
func (c *compilation) checkOnlyNames(o model.Only, what string, within *model.Only) {
	if !o.Set {
		return
	}
	if len(o.Envs) == 0 && len(o.Pos) == 0 {
		c.errs.AddCode(ir.CodeInvalidValue, o.KeyPos, "%s: only: lists no env; name the envs it exists in, or remove it from the spec", what)
		return
	}
	seen := map[string]ir.Pos{}
	bad := func() { // what this only: leaves out follows from an error reported here
		if c.badOnly == nil {
			c.badOnly = map[ir.Pos]bool{}
		}
		c.badOnly[o.KeyPos] = true
	}
	for i, env := range o.Envs {
		if p, ok := seen[env]; ok {
			c.errs.Add(&ir.Error{Code: ir.CodeDuplicateName, Pos: o.Pos[i], Msg: fmt.Sprintf("%s: env %s is listed twice in only:", what, env), Related: []ir.Related{{Pos: p}}})
			continue
		}
		seen[env] = o.Pos[i]
		switch {
		case !slices.Contains(c.spec.Envs, env):
			bad()
			c.errs.AddCode(ir.CodeUnknownEnv, o.Pos[i], "%s: only: names unknown env %s (riglet %s has %s)%s", what, env, c.spec.Name, strings.Join(c.spec.Envs, ", "), didYouMean(env, c.spec.Envs))
		case within != nil && !within.Allows(env):
			bad()
			c.errs.Add(&ir.Error{Code: ir.CodeInvalidValue, Pos: o.Pos[i],
				Msg:     fmt.Sprintf("%s: only: names env %s, which its stack's only: leaves out; an instance exists only where its stack does", what, env),
				Related: []ir.Related{onlyRelated(within, env)}})
		}
	}
}

// checkEmptyInEnv reports the envs a stack exists in where each of its instances'
// only: leaves it out: the stack would have no resources there, which CloudFormation
// refuses. Its own only: says where it exists, in one place a reviewer reads.
func (c *compilation) checkEmptyInEnv(s *model.Stack) {
	if len(s.Instances) == 0 {
		return
	}
	for _, in := range s.Instances {
		for _, env := range in.Only.Envs {
			if !slices.Contains(c.spec.Envs, env) {
				return // a misspelt env is the mistake to report, not its cascade
			}
		}
	}
	var empty, used []string
	for _, env := range c.spec.Envs {
		if !s.In(env) {
			continue
		}
		any := false
		for _, in := range s.Instances {
			any = any || in.In(env)
		}
		if any {
			used = append(used, env)
		} else {
			empty = append(empty, env)
		}
	}
	if len(empty) == 0 || len(used) == 0 {
		return // in no env at all: the only: that names no env of the stack is reported
	}
	var rel []ir.Related
	for _, in := range s.Instances {
		if in.Only.Set {
			rel = append(rel, ir.Related{Pos: in.Only.KeyPos, Msg: "only: of instance " + in.Name})
		}
	}
	fix := "give the stack only: [" + strings.Join(used, ", ") + "]"
	c.errs.Add(&ir.Error{Code: ir.CodeEmptyStack, Pos: s.Pos, Related: rel,
		Msg: fmt.Sprintf("stack %s has no instance in env %s: the only: of each of its instances leaves it out; %s", s.Name, strings.Join(empty, ", "), fix)})
}

// checkNeedsPresent reports a needs: of a stack absent in an env the needing stack
// exists in: the order it asks for cannot be kept there, and what the stack needs it
// for is missing.
func (c *compilation) checkNeedsPresent() {
	byName := map[string]*model.Stack{}
	for _, s := range c.spec.Stacks {
		byName[s.Name] = s
	}
	for _, s := range c.spec.Stacks {
		if s.Shared {
			continue
		}
		for i, n := range s.Needs {
			d := byName[n]
			if d == nil || d.Shared || c.badOnly[d.Only.KeyPos] {
				continue // unknown (checkInstances says so), or its only: is wrong (said)
			}
			var envs []string
			for _, env := range c.spec.Envs {
				if s.In(env) && !d.In(env) {
					envs = append(envs, env)
				}
			}
			if len(envs) > 0 {
				c.errs.Add(&ir.Error{Code: ir.CodeUnknownStack, Pos: s.NeedsPos[i],
					Msg:     fmt.Sprintf("stack %s needs stack %s, which is not in env %s%s", s.Name, n, strings.Join(envs, ", "), onlyList(&d.Only)+"; add "+envs[0]+" to that only:, or leave "+envs[0]+" out of stack "+s.Name+"'s"),
					Related: []ir.Related{onlyRelated(&d.Only, envs[0])}})
			}
		}
	}
}

// onlyRelated points at the only: that leaves env out.
func onlyRelated(o *model.Only, env string) ir.Related {
	return ir.Related{Pos: o.KeyPos, Msg: fmt.Sprintf("only: [%s] leaves %s out", strings.Join(o.Envs, ", "), env)}
}

// onlyList says what an only: holds, for a message.
func onlyList(o *model.Only) string { return " (only: [" + strings.Join(o.Envs, ", ") + "])" }

// present are the stack's instances that exist in the env being compiled (all of
// them for shared stacks).
func (ec *envCompile) present(s *model.Stack) []*model.Instance {
	if ec.env == nil {
		return s.Instances
	}
	var out []*model.Instance
	for _, in := range s.Instances {
		if in.In(ec.envName) {
			out = append(out, in)
		}
	}
	return out
}

// absent reports, at p, a reference (what) to an instance that env has not. In the
// env being compiled the message leaves the env to the error's Envs, so that every
// env that lacks the instance makes one error, merged. Nothing is reported when the
// only: that leaves the instance out is itself wrong (an unknown env): that error is
// the cause, and fixing it may well fix this.
func (ec *envCompile) absent(what string, in *model.Instance, env string, p ir.Pos) *ir.Error {
	e := ec.absentErr(what, in, env, p)
	if e != nil {
		ec.errs.Add(e)
	}
	return e
}

// absentErr is the error absent reports, or nil.
func (ec *envCompile) absentErr(what string, in *model.Instance, env string, p ir.Pos) *ir.Error {
	by := in.LeftOutBy(env)
	if ec.c.badOnly[by.KeyPos] {
		return nil
	}
	where := "in this env"
	if env != ec.envName {
		where = "in env " + env
	}
	e := &ir.Error{Code: ir.CodeWiring, Pos: p, Related: []ir.Related{{Pos: by.KeyPos, Msg: "only: [" + strings.Join(by.Envs, ", ") + "]"}},
		Msg: fmt.Sprintf("%s: instance %s.%s is not %s, which its only: [%s] leaves out; add the env to that only:, or leave the env out of what reads it", what, in.Stack.Name, in.Name, where, strings.Join(by.Envs, ", "))}
	return e
}

// absentWire reports that in's parameter is wired from an instance (prod) the env has
// not. A block wires several parameters from one producer (ecs-service takes three
// from the alb), so the parameters of one reader and producer make one error, which
// names them all.
func (ec *envCompile) absentWire(in *model.Instance, param, block string, prod *model.Instance) {
	what := func(params []string) string {
		if len(params) == 1 {
			return fmt.Sprintf("%s.%s: parameter %s is wired from block %s", in.Stack.Name, in.Name, params[0], block)
		}
		return fmt.Sprintf("%s.%s: parameters %s are wired from block %s", in.Stack.Name, in.Name, strings.Join(params, ", "), block)
	}
	k := [2]*model.Instance{in, prod}
	w, ok := ec.absentWires[k]
	if !ok {
		if ec.absentWires == nil {
			ec.absentWires = map[[2]*model.Instance]*absentWired{}
		}
		w = &absentWired{}
		ec.absentWires[k] = w
	}
	w.params = append(w.params, param)
	switch {
	case !ok:
		w.err = ec.absent(what(w.params), prod, ec.envName, in.Pos)
	case w.err != nil:
		// the same error, grown (errors merge across envs only once every env is done)
		w.err.Msg = ec.absentErr(what(w.params), prod, ec.envName, in.Pos).Msg
	}
}

// absentWired is the one error of a reader whose wiring reaches an absent producer.
type absentWired struct {
	err    *ir.Error // nil when nothing is reported (see absent)
	params []string
}

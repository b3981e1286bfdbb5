package compiler

import (
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// blame records that the problems of errs[from:] were made by instance in, so that a
// partial compile leaves out its stack only.
func (ec *envCompile) blame(from int, in *model.Instance) {
	for _, e := range (*ec.errs)[from:] {
		ec.blameStack(e, in.Stack.Name)
	}
}

// blameStack records that stack made problem e (the first stack to be blamed wins).
func (ec *envCompile) blameStack(e *ir.Error, stack string) {
	if ec.blamed == nil {
		ec.blamed = map[*ir.Error]string{}
	}
	if _, ok := ec.blamed[e]; !ok {
		ec.blamed[e] = stack
	}
}

// specStacks maps every position of the spec's stacks (the stack, its needs, its
// instances and every value they give) to the stack: a problem placed at one of
// them is that stack's.
func (c *compilation) specStacks() map[ir.Pos]string {
	at := map[ir.Pos]string{}
	for _, s := range c.spec.Stacks {
		put := func(p ir.Pos) {
			if _, ok := at[p]; !ok && p.IsValid() {
				at[p] = s.Name
			}
		}
		put(s.Pos)
		for _, p := range s.NeedsPos {
			put(p)
		}
		put(s.Only.KeyPos)
		for _, p := range s.Only.Pos {
			put(p)
		}
		for _, in := range s.Instances {
			put(in.Pos)
			put(in.BlockPos)
			put(in.Only.KeyPos)
			for _, p := range in.Only.Pos {
				put(p)
			}
			for _, p := range in.EnvsPos {
				put(p)
			}
			for _, m := range in.With {
				put(m.Pos)
			}
			for _, n := range append(paramSources(in, ""), in.Alarms) {
				ir.Walk(n, func(m *ir.Node) bool {
					put(m.Pos)
					for _, p := range m.Pairs {
						put(p.KeyPos)
					}
					return true
				})
			}
		}
	}
	return at
}

// blockFiles maps each file of the user's blocks to the stacks that use it: the
// blocks its instances name, and the files its resources came from in any env.
func (c *compilation) blockFiles(res *Result) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	put := func(file, stack string) {
		if c.lib.IsBuiltin(file) {
			return
		}
		if out[file] == nil {
			out[file] = map[string]bool{}
		}
		out[file][stack] = true
	}
	for _, s := range c.spec.Stacks {
		for _, in := range s.Instances {
			put("blocks/"+in.Block+"/block.yaml", s.Name)
			for _, m := range in.With {
				put("blocks/"+m.Block+"/block.yaml", s.Name)
			}
		}
	}
	for _, er := range res.Envs {
		for _, s := range er.Stacks {
			for _, o := range s.Origins {
				put(o.Pos.File.String(), s.Name)
			}
		}
	}
	return out
}

// stacksOf names the stacks a problem is about, by its positions: a value of the
// spec's stacks, or a file of a block they use. None when it is about no one stack
// (an env file's value, the lock), which leaves out the env.
func stacksOf(e *ir.Error, at map[ir.Pos]string, files map[string]map[string]bool) map[string]bool {
	out := map[string]bool{}
	add := func(p ir.Pos) {
		if s, ok := at[p]; ok {
			out[s] = true
		}
		for s := range files[p.File.String()] {
			out[s] = true
		}
	}
	add(e.Pos)
	for _, r := range e.Related {
		add(r.Pos)
	}
	for _, p := range e.Moved {
		add(p)
	}
	return out
}

// keepClean leaves in res only what compiled cleanly: global problems about stacks
// leave those stacks out of every env, others leave out everything; an env's own
// problems leave out the stacks they are about, or the env. A stack that needs one
// left out goes too: its imports would name exports nothing makes. envErrs are the
// env files' problems, whose envs are already out; perEnv the problems of each env
// of res.Envs.
func (c *compilation) keepClean(res *Result, global ir.Errors, envErrs map[*ir.Error]bool, perEnv []ir.Errors) {
	at, files := c.specStacks(), c.blockFiles(res)
	bad := map[string]bool{}
	for _, e := range global {
		if envErrs[e] {
			continue
		}
		st := stacksOf(e, at, files)
		if len(st) == 0 {
			res.Envs = nil
			return
		}
		for s := range st {
			bad[s] = true
		}
	}
	var kept []*EnvResult
	for i, er := range res.Envs {
		envBad := map[string]bool{}
		for s := range bad {
			envBad[s] = true
		}
		whole := false
		for _, e := range perEnv[i] {
			if s, ok := er.blamed[e]; ok {
				envBad[s] = true
				continue
			}
			st := stacksOf(e, at, files)
			whole = whole || len(st) == 0
			for s := range st {
				envBad[s] = true
			}
		}
		if whole {
			continue
		}
		// er.Stacks are in deploy order: a stack's needs come before it.
		var stacks []*StackResult
		for _, s := range er.Stacks {
			for _, n := range s.Needs {
				if envBad[n] {
					envBad[s.Name] = true
				}
			}
			if !envBad[s.Name] {
				stacks = append(stacks, s)
			}
		}
		er.Stacks = stacks
		kept = append(kept, er)
	}
	res.Envs = kept
}

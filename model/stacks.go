package model

import (
	"slices"
	"strings"

	"github.com/riglet/riglet/internal/graph"
	"github.com/riglet/riglet/ir"
)

// StackEntry is a stack the lock records in an env (or "shared"): its CloudFormation
// name and the stacks it needs. A stack removed from the spec stays as Retired, like a
// removed rule's priority, so that it can still be deleted by name and in order (make
// delete-retired) while it may exist in AWS, until riglet lock prune forgets it.
type StackEntry struct {
	StackName string
	Needs     []string // spec names, sorted
	Retired   bool
}

// RetiredStack is a retired stack as make needs it: what to delete, and after what.
type RetiredStack struct {
	Name      string
	StackName string
	Needs     []string
}

// RecordStacks makes the lock's stacks those of live (env -> stack -> entry: what the
// compile made), keeping what the lock held and live lacks as retired: a stack that
// left the spec, or left an env (only:), or whose env left the spec.
func (l *Lock) RecordStacks(live map[string]map[string]StackEntry) {
	out := map[string]map[string]StackEntry{}
	for env, stacks := range live {
		out[env] = map[string]StackEntry{}
		for name, e := range stacks {
			e.Retired = false
			out[env][name] = e
		}
	}
	for env, stacks := range l.Stacks {
		for name, e := range stacks {
			if _, ok := out[env][name]; ok {
				continue
			}
			if out[env] == nil {
				out[env] = map[string]StackEntry{}
			}
			e.Retired = true
			out[env][name] = e
		}
	}
	l.Stacks = out
}

// RetiredStacks are env's retired stacks in the order to delete them: a stack before
// the retired stacks it needs (it imports their exports), names breaking ties.
func (l *Lock) RetiredStacks(env string) []RetiredStack {
	stacks := l.Stacks[env]
	var names []string
	for _, n := range sortedKeys(stacks) {
		if stacks[n].Retired {
			names = append(names, n)
		}
	}
	order, _ := graph.Sort(names, func(n string) []string {
		var ds []string
		for _, d := range stacks[n].Needs {
			if stacks[d].Retired {
				ds = append(ds, d)
			}
		}
		return ds
	})
	slices.Reverse(order)
	out := make([]RetiredStack, 0, len(order))
	for _, n := range order {
		out = append(out, RetiredStack{Name: n, StackName: stacks[n].StackName, Needs: append([]string{}, stacks[n].Needs...)})
	}
	return out
}

// PruneStacks forgets the retired stacks of envs (every env when none is given), once
// they are gone from AWS, and returns them by env.
func (l *Lock) PruneStacks(envs []string) map[string][]RetiredStack {
	out := map[string][]RetiredStack{}
	for _, env := range sortedKeys(l.Stacks) {
		if len(envs) > 0 && !slices.Contains(envs, env) {
			continue
		}
		if r := l.RetiredStacks(env); len(r) > 0 {
			out[env] = r
			for _, s := range r {
				delete(l.Stacks[env], s.Name)
			}
		}
		if len(l.Stacks[env]) == 0 {
			delete(l.Stacks, env)
		}
	}
	return out
}

// parseStacks reads the lock's stacks section.
func parseStacks(n *ir.Node, errs *ir.Errors) map[string]map[string]StackEntry {
	out := map[string]map[string]StackEntry{}
	for _, e := range n.Pairs {
		out[e.Key] = map[string]StackEntry{}
		if e.Value.Kind != ir.Map {
			errs.AddCode(ir.CodeLock, e.Value.Pos, "the stacks of env %s are a map of stack name to its entry", e.Key)
			continue
		}
		for _, s := range e.Value.Pairs {
			so := newObject(s.Value, LockStackKeys, "lock stack "+s.Key, errs)
			var ent StackEntry
			ent.StackName, _ = so.required("stackName")
			ent.Needs, _ = so.strings("needs")
			ent.Retired = so.boolean("retired")
			so.done()
			out[e.Key][s.Key] = ent
		}
	}
	return out
}

// writeStacks writes the lock's stacks section, sorted: one line per stack.
func writeStacks(b *strings.Builder, stacks map[string]map[string]StackEntry) {
	if len(stacks) == 0 {
		return
	}
	b.WriteString("stacks:\n")
	for _, env := range sortedKeys(stacks) {
		b.WriteString("  " + env + ":\n")
		for _, name := range sortedKeys(stacks[env]) {
			e := stacks[env][name]
			b.WriteString("    " + yamlKey(name) + ": {stackName: " + yamlKey(e.StackName))
			if len(e.Needs) > 0 {
				quoted := make([]string, len(e.Needs))
				for i, n := range e.Needs {
					quoted[i] = yamlKey(n)
				}
				b.WriteString(", needs: [" + strings.Join(quoted, ", ") + "]")
			}
			if e.Retired {
				// Gone from the spec; the stack may still be deployed.
				b.WriteString(", retired: true")
			}
			b.WriteString("}\n")
		}
	}
}

package compiler

import (
	"cmp"
	"slices"

	"github.com/riglet/riglet/priority"
)

// Released is a retired allocation that a prune let go.
type Released struct {
	Env, Listener, Key string
	Priority           int
}

// Prune releases from the lock the retired listener rule priorities of the given envs
// (every env when none is given), once their stacks are gone from AWS, and says what
// it released, in order. Marshal the lock afterwards to write it.
func (r *Result) Prune(envs []string) []Released {
	var out []Released
	for env, listeners := range r.Lock.Priorities {
		if len(envs) > 0 && !slices.Contains(envs, env) {
			continue
		}
		for listener, rules := range listeners {
			for key, e := range rules {
				if e.Retired {
					out = append(out, Released{Env: env, Listener: listener, Key: key, Priority: e.Priority})
				}
			}
		}
		pruned := priority.Prune(&priority.Lock{Listeners: listeners}, nil)
		if len(pruned.Listeners) == 0 {
			delete(r.Lock.Priorities, env)
		} else {
			r.Lock.Priorities[env] = pruned.Listeners
		}
	}
	slices.SortFunc(out, func(a, b Released) int {
		return cmp.Or(cmp.Compare(a.Env, b.Env), cmp.Compare(a.Listener, b.Listener), cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.Key, b.Key))
	})
	return out
}

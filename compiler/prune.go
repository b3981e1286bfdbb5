package compiler

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/riglet/riglet/priority"
)

// Released is a retired allocation that a prune let go: a listener rule priority
// (Listener, Key, Priority), a network allocation (CIDR: an env's VPC, or with Tier and
// AZ a subnet of a removed AZ or tier), or a removed stack (Stack, StackName).
type Released struct {
	Env, Listener, Key string
	Priority           int

	CIDR     netip.Prefix
	Tier, AZ string

	// Stack and StackName: a stack removed from the spec, forgotten once deleted.
	Stack, StackName string
}

// Prune releases from the lock the retired allocations of the given envs (every env when
// none is given), once their stacks are gone from AWS: listener rule priorities of
// removed services, the VPCs of removed envs and subnets of removed AZs, and removed
// stacks. It says what it released, in order. Marshal the lock afterwards to write it.
func (r *Result) Prune(envs []string) []Released {
	var out []Released
	for _, n := range r.Lock.Network.Prune(envs) {
		out = append(out, Released{Env: n.Env, CIDR: n.CIDR, Tier: n.Tier, AZ: n.AZ})
	}
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
	for env, stacks := range r.Lock.PruneStacks(envs) {
		for _, st := range stacks {
			out = append(out, Released{Env: env, Stack: st.Name, StackName: st.StackName})
		}
	}
	for _, e := range r.Envs {
		e.Retired = r.Lock.RetiredStacks(e.Env) // what stacks.json lists now
	}
	// Within an env: stacks by name, then the network (no listener sorts first), then by
	// listener and priority.
	isStack := func(r Released) int {
		if r.Stack != "" {
			return 0
		}
		return 1
	}
	slices.SortFunc(out, func(a, b Released) int {
		return cmp.Or(cmp.Compare(a.Env, b.Env), cmp.Compare(isStack(a), isStack(b)), cmp.Compare(a.Stack, b.Stack),
			cmp.Compare(a.Listener, b.Listener), cmp.Compare(a.Tier, b.Tier),
			cmp.Compare(a.AZ, b.AZ), cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.Key, b.Key))
	})
	return out
}

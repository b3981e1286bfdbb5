package compiler

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/riglet/riglet/priority"
)

// Released is a retired allocation that a prune let go: a listener rule priority
// (Listener, Key, Priority) or a network allocation (CIDR: an env's VPC, or with Tier and
// AZ a subnet of a removed AZ or tier).
type Released struct {
	Env, Listener, Key string
	Priority           int

	CIDR     netip.Prefix
	Tier, AZ string
}

// Prune releases from the lock the retired allocations of the given envs (every env when
// none is given), once their stacks are gone from AWS: listener rule priorities of
// removed services, and the VPCs of removed envs and subnets of removed AZs. It says what
// it released, in order. Marshal the lock afterwards to write it.
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
	// Network first within an env (no listener sorts first), then by listener and priority.
	slices.SortFunc(out, func(a, b Released) int {
		return cmp.Or(cmp.Compare(a.Env, b.Env), cmp.Compare(a.Listener, b.Listener), cmp.Compare(a.Tier, b.Tier),
			cmp.Compare(a.AZ, b.AZ), cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.Key, b.Key))
	})
	return out
}

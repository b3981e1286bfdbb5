package model

import (
	"fmt"
	"strings"

	"github.com/riglet/riglet/netplan"
	"github.com/riglet/riglet/priority"
)

// EnvChanges is what a lock change does to one env: each line says what would be
// allocated, moved, retired or released, and why.
type EnvChanges struct {
	Env     string
	Changes []string
}

// DescribeLockChange compares two locks, env by env (in name order), and says what the
// new one would allocate, move, retire or release: what a --frozen or --check compile
// shows instead of a bare line diff, so that a moved CIDR is never an empty list.
func DescribeLockChange(old, new *Lock) []EnvChanges {
	if old == nil {
		old = &Lock{}
	}
	if new == nil {
		new = &Lock{}
	}
	on, nn := netEnvs(old.Network), netEnvs(new.Network)
	names := map[string]bool{}
	for _, m := range []map[string]*netplan.EnvLock{on, nn} {
		for k := range m {
			names[k] = true
		}
	}
	for _, m := range []map[string]map[string]map[string]priority.Entry{old.Priorities, new.Priorities} {
		for k := range m {
			names[k] = true
		}
	}
	for _, m := range []map[string]map[string]StackEntry{old.Stacks, new.Stacks} {
		for k := range m {
			names[k] = true
		}
	}
	var out []EnvChanges
	for _, env := range sortedKeys(names) {
		var c []string
		c = append(c, networkChanges(on[env], nn[env])...)
		c = append(c, priorityChanges(old.Priorities[env], new.Priorities[env])...)
		c = append(c, stackChanges(env, old.Stacks[env], new.Stacks[env])...)
		if len(c) > 0 {
			out = append(out, EnvChanges{Env: env, Changes: c})
		}
	}
	return out
}

func netEnvs(l *netplan.Lock) map[string]*netplan.EnvLock {
	if l == nil {
		return nil
	}
	return l.Envs
}

func networkChanges(o, n *netplan.EnvLock) []string {
	var c []string
	switch {
	case o == nil && n == nil:
		return nil
	case n == nil:
		return []string{fmt.Sprintf("VPC %s released (riglet lock prune: its stacks are gone)", o.CIDR)}
	case o == nil && n.Retired:
		return []string{fmt.Sprintf("VPC %s retired (the env left the spec; riglet lock prune releases it)", n.CIDR)}
	case o == nil:
		c = append(c, fmt.Sprintf("VPC %s allocated (new env)", n.CIDR))
	case n.Retired && !o.Retired:
		return []string{fmt.Sprintf("VPC %s retired (the env left the spec; its stacks may still exist, so no other env gets it until riglet lock prune)", n.CIDR)}
	case o.Retired && !n.Retired:
		c = append(c, fmt.Sprintf("VPC %s back in use (the env is back in the spec)", n.CIDR))
	case o.CIDR != n.CIDR:
		c = append(c, fmt.Sprintf("VPC moved %s -> %s (the env file's cidr changed: a VPC replacement, every subnet moves)", o.CIDR, n.CIDR))
	}
	if o == nil {
		o = &netplan.EnvLock{}
	}
	for _, tier := range sortedKeys(union(o.Subnets, n.Subnets)) {
		for _, az := range sortedKeys(union(o.Subnets[tier], n.Subnets[tier])) {
			was, had := o.Subnets[tier][az]
			now, has := n.Subnets[tier][az]
			name := "subnet " + tier + "/" + az
			switch {
			case !had && has:
				why := "new AZ"
				if _, ok := o.Subnets[tier]; !ok {
					why = "new tier"
				}
				if p, ok := o.RetiredSubnets[tier][az]; ok && p == now {
					why = "its AZ is back: its retired subnet"
				}
				if len(o.Subnets) == 0 && len(o.RetiredSubnets) == 0 {
					why = "new env"
				}
				c = append(c, fmt.Sprintf("%s %s allocated (%s)", name, now, why))
			case had && has && was != now:
				why := "its explicit CIDR in the env file changed"
				if o.CIDR != n.CIDR {
					why = "the VPC moved"
				}
				c = append(c, fmt.Sprintf("%s moved %s -> %s (%s)", name, was, now, why))
			case had && !has:
				if p, ok := n.RetiredSubnets[tier][az]; ok && p == was {
					why := "its AZ left the env"
					if _, ok := n.Subnets[tier]; !ok {
						why = "its tier left the network section"
					}
					c = append(c, fmt.Sprintf("%s %s retired (%s; its stacks may still exist, so no other AZ gets it until riglet lock prune)", name, was, why))
				} else {
					c = append(c, fmt.Sprintf("%s %s dropped (it lies outside the env's VPC %s)", name, was, n.CIDR))
				}
			}
		}
	}
	for _, tier := range sortedKeys(o.RetiredSubnets) {
		for _, az := range sortedKeys(o.RetiredSubnets[tier]) {
			p := o.RetiredSubnets[tier][az]
			if _, still := n.RetiredSubnets[tier][az]; still || n.Subnets[tier][az] == p {
				continue
			}
			c = append(c, fmt.Sprintf("retired subnet %s/%s %s released (riglet lock prune: its stacks are gone)", tier, az, p))
		}
	}
	for _, tier := range sortedKeys(n.RetiredSubnets) {
		for _, az := range sortedKeys(n.RetiredSubnets[tier]) {
			p := n.RetiredSubnets[tier][az]
			if _, was := o.Subnets[tier][az]; was || o.RetiredSubnets[tier][az] == p {
				continue
			}
			c = append(c, fmt.Sprintf("subnet %s/%s %s retired (its explicit CIDR replaced it)", tier, az, p))
		}
	}
	for _, tier := range sortedKeys(union(o.Slots, n.Slots)) {
		was, had := o.Slots[tier]
		now, has := n.Slots[tier]
		switch {
		case had && has && was != now:
			c = append(c, fmt.Sprintf("slot of tier %s %s -> %s (where the tier's new subnets go; no deployed subnet moves)", tier, was, now))
		case !had && has && len(o.Slots) > 0:
			c = append(c, fmt.Sprintf("slot of tier %s %s allocated (new tier)", tier, now))
		case had && !has:
			c = append(c, fmt.Sprintf("slot of tier %s %s dropped (the tier left the network section)", tier, was))
		}
	}
	return c
}

func priorityChanges(o, n map[string]map[string]priority.Entry) []string {
	var c []string
	for _, li := range sortedKeys(union(o, n)) {
		for _, rule := range sortedKeys(union(o[li], n[li])) {
			was, had := o[li][rule]
			now, has := n[li][rule]
			switch {
			case !had && has && now.Retired:
				c = append(c, fmt.Sprintf("priority %d of %s on %s retired", now.Priority, rule, li))
			case !had && has:
				c = append(c, fmt.Sprintf("priority %d of %s on %s allocated (new rule)", now.Priority, rule, li))
			case had && !has:
				c = append(c, fmt.Sprintf("priority %d of %s on %s released", was.Priority, rule, li))
			case was.Priority != now.Priority:
				c = append(c, fmt.Sprintf("priority of %s on %s moved %d -> %d", rule, li, was.Priority, now.Priority))
			case !was.Retired && now.Retired:
				c = append(c, fmt.Sprintf("priority %d of %s on %s retired (the rule is gone; riglet lock prune releases it)", now.Priority, rule, li))
			case was.Retired && !now.Retired:
				c = append(c, fmt.Sprintf("priority %d of %s on %s back in use", now.Priority, rule, li))
			}
		}
	}
	return c
}

func union[V any](a, b map[string]V) map[string]bool {
	out := make(map[string]bool, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func stackChanges(env string, o, n map[string]StackEntry) []string {
	var c []string
	for _, name := range sortedKeys(union(o, n)) {
		was, had := o[name]
		now, has := n[name]
		switch {
		case !had && has && now.Retired:
			c = append(c, fmt.Sprintf("stack %s (%s) retired", name, now.StackName))
		case !had && has:
			c = append(c, fmt.Sprintf("stack %s (%s) recorded (a new stack)", name, now.StackName))
		case had && !has:
			c = append(c, fmt.Sprintf("stack %s (%s) released (riglet lock prune: it is gone)", name, was.StackName))
		case !was.Retired && now.Retired:
			c = append(c, fmt.Sprintf("stack %s (%s) retired (it left the spec; make delete-retired ENV=%s deletes it, then riglet lock prune)", name, now.StackName, env))
		case was.Retired && !now.Retired:
			c = append(c, fmt.Sprintf("stack %s (%s) back in use", name, now.StackName))
		case was.StackName != now.StackName:
			c = append(c, fmt.Sprintf("stack %s renamed %s -> %s (the owner or riglet changed: a new stack in AWS)", name, was.StackName, now.StackName))
		case strings.Join(was.Needs, ",") != strings.Join(now.Needs, ","):
			c = append(c, fmt.Sprintf("stack %s needs %s (was %s)", name, orNone(now.Needs), orNone(was.Needs)))
		}
	}
	return c
}

func orNone(ss []string) string {
	if len(ss) == 0 {
		return "nothing"
	}
	return strings.Join(ss, ", ")
}

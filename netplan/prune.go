package netplan

import (
	"net/netip"
	"slices"
)

// Released is a retired allocation that a prune let go: an env's VPC (Tier and AZ empty)
// or a subnet of a removed AZ or tier.
type Released struct {
	Env, Tier, AZ string
	CIDR          netip.Prefix
}

// Prune releases the retired VPCs and subnets of the given envs (every env when none is
// given), once their stacks are gone from AWS, and says what it released, in env, tier,
// AZ order.
func (l *Lock) Prune(envs []string) []Released {
	if l == nil {
		return nil
	}
	var out []Released
	for _, name := range sortedKeys(l.Envs) {
		el := l.Envs[name]
		if el == nil || len(envs) > 0 && !slices.Contains(envs, name) {
			continue
		}
		if el.Retired {
			out = append(out, Released{Env: name, CIDR: el.CIDR})
			delete(l.Envs, name)
			continue
		}
		for _, tier := range sortedKeys(el.RetiredSubnets) {
			for _, az := range sortedKeys(el.RetiredSubnets[tier]) {
				out = append(out, Released{Env: name, Tier: tier, AZ: az, CIDR: el.RetiredSubnets[tier][az]})
			}
		}
		el.RetiredSubnets = nil
	}
	return out
}

package netplan

import "net/netip"

// AZSlots numbers an env's AZs by where their subnets sit in the tiers' slots, from 1:
// the AZ whose subnet is the slot's first subnet is 1, the next subnet 2, and so on.
// Per-AZ resources are named by this number, not by the AZ's position in the env's
// `azs`: a subnet never moves (the lock keeps it by AZ name), so the number never
// changes, and inserting, removing or re-ordering AZs adds or removes whole per-AZ sets
// instead of renaming the others (which CloudFormation would replace, asking for CIDRs
// the old subnets still hold).
//
// An AZ takes its number from the first tier, in plan order, whose subnet for it lies
// in that tier's slot: the tiers' allocations agree for AZs planned together, and the
// first tier decides when they do not (an explicit subnet). An AZ with no subnet in any
// slot (all explicit, elsewhere) or whose number another AZ already took gets the
// lowest free number, in env order; only such AZs can be renumbered by later edits.
// el is the env's entry of the lock Allocate returned with the plan.
func AZSlots(p *Plan, azs []string, el *EnvLock) map[string]int {
	var tiers []string
	sub := map[string]map[string]netip.Prefix{}
	for _, s := range p.Subnets {
		if sub[s.Tier] == nil {
			tiers = append(tiers, s.Tier)
			sub[s.Tier] = map[string]netip.Prefix{}
		}
		sub[s.Tier][s.AZ] = s.CIDR
	}
	out := make(map[string]int, len(azs))
	taken := map[int]bool{}
	for _, t := range tiers {
		slot, ok := el.slot(t)
		if !ok {
			continue
		}
		for _, az := range azs {
			c, ok := sub[t][az]
			if _, done := out[az]; done || !ok || c.Bits() < slot.Bits() || !slot.Contains(c.Addr()) {
				continue
			}
			n := int((spanOf(c).lo-spanOf(slot).lo)/size(c.Bits())) + 1
			if !taken[n] {
				out[az], taken[n] = n, true
			}
		}
	}
	n := 1
	for _, az := range azs {
		if _, done := out[az]; done {
			continue
		}
		for taken[n] {
			n++
		}
		out[az], taken[n] = n, true
	}
	return out
}

package netplan

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"

	"github.com/riglet/riglet/ir"
)

// span is the address range [lo, hi) of an IPv4 prefix; uint64 so that hi of the last
// block (2^32) does not overflow.
type span struct{ lo, hi uint64 }

func size(bits int) uint64 { return 1 << (32 - bits) }

func spanOf(p netip.Prefix) span {
	a := p.Masked().Addr().As4()
	lo := uint64(binary.BigEndian.Uint32(a[:]))
	return span{lo, lo + size(p.Bits())}
}

func (s span) overlaps(t span) bool { return s.lo < t.hi && t.lo < s.hi }
func (s span) contains(t span) bool { return s.lo <= t.lo && t.hi <= s.hi }

func overlapsAny(s span, ts []span) bool {
	for _, t := range ts {
		if s.overlaps(t) {
			return true
		}
	}
	return false
}

func prefixAt(lo uint64, bits int) netip.Prefix {
	var a [4]byte
	binary.BigEndian.PutUint32(a[:], uint32(lo))
	return netip.PrefixFrom(netip.AddrFrom4(a), bits)
}

// firstFit returns the lowest address of an aligned /bits block inside in that overlaps
// nothing taken.
func firstFit(in span, bits int, taken []span) (uint64, bool) {
	n := size(bits)
	c := alignUp(in.lo, n)
	for c+n <= in.hi {
		moved := false
		for _, t := range taken {
			if t.overlaps(span{c, c + n}) {
				c = alignUp(t.hi, n)
				moved = true
				break
			}
		}
		if !moved {
			return c, true
		}
	}
	return 0, false
}

func alignUp(x, n uint64) uint64 { return (x + n - 1) &^ (n - 1) }

// slotBits is the prefix length of a block holding maxAZs subnets of /tierSize, rounded
// up to a power of two so that the block can be aligned.
func slotBits(tierSize, maxAZs int) int { return tierSize - bits.Len(uint(maxAZs-1)) }

func (el *EnvLock) slot(tier string) (netip.Prefix, bool) {
	if el == nil {
		return netip.Prefix{}, false
	}
	p, ok := el.Slots[tier]
	return p, ok
}

func (el *EnvLock) subnet(tier, az string) (netip.Prefix, bool) {
	if el == nil {
		return netip.Prefix{}, false
	}
	p, ok := el.Subnets[tier][az]
	return p, ok
}

type vpc struct {
	cidr   netip.Prefix
	source string
}

// allocateVPCs resolves every env's VPC: explicit ones first, then valid lock entries in
// env order, then new blocks from the pool in env order, stepping around the VPCs of
// retired envs (returned, to be kept in the lock). An explicit cidr over another env's
// locked or retired VPC is an error: that VPC is deployed, and taking its CIDR would move
// it. An env left without a VPC (pool exhausted, conflict) has a zero cidr and an error.
func allocateVPCs(cfg Config, envs []Env, lock *Lock, errs *ir.Errors) ([]vpc, map[string]*EnvLock) {
	out := make([]vpc, len(envs))
	var taken []span
	listed := make(map[string]bool, len(envs))
	for _, e := range envs {
		listed[e.Name] = true
	}
	var names []string
	if lock != nil {
		names = sortedKeys(lock.Envs)
	}
	for i, e := range envs {
		if !e.CIDR.IsValid() {
			continue
		}
		conflict := false
		for _, n := range names {
			el := lock.Envs[n]
			if n == e.Name || el == nil || !isNet(el.CIDR) || !el.CIDR.Overlaps(e.CIDR) {
				continue
			}
			state := "locked"
			if el.Retired || !listed[n] {
				state = "retired"
			}
			errs.Add(&ir.Error{Code: ir.CodeNetwork, Pos: e.CIDRPos,
				Msg: fmt.Sprintf("env %q cidr %s overlaps env %q's %s VPC %s: that VPC may be deployed and would have to move; choose another cidr (or run riglet lock prune once env %q's stacks are gone)",
					e.Name, e.CIDR, n, state, el.CIDR, n),
				Related: []ir.Related{{Pos: el.CIDRPos, Msg: fmt.Sprintf("env %q's %s VPC %s in the lock", n, state, el.CIDR)}}})
			conflict = true
		}
		if conflict {
			continue
		}
		out[i] = vpc{e.CIDR, SourceExplicit}
		taken = append(taken, spanOf(e.CIDR))
	}
	for i, e := range envs {
		el := lock.env(e.Name)
		if out[i].cidr.IsValid() || e.CIDR.IsValid() || el == nil || !validVPC(el.CIDR) {
			continue
		}
		s := spanOf(el.CIDR)
		if overlapsAny(s, taken) {
			continue
		}
		out[i] = vpc{el.CIDR, SourceLocked}
		taken = append(taken, s)
	}
	retired := map[string]*EnvLock{}
	for _, n := range names {
		el := lock.Envs[n]
		if listed[n] || el == nil || !validVPC(el.CIDR) || overlapsAny(spanOf(el.CIDR), taken) {
			continue
		}
		r := *el
		r.Retired, r.CIDRPos, r.SubnetPos = true, ir.Pos{}, nil
		retired[n] = &r
		taken = append(taken, spanOf(el.CIDR))
	}
	if len(*errs) > 0 {
		return out, retired
	}
	pool := spanOf(cfg.Pool)
	var starved []ir.Related
	for i, e := range envs {
		if out[i].cidr.IsValid() {
			continue
		}
		lo, ok := firstFit(pool, cfg.Prefix, taken)
		if !ok {
			starved = append(starved, ir.Related{Pos: e.Pos, Msg: "env " + strconv.Quote(e.Name) + " gets no block"})
			continue
		}
		out[i] = vpc{prefixAt(lo, cfg.Prefix), SourceNew}
		taken = append(taken, span{lo, lo + size(cfg.Prefix)})
	}
	if len(starved) > 0 {
		errs.Add(&ir.Error{Code: ir.CodeNetwork, Pos: cfg.PoolPos, Related: starved,
			Msg: fmt.Sprintf("network pool %s is too small: no free /%d is left for %d env(s)", cfg.Pool, cfg.Prefix, len(starved))})
	}
	return out, retired
}

func validVPC(p netip.Prefix) bool {
	return isNet(p) && p.Bits() >= minVPCBits && p.Bits() <= maxVPCBits
}

type explicitSubnet struct {
	p        netip.Prefix
	tier, az string
	pos      ir.Pos
}

// lockedSubnet is a subnet the lock holds for an env: in use (an AZ of a tier) or retired.
type lockedSubnet struct {
	p        netip.Prefix
	tier, az string
	retired  bool
	pos      ir.Pos
}

// lockedSubnets lists what the lock holds inside the env's VPC, in a fixed order. A lock
// for another VPC (the env's explicit cidr changed) holds nothing here: the user moved
// the whole VPC.
func lockedSubnets(el *EnvLock, v vpc) []lockedSubnet {
	if el == nil || el.CIDR != v.cidr {
		return nil
	}
	vs := spanOf(v.cidr)
	var out []lockedSubnet
	for i, m := range []map[string]map[string]netip.Prefix{el.Subnets, el.RetiredSubnets} {
		for _, tier := range sortedKeys(m) {
			for _, az := range sortedKeys(m[tier]) {
				p := m[tier][az]
				if !isNet(p) || p.Bits() <= v.cidr.Bits() || p.Bits() > maxSubnetBits || !vs.contains(spanOf(p)) {
					continue
				}
				out = append(out, lockedSubnet{p, tier, az, i == 1, el.SubnetPos[tier][az]})
			}
		}
	}
	return out
}

func (l lockedSubnet) String() string {
	state := "locked"
	if l.retired {
		state = "retired"
	}
	return fmt.Sprintf("%s subnet %s of tier %q in AZ %q", state, l.p, l.tier, l.az)
}

// planEnv places one env's slots and subnets inside its VPC.
func planEnv(cfg Config, e Env, v vpc, el *EnvLock, errs *ir.Errors) (Plan, *EnvLock) {
	vs := spanOf(v.cidr)
	nt := len(cfg.Tiers)
	held := lockedSubnets(el, v)
	picks := make([][]Subnet, nt)
	taken := make([]span, 0, nt*len(e.AZs)) // every subnet placed so far
	explicitOf := make([][]span, nt)        // explicit subnets by tier index
	var explicit []explicitSubnet           // for naming the other side of an overlap
	for ti, t := range cfg.Tiers {
		picks[ti] = make([]Subnet, len(e.AZs))
		for ai, az := range e.AZs {
			p, ok := e.Subnets[t.Name][az]
			if !ok {
				continue
			}
			pos, s := subnetPos(e, t.Name, az), spanOf(p)
			if !vs.contains(s) {
				errs.AddCode(ir.CodeNetwork, pos, "env %q subnet %s for tier %q in AZ %q lies outside the env's VPC %s", e.Name, p, t.Name, az, v.cidr)
				continue
			}
			if other := overlapping(p, explicit); other != nil {
				errs.Add(&ir.Error{Code: ir.CodeNetwork, Pos: pos,
					Msg: fmt.Sprintf("env %q subnet %s for tier %q in AZ %q overlaps subnet %s for tier %q in AZ %q",
						e.Name, p, t.Name, az, other.p, other.tier, other.az),
					Related: []ir.Related{{Pos: other.pos, Msg: fmt.Sprintf("subnet %s for tier %q in AZ %q", other.p, other.tier, other.az)}}})
				continue
			}
			// Another AZ's (or tier's) deployed subnet is never evicted by an explicit
			// one: CloudFormation would have to move it, and create the new subnet first.
			clash := false
			for _, l := range held {
				if l.p.Overlaps(p) && !(l.tier == t.Name && l.az == az) {
					errs.Add(&ir.Error{Code: ir.CodeNetwork, Pos: pos,
						Msg: fmt.Sprintf("env %q subnet %s for tier %q in AZ %q overlaps the %s: that subnet may be deployed and would have to move; choose another CIDR",
							e.Name, p, t.Name, az, l),
						Related: []ir.Related{{Pos: l.pos, Msg: "the " + l.String() + " in the lock"}}})
					clash = true
				}
			}
			if clash {
				continue
			}
			explicit = append(explicit, explicitSubnet{p, t.Name, az, pos})
			explicitOf[ti] = append(explicitOf[ti], s)
			taken = append(taken, s)
			picks[ti][ai] = Subnet{Tier: t.Name, AZ: az, CIDR: p, Source: SourceExplicit}
		}
	}

	slots := keepSlots(cfg, v, el)

	// A locked subnet keeps its CIDR, whatever its tier's size is today (a size change
	// applies to new subnets only), and even outside its tier's slot (the slot moved
	// because max_azs outgrew it): the slot only says where the tier's new subnets go. A
	// retired subnet comes back to its AZ when the AZ does. One that cannot stay would
	// move a deployed subnet: an error.
	used := make([]bool, len(held))
	keptOf := make([][]span, nt)
	for ti, t := range cfg.Tiers {
		others := slotSpans(slots, ti)
		for ai, az := range e.AZs {
			if picks[ti][ai].CIDR.IsValid() {
				markUsed(held, used, t.Name, az, picks[ti][ai].CIDR)
				continue
			}
			li := -1
			for i, l := range held {
				if l.tier == t.Name && l.az == az && !used[i] && (li < 0 || !l.retired) {
					li = i
				}
			}
			if li < 0 {
				continue
			}
			l, s := held[li], spanOf(held[li].p)
			if overlapsAny(s, taken) || overlapsAny(s, others) {
				if !l.retired {
					errs.Add(&ir.Error{Code: ir.CodeNetwork, Pos: t.Pos,
						Msg:     fmt.Sprintf("env %q: the %s would move: it overlaps another subnet or another tier's slot", e.Name, l),
						Related: []ir.Related{{Pos: l.pos, Msg: "the " + l.String() + " in the lock"}}})
				}
				continue
			}
			used[li] = true
			taken = append(taken, s)
			keptOf[ti] = append(keptOf[ti], s)
			picks[ti][ai] = Subnet{Tier: t.Name, AZ: az, CIDR: l.p, Source: SourceLocked}
		}
	}
	// What the lock held and the plan no longer uses is retired: kept from new subnets
	// until a prune says its stacks are gone.
	retired := map[string]map[string]netip.Prefix{}
	for i, l := range held {
		if used[i] || overlapsAny(spanOf(l.p), taken) {
			continue
		}
		if retired[l.tier] == nil {
			retired[l.tier] = map[string]netip.Prefix{}
		}
		if _, dup := retired[l.tier][l.az]; dup {
			continue
		}
		retired[l.tier][l.az] = l.p
		taken = append(taken, spanOf(l.p))
	}

	placeSlots(cfg, e, v, slots, explicitOf, keptOf, errs)

	for ti, t := range cfg.Tiers {
		if !slots[ti].IsValid() {
			continue
		}
		ss := spanOf(slots[ti])
		for ai, az := range e.AZs {
			if picks[ti][ai].CIDR.IsValid() {
				continue
			}
			lo, ok := firstFit(ss, t.Size, taken)
			if !ok {
				why := ""
				if held := retiredIn(retired[t.Name], ss); held != "" {
					why = " (retired subnets of " + held + " hold it until riglet lock prune, once their stacks are gone)"
				}
				errs.Add(&ir.Error{Code: ir.CodeNetwork, Pos: e.AZsPos,
					Msg:     fmt.Sprintf("env %q tier %q slot %s has no free /%d left for AZ %q%s", e.Name, t.Name, slots[ti], t.Size, az, why),
					Related: []ir.Related{{Pos: t.Pos, Msg: "tier " + strconv.Quote(t.Name) + " declared here"}}})
				continue
			}
			taken = append(taken, span{lo, lo + size(t.Size)})
			picks[ti][ai] = Subnet{Tier: t.Name, AZ: az, CIDR: prefixAt(lo, t.Size), Source: SourceNew}
		}
	}

	plan := Plan{Env: e.Name, CIDR: v.cidr, CIDRSource: v.source, Subnets: make([]Subnet, 0, nt*len(e.AZs))}
	out := &EnvLock{CIDR: v.cidr, Slots: make(map[string]netip.Prefix, nt), Subnets: make(map[string]map[string]netip.Prefix, nt)}
	if len(retired) > 0 {
		out.RetiredSubnets = retired
	}
	for ti, t := range cfg.Tiers {
		if slots[ti].IsValid() {
			out.Slots[t.Name] = slots[ti]
		}
		m := make(map[string]netip.Prefix, len(e.AZs))
		for _, s := range picks[ti] {
			if s.CIDR.IsValid() {
				s.Usable = Usable(s.CIDR)
				plan.Subnets = append(plan.Subnets, s)
				m[s.AZ] = s.CIDR
			}
		}
		out.Subnets[t.Name] = m
	}
	return plan, out
}

// retiredIn names the AZs whose retired subnets lie in the slot, or "".
func retiredIn(byAZ map[string]netip.Prefix, slot span) string {
	var azs []string
	for _, az := range sortedKeys(byAZ) {
		if slot.overlaps(spanOf(byAZ[az])) {
			azs = append(azs, "AZ "+strconv.Quote(az))
		}
	}
	return strings.Join(azs, ", ")
}

// markUsed marks the lock's entries for tier and AZ that the explicit p keeps in place.
func markUsed(held []lockedSubnet, used []bool, tier, az string, p netip.Prefix) {
	for i, l := range held {
		if l.tier == tier && l.az == az && l.p == p {
			used[i] = true
		}
	}
}

// keepSlots returns the lock's slots that are still valid, by tier index (zero where
// there is none).
func keepSlots(cfg Config, v vpc, el *EnvLock) []netip.Prefix {
	vs := spanOf(v.cidr)
	slots := make([]netip.Prefix, len(cfg.Tiers))
	for ti, t := range cfg.Tiers {
		ls, ok := el.slot(t.Name)
		if !ok || !isNet(ls) || ls.Bits() > t.Size || ls.Bits() < v.cidr.Bits() || !vs.contains(spanOf(ls)) {
			continue
		}
		if overlapsAny(spanOf(ls), slotSpans(slots, -1)) {
			continue
		}
		slots[ti] = ls
	}
	return slots
}

// placeSlots completes slots in tier order. A kept slot smaller than max_azs now asks for
// grows in place to the aligned block that holds it where that block is free, and
// otherwise moves to a new block (its subnets stay where they are). A new or grown slot
// keeps clear of the other slots and of other tiers' explicit and kept subnets, so that
// all of it is the tier's.
func placeSlots(cfg Config, e Env, v vpc, slots []netip.Prefix, explicitOf, keptOf [][]span, errs *ir.Errors) {
	vs := spanOf(v.cidr)
	avoid := func(ti int) []span {
		a := slotSpans(slots, ti)
		for tj := range explicitOf {
			if tj != ti {
				a = append(a, explicitOf[tj]...)
				a = append(a, keptOf[tj]...)
			}
		}
		return a
	}
	for ti, t := range cfg.Tiers {
		want := slotBits(t.Size, cfg.MaxAZs)
		ls := slots[ti]
		if ls.IsValid() && ls.Bits() <= want {
			continue
		}
		if ls.IsValid() && want >= v.cidr.Bits() {
			g := netip.PrefixFrom(ls.Addr(), want).Masked()
			if !overlapsAny(spanOf(g), avoid(ti)) {
				slots[ti] = g
				continue
			}
		}
		slots[ti] = netip.Prefix{}
		lo, ok := firstFit(vs, want, avoid(ti))
		if !ok {
			pos := e.Pos
			if v.source == SourceExplicit {
				pos = e.CIDRPos
			}
			errs.Add(&ir.Error{Code: ir.CodeNetwork, Pos: pos,
				Msg: fmt.Sprintf("env %q VPC %s has no room for tier %q: its slot of %d /%d subnets needs a free /%d",
					e.Name, v.cidr, t.Name, cfg.MaxAZs, t.Size, want),
				Related: []ir.Related{{Pos: t.Pos, Msg: "tier " + strconv.Quote(t.Name) + " declared here"}}})
			continue
		}
		slots[ti] = prefixAt(lo, want)
	}
}

// slotSpans returns the placed slots but the one at index skip.
func slotSpans(slots []netip.Prefix, skip int) []span {
	var out []span
	for i, s := range slots {
		if i != skip && s.IsValid() {
			out = append(out, spanOf(s))
		}
	}
	return out
}

func overlapping(p netip.Prefix, es []explicitSubnet) *explicitSubnet {
	for i := range es {
		if es[i].p.Overlaps(p) {
			return &es[i]
		}
	}
	return nil
}

package netplan

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/riglet/riglet/ir"
)

var azNames = []string{"a", "b", "c", "d", "e", "f", "g", "h"}

// randConfig returns a network section that passes the config checks.
func randConfig(r *rand.Rand) Config {
	pools := []string{"10.0.0.0/8", "10.64.0.0/10", "172.16.0.0/12", "10.0.0.0/12", "192.168.0.0/16"}
	for {
		pool := mp(pools[r.IntN(len(pools))])
		lo, hi := max(16, pool.Bits()+4), min(24, pool.Bits()+10)
		if lo > hi {
			continue
		}
		cfg := Config{Pool: pool, Prefix: lo + r.IntN(hi-lo+1), MaxAZs: 1 + r.IntN(6)}
		for i := range 1 + r.IntN(4) {
			cfg.Tiers = append(cfg.Tiers, randTier(r, cfg.Prefix, fmt.Sprint("t", i)))
		}
		if _, _, errs := Allocate(cfg, nil, nil); len(errs) == 0 {
			return cfg
		}
	}
}

func randTier(r *rand.Rand, prefix int, name string) Tier {
	lo, hi := prefix+3, min(28, prefix+10)
	return Tier{Name: name, Size: lo + r.IntN(hi-lo+1)}
}

func randAZs(r *rand.Rand, n int) []string {
	azs := slices.Clone(azNames)
	r.Shuffle(len(azs), func(i, j int) { azs[i], azs[j] = azs[j], azs[i] })
	return azs[:n]
}

// randBlock returns a random aligned /bits block inside in.
func randBlock(r *rand.Rand, in netip.Prefix, bits int) netip.Prefix {
	s := spanOf(in)
	n := (s.hi - s.lo) / size(bits)
	return prefixAt(s.lo+r.Uint64N(n)*size(bits), bits)
}

// randEnv makes an env; taken holds the VPCs it must not overlap when it gets an
// explicit cidr (the other explicit ones, and in stability runs every locked one).
func randEnv(r *rand.Rand, cfg Config, name string, taken []netip.Prefix) Env {
	e := Env{Name: name, Pos: at("envs/"+name+".yaml", 1), AZs: randAZs(r, r.IntN(cfg.MaxAZs+1))}
	if r.IntN(4) > 0 {
		return e
	}
	p := randBlock(r, cfg.Pool, cfg.Prefix)
	for _, o := range taken {
		if o.Overlaps(p) {
			return e
		}
	}
	e.CIDR = p
	if len(e.AZs) == 0 || r.IntN(2) == 0 {
		return e
	}
	// one explicit subnet, anywhere in the VPC
	t := cfg.Tiers[r.IntN(len(cfg.Tiers))]
	e.Subnets = map[string]map[string]netip.Prefix{t.Name: {e.AZs[0]: randBlock(r, p, t.Size)}}
	return e
}

func explicitCIDRs(envs []Env) []netip.Prefix {
	var out []netip.Prefix
	for _, e := range envs {
		if e.CIDR.IsValid() {
			out = append(out, e.CIDR)
		}
	}
	return out
}

// checkPlan asserts the invariants every successful allocation keeps.
func checkPlan(t *testing.T, cfg Config, envs []Env, plans []Plan, lock *Lock) {
	t.Helper()
	inUse := 0
	for _, el := range lock.Envs {
		if !el.Retired {
			inUse++
		}
	}
	if len(plans) != len(envs) || inUse != len(envs) {
		t.Fatalf("%d plans and %d lock entries in use for %d envs", len(plans), inUse, len(envs))
	}
	for i, p := range plans {
		e := envs[i]
		if p.Env != e.Name {
			t.Fatalf("plan %d is %q, want %q", i, p.Env, e.Name)
		}
		switch {
		case e.CIDR.IsValid() && (p.CIDR != e.CIDR || p.CIDRSource != SourceExplicit):
			t.Errorf("%s: explicit cidr %s planned as %s (%s)", e.Name, e.CIDR, p.CIDR, p.CIDRSource)
		case p.CIDRSource == SourceNew && (p.CIDR.Bits() != cfg.Prefix || !cfg.Pool.Contains(p.CIDR.Addr()) || !isNet(p.CIDR)):
			t.Errorf("%s: new VPC %s is not a /%d network in %s", e.Name, p.CIDR, cfg.Prefix, cfg.Pool)
		}
		for _, q := range plans[:i] {
			if q.CIDR.Overlaps(p.CIDR) {
				t.Errorf("VPCs overlap: %s %s and %s %s", q.Env, q.CIDR, p.Env, p.CIDR)
			}
		}
		el := lock.Envs[e.Name]
		if el == nil || el.CIDR != p.CIDR {
			t.Errorf("%s: lock %v does not match plan %s", e.Name, el, p.CIDR)
			continue
		}
		var slots []netip.Prefix
		for _, tier := range cfg.Tiers {
			s := el.Slots[tier.Name]
			if !isNet(s) || s.Bits() < p.CIDR.Bits() || !p.CIDR.Contains(s.Addr()) {
				t.Errorf("%s: slot %s of %s is not in VPC %s", e.Name, s, tier.Name, p.CIDR)
			}
			for _, o := range slots {
				if o.Overlaps(s) {
					t.Errorf("%s: slots %s and %s overlap", e.Name, o, s)
				}
			}
			slots = append(slots, s)
		}
		if len(p.Subnets) != len(cfg.Tiers)*len(e.AZs) {
			t.Errorf("%s: %d subnets for %d tiers x %d AZs", e.Name, len(p.Subnets), len(cfg.Tiers), len(e.AZs))
			continue
		}
		for j, s := range p.Subnets {
			tier := cfg.Tiers[j/len(e.AZs)]
			if s.Tier != tier.Name || s.AZ != e.AZs[j%len(e.AZs)] {
				t.Errorf("%s: subnet %d is %s/%s, out of tier and AZ order", e.Name, j, s.Tier, s.AZ)
			}
			// a locked subnet keeps its CIDR when its tier's size changed since
			if !isNet(s.CIDR) || (s.CIDR.Bits() != tier.Size && s.Source != SourceLocked) || !p.CIDR.Contains(s.CIDR.Addr()) {
				t.Errorf("%s: subnet %s/%s %s (%s) is not a /%d in VPC %s", e.Name, s.Tier, s.AZ, s.CIDR, s.Source, tier.Size, p.CIDR)
			}
			if s.Usable != 1<<(32-s.CIDR.Bits())-5 {
				t.Errorf("%s: usable %d for %s", e.Name, s.Usable, s.CIDR)
			}
			if x, ok := e.Subnets[s.Tier][s.AZ]; ok != (s.Source == SourceExplicit) || ok && x != s.CIDR {
				t.Errorf("%s: subnet %s/%s %s (%s), explicit %s", e.Name, s.Tier, s.AZ, s.CIDR, s.Source, x)
			}
			if s.Source == SourceNew && !el.Slots[s.Tier].Contains(s.CIDR.Addr()) {
				t.Errorf("%s: new subnet %s outside its slot %s", e.Name, s.CIDR, el.Slots[s.Tier])
			}
			if el.Subnets[s.Tier][s.AZ] != s.CIDR {
				t.Errorf("%s: lock has %s for %s/%s, plan %s", e.Name, el.Subnets[s.Tier][s.AZ], s.Tier, s.AZ, s.CIDR)
			}
			for _, o := range p.Subnets[:j] {
				if o.CIDR.Overlaps(s.CIDR) {
					t.Errorf("%s: subnets %s/%s %s and %s/%s %s overlap", e.Name, o.Tier, o.AZ, o.CIDR, s.Tier, s.AZ, s.CIDR)
				}
			}
		}
	}
}

func TestPropertyAllocation(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ok := 0
	const runs = 500
	for run := range runs {
		cfg := randConfig(r)
		var envs []Env
		for i := range 1 + r.IntN(8) {
			envs = append(envs, randEnv(r, cfg, fmt.Sprint("e", i), explicitCIDRs(envs)))
		}
		plans, lock, errs := Allocate(cfg, envs, nil)
		if len(errs) > 0 {
			// only crowding by explicit values may fail: the config passed its checks
			for _, e := range errs {
				if !strings.Contains(e.Msg, "no room for tier") && !strings.Contains(e.Msg, "is too small") {
					t.Fatalf("run %d: unexpected error %v", run, e)
				}
			}
			continue
		}
		ok++
		checkPlan(t, cfg, envs, plans, lock)
		plans2, lock2, _ := Allocate(cfg, envs, nil)
		if d := cmp.Diff(lock, lock2, prefixEq); d != "" {
			t.Fatalf("run %d: not deterministic (-first +second):\n%s", run, d)
		}
		plans3, lock3, errs := Allocate(cfg, envs, lock)
		if len(errs) > 0 {
			t.Fatalf("run %d: rerun with its own lock fails: %v", run, errs)
		}
		if d := cmp.Diff(lock, lock3, prefixEq); d != "" {
			t.Fatalf("run %d: not idempotent (-first +rerun):\n%s", run, d)
		}
		for i := range plans {
			if d := cmp.Diff(cidrs(plans[i]), cidrs(plans3[i])); d != "" {
				t.Fatalf("run %d: rerun moved (-first +rerun):\n%s", run, d)
			}
			if d := cmp.Diff(layout(plans[i]), layout(plans2[i])); d != "" {
				t.Fatalf("run %d: not deterministic:\n%s", run, d)
			}
		}
	}
	if ok < runs*9/10 {
		t.Errorf("only %d of %d scenarios allocated: the generator tests too little", ok, runs)
	}
}

// mutate changes a scenario the ways a riglet evolves: envs inserted and removed, env
// order changed, AZs added, removed and reordered, tiers appended, resized and reordered,
// max_azs raised, explicit subnets added.
func mutate(r *rand.Rand, cfg Config, envs []Env, lock *Lock, next *int) (Config, []Env) {
	cfg.Tiers = slices.Clone(cfg.Tiers)
	if r.IntN(6) == 0 && cfg.MaxAZs < 6 {
		cfg.MaxAZs++
	}
	resized := ""
	if r.IntN(4) == 0 {
		t := &cfg.Tiers[r.IntN(len(cfg.Tiers))]
		t.Size = min(28, max(cfg.Prefix+3, t.Size+[]int{-1, 1}[r.IntN(2)]))
		resized = t.Name // its explicit subnets leave the env files (the lock keeps them)
	}
	if r.IntN(5) == 0 {
		r.Shuffle(len(cfg.Tiers), func(i, j int) { cfg.Tiers[i], cfg.Tiers[j] = cfg.Tiers[j], cfg.Tiers[i] })
	}
	if r.IntN(3) == 0 {
		*next++
		cfg.Tiers = append(cfg.Tiers, randTier(r, cfg.Prefix, fmt.Sprint("t", *next)))
	}
	var out []Env
	for _, e := range envs {
		if r.IntN(7) == 0 {
			continue
		}
		e.AZs = slices.DeleteFunc(slices.Clone(e.AZs), func(string) bool { return r.IntN(5) == 0 })
		for _, az := range randAZs(r, len(azNames)) {
			if len(e.AZs) < cfg.MaxAZs && !slices.Contains(e.AZs, az) && r.IntN(3) == 0 {
				e.AZs = append(e.AZs, az)
			}
		}
		r.Shuffle(len(e.AZs), func(i, j int) { e.AZs[i], e.AZs[j] = e.AZs[j], e.AZs[i] })
		if e.Subnets != nil {
			e.Subnets = keepListedAZs(e.Subnets, e.AZs)
			delete(e.Subnets, resized)
		}
		out = append(out, e)
	}
	taken := explicitCIDRs(envs)
	for _, el := range lock.Envs {
		taken = append(taken, el.CIDR)
	}
	for range r.IntN(3) {
		*next++
		e := randEnv(r, cfg, fmt.Sprint("e", *next), taken)
		e.Subnets = nil
		if e.CIDR.IsValid() {
			taken = append(taken, e.CIDR)
		}
		out = slices.Insert(out, r.IntN(len(out)+1), e)
	}
	if r.IntN(3) == 0 {
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return cfg, out
}

func keepListedAZs(m map[string]map[string]netip.Prefix, azs []string) map[string]map[string]netip.Prefix {
	out := map[string]map[string]netip.Prefix{}
	for tier, byAZ := range m {
		for az, p := range byAZ {
			if slices.Contains(azs, az) {
				if out[tier] == nil {
					out[tier] = map[string]netip.Prefix{}
				}
				out[tier][az] = p
			}
		}
	}
	return out
}

func TestPropertyStability(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const runs = 300
	rounds, failed, pruned := 0, 0, 0
	for run := range runs {
		cfg := randConfig(r)
		var envs []Env
		for i := range 1 + r.IntN(6) {
			envs = append(envs, randEnv(r, cfg, fmt.Sprint("e", i), explicitCIDRs(envs)))
		}
		_, lock, errs := Allocate(cfg, envs, nil)
		if len(errs) > 0 {
			continue
		}
		next := 100
		for round := range 4 {
			cfg2, envs2 := mutate(r, cfg, envs, lock, &next)
			plans, lock2, errs := Allocate(cfg2, envs2, lock)
			rounds++
			before := lock
			if slices.ContainsFunc(errs, func(e *ir.Error) bool { return strings.Contains(e.Msg, "riglet lock prune") }) {
				// An AZ removed and another added at once, and the removed one's retired
				// subnets crowd the slot: deploy in two steps, as a user must. Removal
				// first, a prune once the old stacks are gone, then the new AZs.
				if _, mid, midErrs := Allocate(cfg2, withoutNewAZs(envs2, envs), lock); len(midErrs) == 0 {
					before = mid
					mid.Prune(nil)
					plans, lock2, errs = Allocate(cfg2, envs2, mid)
					pruned++
				}
			}
			if len(errs) > 0 {
				// an appended tier or a new env may not fit; nothing else may fail
				for _, e := range errs {
					if !strings.Contains(e.Msg, "no room for tier") && !strings.Contains(e.Msg, "has no free") && !strings.Contains(e.Msg, "is too small") && !strings.Contains(e.Msg, "tiers do not fit") {
						t.Fatalf("run %d round %d: unexpected error %v", run, round, e)
					}
				}
				failed++
				continue
			}
			checkPlan(t, cfg2, envs2, plans, lock2)
			checkRetired(t, before, plans, lock2)
			for _, p := range plans {
				old := lock.Envs[p.Env]
				if old == nil {
					continue
				}
				if p.CIDR != old.CIDR {
					t.Fatalf("run %d round %d: env %s VPC moved from %s to %s", run, round, p.Env, old.CIDR, p.CIDR)
				}
				for _, s := range p.Subnets {
					if was, ok := old.Subnets[s.Tier][s.AZ]; ok && was != s.CIDR {
						t.Fatalf("run %d round %d: %s %s/%s moved from %s to %s", run, round, p.Env, s.Tier, s.AZ, was, s.CIDR)
					}
				}
			}
			cfg, envs, lock = cfg2, envs2, lock2
		}
	}
	if failed > rounds/5 {
		t.Errorf("%d of %d rounds failed: the generator tests too little", failed, rounds)
	}
	if pruned == 0 {
		t.Errorf("no round needed a prune: the generator never crowds a slot with retired subnets")
	}
	t.Logf("%d rounds, %d rejected, %d pruned first", rounds, failed, pruned)
}

// withoutNewAZs is envs with only the AZs each env listed in old (new envs as they are).
func withoutNewAZs(envs, old []Env) []Env {
	out := slices.Clone(envs)
	for i, e := range out {
		for _, o := range old {
			if o.Name == e.Name {
				e.AZs = slices.DeleteFunc(slices.Clone(e.AZs), func(az string) bool { return !slices.Contains(o.AZs, az) })
				e.Subnets = keepListedAZs(e.Subnets, e.AZs)
				out[i] = e
			}
		}
	}
	return out
}

// checkRetired asserts that what the old lock retired is never handed to anyone else
// (only to its own env, or its own tier and AZ, coming back), and stays retired until then.
func checkRetired(t *testing.T, old *Lock, plans []Plan, lock *Lock) {
	t.Helper()
	for name, oe := range old.Envs {
		if oe.Retired {
			for _, p := range plans {
				if p.Env != name && p.CIDR.Overlaps(oe.CIDR) {
					t.Fatalf("env %s VPC %s reuses retired env %s's %s", p.Env, p.CIDR, name, oe.CIDR)
				}
			}
			if ne := lock.Envs[name]; ne == nil || ne.CIDR != oe.CIDR {
				t.Fatalf("retired env %s %s lost from the lock: %+v", name, oe.CIDR, ne)
			}
		}
		// In-use subnets of a removed env, and removed AZs' subnets, are retired now.
		gone := map[string]map[string]netip.Prefix{}
		for _, m := range []map[string]map[string]netip.Prefix{oe.Subnets, oe.RetiredSubnets} {
			for tier, byAZ := range m {
				for az, c := range byAZ {
					if gone[tier] == nil {
						gone[tier] = map[string]netip.Prefix{}
					}
					if _, ok := gone[tier][az]; !ok {
						gone[tier][az] = c
					}
				}
			}
		}
		for _, p := range plans {
			if p.Env != name || p.CIDR != oe.CIDR {
				continue
			}
			for _, s := range p.Subnets {
				for tier, byAZ := range oe.RetiredSubnets {
					for az, c := range byAZ {
						if c.Overlaps(s.CIDR) && (tier != s.Tier || az != s.AZ) {
							t.Fatalf("env %s subnet %s/%s %s reuses retired %s/%s %s", name, s.Tier, s.AZ, s.CIDR, tier, az, c)
						}
					}
				}
			}
			ne := lock.Envs[name]
			for tier, byAZ := range gone {
				for az, c := range byAZ {
					if ne.Subnets[tier][az] != c && ne.RetiredSubnets[tier][az] != c && !overlapsUse(ne, c) {
						t.Fatalf("env %s subnet %s/%s %s neither in use nor retired", name, tier, az, c)
					}
				}
			}
		}
	}
}

// overlapsUse reports whether the env's lock holds c, or a subnet over it, in use or
// retired under another key (a locked subnet kept where an old retired one lay).
func overlapsUse(el *EnvLock, c netip.Prefix) bool {
	for _, m := range []map[string]map[string]netip.Prefix{el.Subnets, el.RetiredSubnets} {
		for _, byAZ := range m {
			for _, p := range byAZ {
				if p.Overlaps(c) {
					return true
				}
			}
		}
	}
	return false
}

func benchScenario() (Config, []Env) {
	cfg := Config{MaxAZs: 6, Tiers: []Tier{
		{Name: "public", Size: 24}, {Name: "app", Size: 20}, {Name: "db", Size: 24}, {Name: "cache", Size: 26}, {Name: "mgmt", Size: 27},
	}}
	envs := make([]Env, 50)
	for i := range envs {
		envs[i] = Env{Name: fmt.Sprint("env", i), AZs: []string{"a", "b", "c", "d", "e", "f"}}
	}
	return cfg, envs
}

func BenchmarkAllocate(b *testing.B) {
	cfg, envs := benchScenario()
	for b.Loop() {
		if _, _, errs := Allocate(cfg, envs, nil); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}

func BenchmarkAllocateLocked(b *testing.B) {
	cfg, envs := benchScenario()
	_, lock, errs := Allocate(cfg, envs, nil)
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	for b.Loop() {
		if _, _, errs := Allocate(cfg, envs, lock); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}

package netplan

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/riglet/riglet/ir"
)

var mp = netip.MustParsePrefix

var prefixEq = cmpopts.EquateComparable(netip.Prefix{})

func at(file string, line int) ir.Pos {
	return ir.Pos{File: ir.FileOf(file), Line: int32(line), Col: 1}
}

func spec(line int) ir.Pos { return at("riglets/twig.yaml", line) }

func envAt(name string, cidr string, azs ...string) Env {
	e := Env{Name: name, Pos: at("envs/"+name+".yaml", 1), AZs: azs, AZsPos: at("envs/"+name+".yaml", 4)}
	if cidr != "" {
		e.CIDR, e.CIDRPos = mp(cidr), at("envs/"+name+".yaml", 5)
	}
	return e
}

// layout renders a plan as "tier/az=cidr(source)" lines, for readable diffs.
func layout(p Plan) []string {
	out := []string{p.Env + "=" + p.CIDR.String() + "(" + p.CIDRSource + ")"}
	for _, s := range p.Subnets {
		out = append(out, s.Tier+"/"+s.AZ+"="+s.CIDR.String()+"("+s.Source+")")
	}
	return out
}

// cidrs renders a plan as "tier/az=cidr" lines, ignoring where each came from.
func cidrs(p Plan) []string {
	out := []string{p.Env + "=" + p.CIDR.String()}
	for _, s := range p.Subnets {
		out = append(out, s.Tier+"/"+s.AZ+"="+s.CIDR.String())
	}
	return out
}

func mustAllocate(t *testing.T, cfg Config, envs []Env, lock *Lock) ([]Plan, *Lock) {
	t.Helper()
	plans, out, errs := Allocate(cfg, envs, lock)
	if len(errs) > 0 {
		t.Fatalf("Allocate: unexpected errors:\n%v", errs)
	}
	return plans, out
}

// The Twig seed fixes only the env CIDRs (10.10/10.20/10.30.0.0/16) and says nothing of
// subnets, so this pins what the defaults derive inside them: the public /22 slot first,
// app's /18 slot at the first aligned /18 after it, db's /22 slot in the gap between.
func TestDefaultsTwig(t *testing.T) {
	azs := []string{"us-west-2a", "us-west-2b"}
	envs := []Env{
		envAt("integration", "10.10.0.0/16", azs...),
		envAt("staging", "10.20.0.0/16", azs...),
		envAt("production", "10.30.0.0/16", azs...),
	}
	plans, lock := mustAllocate(t, Config{}, envs, nil)
	for i, n := range []string{"10", "20", "30"} {
		want := []string{
			envs[i].Name + "=10." + n + ".0.0/16(explicit)",
			"public/us-west-2a=10." + n + ".0.0/24(new)",
			"public/us-west-2b=10." + n + ".1.0/24(new)",
			"app/us-west-2a=10." + n + ".64.0/20(new)",
			"app/us-west-2b=10." + n + ".80.0/20(new)",
			"db/us-west-2a=10." + n + ".4.0/24(new)",
			"db/us-west-2b=10." + n + ".5.0/24(new)",
		}
		if d := cmp.Diff(want, layout(plans[i])); d != "" {
			t.Errorf("%s (-want +got):\n%s", envs[i].Name, d)
		}
		wantSlots := map[string]netip.Prefix{"public": mp("10." + n + ".0.0/22"), "app": mp("10." + n + ".64.0/18"), "db": mp("10." + n + ".4.0/22")}
		if d := cmp.Diff(wantSlots, lock.Envs[envs[i].Name].Slots, prefixEq); d != "" {
			t.Errorf("%s slots (-want +got):\n%s", envs[i].Name, d)
		}
	}
	if got := plans[0].Subnets[0].Usable; got != 251 {
		t.Errorf("usable of a /24 = %d, want 251", got)
	}
	if got := plans[0].Subnets[2].Usable; got != 4091 {
		t.Errorf("usable of a /20 = %d, want 4091", got)
	}
}

func TestUsable(t *testing.T) {
	for _, c := range []struct {
		p    string
		want int
	}{{"10.0.0.0/16", 65531}, {"10.0.0.0/24", 251}, {"10.0.0.0/28", 11}, {"fd00::/64", 0}} {
		if got := Usable(mp(c.p)); got != c.want {
			t.Errorf("Usable(%s) = %d, want %d", c.p, got, c.want)
		}
	}
	if got := Usable(netip.Prefix{}); got != 0 {
		t.Errorf("Usable(zero) = %d, want 0", got)
	}
}

func vpcs(plans []Plan) []string {
	var out []string
	for _, p := range plans {
		out = append(out, p.Env+"="+p.CIDR.String()+"("+p.CIDRSource+")")
	}
	return out
}

func TestVPCs(t *testing.T) {
	cfg := Config{Tiers: []Tier{{Name: "public", Size: 24}}}
	tests := []struct {
		name string
		envs []Env
		lock *Lock
		want []string
	}{
		{"pool in order", []Env{envAt("a", ""), envAt("b", ""), envAt("c", "")}, nil,
			[]string{"a=10.0.0.0/16(new)", "b=10.1.0.0/16(new)", "c=10.2.0.0/16(new)"}},
		{"explicit is stepped around", []Env{envAt("a", ""), envAt("b", ""), envAt("c", "10.1.0.0/16")}, nil,
			[]string{"a=10.0.0.0/16(new)", "b=10.2.0.0/16(new)", "c=10.1.0.0/16(explicit)"}},
		{"explicit smaller block blocks its /16", []Env{envAt("a", "10.0.16.0/20"), envAt("b", "")}, nil,
			[]string{"a=10.0.16.0/20(explicit)", "b=10.1.0.0/16(new)"}},
		{"explicit outside the pool", []Env{envAt("a", "172.16.0.0/16"), envAt("b", "")}, nil,
			[]string{"a=172.16.0.0/16(explicit)", "b=10.0.0.0/16(new)"}},
		{"lock kept", []Env{envAt("a", ""), envAt("b", ""), envAt("c", "")},
			&Lock{Envs: map[string]*EnvLock{"b": {CIDR: mp("10.0.0.0/16")}}},
			[]string{"a=10.1.0.0/16(new)", "b=10.0.0.0/16(locked)", "c=10.2.0.0/16(new)"}},
		{"lock outside today's pool kept", []Env{envAt("a", "")},
			&Lock{Envs: map[string]*EnvLock{"a": {CIDR: mp("192.168.0.0/16")}}},
			[]string{"a=192.168.0.0/16(locked)"}},
		{"first lock entry wins a hand-made overlap", []Env{envAt("a", ""), envAt("b", "")},
			&Lock{Envs: map[string]*EnvLock{"a": {CIDR: mp("10.4.0.0/16")}, "b": {CIDR: mp("10.4.0.0/16")}}},
			[]string{"a=10.4.0.0/16(locked)", "b=10.0.0.0/16(new)"}},
		{"invalid lock entries are replaced", []Env{envAt("a", ""), envAt("b", ""), envAt("c", "")},
			&Lock{Envs: map[string]*EnvLock{"a": {CIDR: mp("10.4.0.1/16")}, "b": {CIDR: mp("10.0.0.0/12")}, "c": {CIDR: mp("fd00::/48")}}},
			[]string{"a=10.0.0.0/16(new)", "b=10.1.0.0/16(new)", "c=10.2.0.0/16(new)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plans, lock := mustAllocate(t, cfg, tc.envs, tc.lock)
			if d := cmp.Diff(tc.want, vpcs(plans)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			for _, p := range plans {
				if lock.Envs[p.Env].CIDR != p.CIDR {
					t.Errorf("lock for %s has %s, plan %s", p.Env, lock.Envs[p.Env].CIDR, p.CIDR)
				}
			}
			if len(lock.Envs) != len(tc.envs) {
				t.Errorf("lock has %d envs, want %d", len(lock.Envs), len(tc.envs))
			}
		})
	}
}

func TestInsertAndRemoveEnv(t *testing.T) {
	_, lock := mustAllocate(t, Config{}, []Env{envAt("integration", "", "a"), envAt("production", "", "a")}, nil)
	plans, lock2 := mustAllocate(t, Config{}, []Env{envAt("integration", "", "a"), envAt("staging", "", "a"), envAt("production", "", "a")}, lock)
	want := []string{"integration=10.0.0.0/16(locked)", "staging=10.2.0.0/16(new)", "production=10.1.0.0/16(locked)"}
	if d := cmp.Diff(want, vpcs(plans)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	plans, lock3 := mustAllocate(t, Config{}, []Env{envAt("staging", "", "a")}, lock2)
	if d := cmp.Diff([]string{"staging=10.2.0.0/16(locked)"}, vpcs(plans)); d != "" {
		t.Errorf("after removal (-want +got):\n%s", d)
	}
	// Removed envs are retired, not forgotten: their stacks may still exist, so a new env
	// steps around their VPCs.
	for env, cidr := range map[string]string{"integration": "10.0.0.0/16", "production": "10.1.0.0/16"} {
		if el := lock3.Envs[env]; el == nil || !el.Retired || el.CIDR != mp(cidr) {
			t.Errorf("removed env %s not retired at %s: %+v", env, cidr, el)
		}
	}
	plans, lock4 := mustAllocate(t, Config{}, []Env{envAt("staging", "", "a"), envAt("qa", "", "a")}, lock3)
	if d := cmp.Diff([]string{"staging=10.2.0.0/16(locked)", "qa=10.3.0.0/16(new)"}, vpcs(plans)); d != "" {
		t.Errorf("new env after removal (-want +got):\n%s", d)
	}
	// An env that comes back gets its own VPC back.
	plans, _ = mustAllocate(t, Config{}, []Env{envAt("staging", "", "a"), envAt("production", "", "a")}, lock4)
	if d := cmp.Diff([]string{"staging=10.2.0.0/16(locked)", "production=10.1.0.0/16(locked)"}, vpcs(plans)); d != "" {
		t.Errorf("env back (-want +got):\n%s", d)
	}
}

func TestAZChanges(t *testing.T) {
	cfg := Config{Tiers: []Tier{{Name: "public", Size: 24}, {Name: "db", Size: 26}}}
	_, lock := mustAllocate(t, cfg, []Env{envAt("s", "10.20.0.0/16", "a", "b", "c")}, nil)
	// b removed, order changed, d added: a and c stay, b's subnets are retired (its
	// stacks may still exist), so d takes the next free ones.
	plans, lock2 := mustAllocate(t, cfg, []Env{envAt("s", "10.20.0.0/16", "c", "d", "a")}, lock)
	want := []string{
		"s=10.20.0.0/16(explicit)",
		"public/c=10.20.2.0/24(locked)", "public/d=10.20.3.0/24(new)", "public/a=10.20.0.0/24(locked)",
		"db/c=10.20.4.128/26(locked)", "db/d=10.20.4.192/26(new)", "db/a=10.20.4.0/26(locked)",
	}
	if d := cmp.Diff(want, layout(plans[0])); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if _, ok := lock2.Envs["s"].Subnets["public"]["b"]; ok {
		t.Errorf("removed AZ b stays in use in the lock")
	}
	wantRetired := map[string]map[string]netip.Prefix{"public": {"b": mp("10.20.1.0/24")}, "db": {"b": mp("10.20.4.64/26")}}
	if d := cmp.Diff(wantRetired, lock2.Envs["s"].RetiredSubnets, prefixEq); d != "" {
		t.Errorf("retired (-want +got):\n%s", d)
	}
	// b back: it gets its own subnets back.
	plans, lock3 := mustAllocate(t, cfg, []Env{envAt("s", "10.20.0.0/16", "c", "d", "a", "b")}, lock2)
	if got := layout(plans[0]); got[4] != "public/b=10.20.1.0/24(locked)" || got[8] != "db/b=10.20.4.64/26(locked)" {
		t.Errorf("AZ b back: %v", got)
	}
	if len(lock3.Envs["s"].RetiredSubnets) != 0 {
		t.Errorf("AZ b back, still retired: %v", lock3.Envs["s"].RetiredSubnets)
	}
}

func TestTierChanges(t *testing.T) {
	base := []Tier{{Name: "public", Size: 24}, {Name: "app", Size: 20}, {Name: "db", Size: 24}}
	envs := []Env{envAt("s", "", "a", "b")}
	first, lock := mustAllocate(t, Config{Tiers: base}, envs, nil)

	t.Run("reorder", func(t *testing.T) {
		rev := []Tier{base[2], base[1], base[0]}
		plans, lock2 := mustAllocate(t, Config{Tiers: rev}, envs, lock)
		if d := cmp.Diff(lock, lock2, prefixEq); d != "" {
			t.Errorf("lock moved (-want +got):\n%s", d)
		}
		if plans[0].Subnets[0].Tier != "db" {
			t.Errorf("plan not in tier order: %v", layout(plans[0]))
		}
		fresh, _ := mustAllocate(t, Config{Tiers: rev}, envs, nil)
		if cmp.Equal(layout(fresh[0]), layout(plans[0])) {
			t.Errorf("without a lock, tier order should decide the layout")
		}
	})
	t.Run("append", func(t *testing.T) {
		plans, lock2 := mustAllocate(t, Config{Tiers: append(base[:3:3], Tier{Name: "cache", Size: 26})}, envs, lock)
		got := layout(plans[0])
		if d := cmp.Diff(cidrs(first[0]), cidrs(plans[0])[:len(got)-2]); d != "" {
			t.Errorf("existing subnets moved (-want +got):\n%s", d)
		}
		// public /22 at 0.0, db /22 at 4.0, so the cache /24 slot is the next free /24
		if d := cmp.Diff(mp("10.0.8.0/24"), lock2.Envs["s"].Slots["cache"], prefixEq); d != "" {
			t.Errorf("cache slot (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{"cache/a=10.0.8.0/26(new)", "cache/b=10.0.8.64/26(new)"}, got[len(got)-2:]); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("remove", func(t *testing.T) {
		_, lock2 := mustAllocate(t, Config{Tiers: base[1:]}, envs, lock)
		if _, ok := lock2.Envs["s"].Slots["public"]; ok {
			t.Errorf("removed tier stays in the lock")
		}
		if d := cmp.Diff(lock.Envs["s"].Subnets["app"], lock2.Envs["s"].Subnets["app"], prefixEq); d != "" {
			t.Errorf("app moved (-want +got):\n%s", d)
		}
	})
}

func TestMaxAZsRaised(t *testing.T) {
	tests := []struct {
		name      string
		tiers     []Tier
		cidr      string
		wantSlots map[string]netip.Prefix
		wantE     []string // the new AZ e's subnets, in tier order
	}{
		// public 10.1.0.0/22 and db 10.1.4.0/22 block each other's growth to a /21, so
		// both move to fresh /21s and their subnets stay where they are.
		{"moved", []Tier{{Name: "public", Size: 24}, {Name: "db", Size: 24}}, "10.1.0.0/16",
			map[string]netip.Prefix{"public": mp("10.1.8.0/21"), "db": mp("10.1.16.0/21")},
			[]string{"10.1.8.0/24", "10.1.16.0/24"}},
		// app 10.2.0.0/18 cannot become a /17 over public's slot at 10.2.64.0/22, which can
		// become a /21 in place.
		{"grown", []Tier{{Name: "app", Size: 20}, {Name: "public", Size: 24}}, "10.2.0.0/16",
			map[string]netip.Prefix{"app": mp("10.2.128.0/17"), "public": mp("10.2.64.0/21")},
			[]string{"10.2.128.0/20", "10.2.68.0/24"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			envs := []Env{envAt("s", tc.cidr, "a", "b", "c", "d")}
			_, lock := mustAllocate(t, Config{Tiers: tc.tiers}, envs, nil)
			envs[0].AZs = append(envs[0].AZs, "e")
			plans, lock2 := mustAllocate(t, Config{Tiers: tc.tiers, MaxAZs: 6}, envs, lock)
			if d := cmp.Diff(tc.wantSlots, lock2.Envs["s"].Slots, prefixEq); d != "" {
				t.Errorf("slots (-want +got):\n%s", d)
			}
			var gotE []string
			for _, s := range plans[0].Subnets {
				if s.AZ == "e" {
					gotE = append(gotE, s.CIDR.String())
				} else if s.CIDR != lock.Envs["s"].Subnets[s.Tier][s.AZ] {
					t.Errorf("%s/%s moved from %s to %s", s.Tier, s.AZ, lock.Envs["s"].Subnets[s.Tier][s.AZ], s.CIDR)
				}
			}
			if d := cmp.Diff(tc.wantE, gotE); d != "" {
				t.Errorf("new AZ (-want +got):\n%s", d)
			}
			// subnets left outside a moved slot stay put on the next run too
			_, lock3 := mustAllocate(t, Config{Tiers: tc.tiers, MaxAZs: 6}, envs, lock2)
			if d := cmp.Diff(lock2, lock3, prefixEq); d != "" {
				t.Errorf("rerun changed the lock (-want +got):\n%s", d)
			}
		})
	}
}

func TestExplicitSubnets(t *testing.T) {
	// The layout of the original Twig foundation template (not in the seed): public and
	// private /24s placed by hand.
	cfg := Config{Tiers: []Tier{{Name: "public", Size: 24}, {Name: "private", Size: 24}}}
	e := envAt("integration", "10.10.0.0/16", "us-west-2a", "us-west-2b", "us-west-2c")
	e.Subnets = map[string]map[string]netip.Prefix{
		"public":  {"us-west-2a": mp("10.10.1.0/24"), "us-west-2b": mp("10.10.2.0/24")},
		"private": {"us-west-2a": mp("10.10.11.0/24"), "us-west-2b": mp("10.10.12.0/24")},
	}
	plans, lock := mustAllocate(t, cfg, []Env{e}, nil)
	// public's slot 10.10.0.0/22 holds 10.10.1.0 and 2.0 already; private's slot avoids
	// public's explicit subnets and so starts at 10.10.4.0/22
	want := []string{
		"integration=10.10.0.0/16(explicit)",
		"public/us-west-2a=10.10.1.0/24(explicit)", "public/us-west-2b=10.10.2.0/24(explicit)", "public/us-west-2c=10.10.0.0/24(new)",
		"private/us-west-2a=10.10.11.0/24(explicit)", "private/us-west-2b=10.10.12.0/24(explicit)", "private/us-west-2c=10.10.4.0/24(new)",
	}
	if d := cmp.Diff(want, layout(plans[0])); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// Explicit values are in the lock, so dropping them from the env file moves nothing.
	e.Subnets = nil
	plans2, lock2 := mustAllocate(t, cfg, []Env{e}, lock)
	for i, s := range plans2[0].Subnets {
		if s.CIDR != plans[0].Subnets[i].CIDR || s.Source != SourceLocked {
			t.Errorf("%s/%s = %s (%s), want %s locked", s.Tier, s.AZ, s.CIDR, s.Source, plans[0].Subnets[i].CIDR)
		}
	}
	if d := cmp.Diff(lock, lock2, prefixEq); d != "" {
		t.Errorf("lock changed (-want +got):\n%s", d)
	}

	// An explicit subnet over another AZ's locked one is an error, never an eviction
	// (errors_test has the message); one that replaces its own AZ's subnet retires it.
	e.Subnets = map[string]map[string]netip.Prefix{"private": {"us-west-2a": mp("10.10.0.0/24")}}
	if _, _, errs := Allocate(cfg, []Env{e}, lock); len(errs) != 1 || !strings.Contains(errs[0].Msg, `overlaps the locked subnet 10.10.0.0/24 of tier "public" in AZ "us-west-2c"`) {
		t.Errorf("explicit over a locked subnet: %v", errs)
	}
	e.Subnets = map[string]map[string]netip.Prefix{"private": {"us-west-2a": mp("10.10.20.0/24")}}
	plans3, lock3 := mustAllocate(t, cfg, []Env{e}, lock)
	if got := plans3[0].Subnets[3]; got.CIDR != mp("10.10.20.0/24") || got.Source != SourceExplicit {
		t.Errorf("explicit private/us-west-2a = %+v", got)
	}
	if got := lock3.Envs["integration"].RetiredSubnets["private"]["us-west-2a"]; got != mp("10.10.11.0/24") {
		t.Errorf("replaced private/us-west-2a retired as %s, want 10.10.11.0/24", got)
	}
}

func TestIdempotent(t *testing.T) {
	cfg := Config{MaxAZs: 3}
	envs := []Env{envAt("a", "", "x", "y"), envAt("b", "10.0.0.0/16", "x", "y", "z"), envAt("c", "")}
	p1, l1 := mustAllocate(t, cfg, envs, nil)
	p1b, l1b := mustAllocate(t, cfg, envs, nil)
	if d := cmp.Diff(l1, l1b, prefixEq); d != "" {
		t.Errorf("not deterministic (-first +second):\n%s", d)
	}
	p2, l2 := mustAllocate(t, cfg, envs, l1)
	if d := cmp.Diff(l1, l2, prefixEq); d != "" {
		t.Errorf("lock changed on rerun (-want +got):\n%s", d)
	}
	for i := range p1 {
		if d := cmp.Diff(layout(p1[i]), layout(p1b[i])); d != "" {
			t.Errorf("plan not deterministic:\n%s", d)
		}
		for j, s := range p2[i].Subnets {
			if s.CIDR != p1[i].Subnets[j].CIDR || (p1[i].Subnets[j].Source == SourceNew) != (s.Source == SourceLocked) {
				t.Errorf("rerun %s: %+v, first %+v", p1[i].Env, s, p1[i].Subnets[j])
			}
		}
	}
}

// A hand-edited lock is input like any other: entries that make no sense are replaced,
// never trusted and never a panic.
func TestGarbageLock(t *testing.T) {
	envs := []Env{envAt("a", "", "x", "y"), envAt("b", "", "x")}
	fresh, want := mustAllocate(t, Config{}, envs, nil)
	lock := &Lock{Envs: map[string]*EnvLock{
		"a": {
			CIDR: mp("10.0.0.0/16"),
			Slots: map[string]netip.Prefix{"public": mp("fd00::/64"), "app": mp("10.0.0.0/24"),
				"db": mp("10.9.0.0/22")},
			Subnets: map[string]map[string]netip.Prefix{
				"public": {"x": mp("10.0.0.1/25"), "y": mp("10.0.0.1/24")},
				"app":    {"x": mp("10.1.0.0/20"), "y": {}},
			},
		},
		"b":    nil,
		"gone": {CIDR: mp("fd00::/48")},
	}}
	plans, got := mustAllocate(t, Config{}, envs, lock)
	if d := cmp.Diff(want, got, prefixEq); d != "" {
		t.Errorf("(-fresh +from garbage):\n%s", d)
	}
	for i := range plans {
		if d := cmp.Diff(cidrs(fresh[i]), cidrs(plans[i])); d != "" {
			t.Errorf("(-fresh +from garbage):\n%s", d)
		}
	}
}

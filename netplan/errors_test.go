package netplan

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/riglet/riglet/ir"
)

// wantErr is one expected problem: where, a fragment of what it says (enough to tell it
// from the other errors at the same place), and the related positions.
type wantErr struct {
	pos     ir.Pos
	frag    string
	related []ir.Pos
}

func withSubnets(e Env, tier, az, cidr string, pos ir.Pos) Env {
	if e.Subnets == nil {
		e.Subnets, e.SubnetPos = map[string]map[string]netip.Prefix{}, map[string]map[string]ir.Pos{}
	}
	if e.Subnets[tier] == nil {
		e.Subnets[tier], e.SubnetPos[tier] = map[string]netip.Prefix{}, map[string]ir.Pos{}
	}
	e.Subnets[tier][az], e.SubnetPos[tier][az] = mp(cidr), pos
	return e
}

func TestErrors(t *testing.T) {
	poolPos, prefixPos, azsPos := spec(6), spec(7), spec(8)
	tier := func(name string, size, line int) Tier { return Tier{Name: name, Size: size, Pos: spec(line)} }
	cfg := func(f func(*Config)) Config {
		c := Config{PoolPos: poolPos, PrefixPos: prefixPos, MaxAZsPos: azsPos,
			Tiers: []Tier{tier("public", 24, 10), tier("app", 20, 11), tier("db", 24, 12)}}
		if f != nil {
			f(&c)
		}
		return c
	}
	a, b, c := envAt("a", "", "x", "y"), envAt("b", "", "x", "y"), envAt("c", "", "x", "y")
	sub := at("envs/a.yaml", 9)
	sub2 := at("envs/a.yaml", 10)

	tests := []struct {
		name string
		cfg  Config
		envs []Env
		lock *Lock
		want []wantErr
	}{
		{"pool not IPv4", cfg(func(c *Config) { c.Pool = mp("fd00::/8") }), nil, nil,
			[]wantErr{{pos: poolPos, frag: "not an IPv4 prefix"}}},
		{"pool not a network address", cfg(func(c *Config) { c.Pool = mp("10.0.0.1/8") }), nil, nil,
			[]wantErr{{pos: poolPos, frag: "did you mean 10.0.0.0/8"}}},
		{"pool smaller than a VPC", cfg(func(c *Config) { c.Pool = mp("10.0.0.0/20") }), nil, nil,
			[]wantErr{{pos: poolPos, frag: "smaller than one /16 VPC"}}},
		{"pool too small for the envs", cfg(func(c *Config) { c.Pool = mp("10.0.0.0/15") }),
			[]Env{a, b, c, envAt("d", "10.1.0.0/16")}, nil,
			[]wantErr{{pos: poolPos, frag: "no free /16 is left for 2 env(s)", related: []ir.Pos{b.Pos, c.Pos}}}},
		{"prefix too short", cfg(func(c *Config) { c.Prefix = 15 }), nil, nil,
			[]wantErr{{pos: prefixPos, frag: "/15 is outside /16../28"}}},
		{"prefix too long", cfg(func(c *Config) { c.Prefix = 29; c.Tiers = nil }), nil, nil,
			[]wantErr{{pos: prefixPos, frag: "/29 is outside /16../28"}}},
		{"max_azs negative", cfg(func(c *Config) { c.MaxAZs = -1 }), nil, nil,
			[]wantErr{{pos: azsPos, frag: "max_azs -1"}}},
		{"max_azs too large", cfg(func(c *Config) { c.MaxAZs = 17 }), nil, nil,
			[]wantErr{{pos: azsPos, frag: "max_azs 17"}}},
		{"tier twice", cfg(func(c *Config) { c.Tiers = append(c.Tiers, tier("app", 22, 13)) }), nil, nil,
			[]wantErr{{pos: spec(13), frag: `tier "app" declared twice`, related: []ir.Pos{spec(11)}}}},
		{"tier without a name", cfg(func(c *Config) { c.Tiers = []Tier{tier("", 24, 10)} }), nil, nil,
			[]wantErr{{pos: spec(10), frag: "no name"}}},
		{"tier not longer than the VPC", cfg(func(c *Config) { c.Tiers[1].Size = 16 }), nil, nil,
			[]wantErr{{pos: spec(11), frag: "/16 must be longer than the VPC prefix /16"}}},
		{"tier over /28", cfg(func(c *Config) { c.Tiers[2].Size = 29 }), nil, nil,
			[]wantErr{{pos: spec(12), frag: "at most /28"}}},
		{"tiers do not fit", cfg(func(c *Config) { c.Tiers[1].Size = 17 }), nil, nil,
			// app's slot is the whole /16 at /17 x 4 rounded: a /15, larger than the VPC
			[]wantErr{{pos: spec(11), frag: "tiers do not fit a /16 VPC"}}},
		{"tiers do not fit together", cfg(func(c *Config) {
			c.Prefix, c.Tiers = 24, []Tier{tier("public", 26, 10), tier("db", 28, 11)}
		}), nil, nil,
			[]wantErr{{pos: spec(11), frag: `tier "db" needs a /26 slot`}}},
		{"env twice", cfg(nil), []Env{a, a}, nil,
			[]wantErr{{pos: a.Pos, frag: `env "a" declared twice`, related: []ir.Pos{a.Pos}}}},
		{"env without a name", cfg(nil), []Env{{Pos: spec(20)}}, nil,
			[]wantErr{{pos: spec(20), frag: "env has no name"}}},
		{"env cidr not a network address", cfg(nil), []Env{envAt("s", "10.20.1.0/16")}, nil,
			[]wantErr{{pos: at("envs/s.yaml", 5), frag: "10.20.1.0/16 is not a network address (did you mean 10.20.0.0/16)"}}},
		{"env cidr too large", cfg(nil), []Env{envAt("s", "10.16.0.0/12")}, nil,
			[]wantErr{{pos: at("envs/s.yaml", 5), frag: "outside /16../28"}}},
		{"env cidr too small", cfg(nil), []Env{envAt("s", "10.16.0.0/29")}, nil,
			[]wantErr{{pos: at("envs/s.yaml", 5), frag: "outside /16../28"}}},
		{"env cidr IPv6", cfg(nil), []Env{envAt("s", "fd00::/56")}, nil,
			[]wantErr{{pos: at("envs/s.yaml", 5), frag: "not an IPv4 prefix"}}},
		{"env cidrs overlap", cfg(nil), []Env{envAt("s", "10.20.0.0/16"), envAt("p", "10.20.128.0/20"), envAt("q", "10.20.0.0/16")}, nil,
			[]wantErr{
				{pos: at("envs/p.yaml", 5), frag: `env "p" cidr 10.20.128.0/20 overlaps env "s" cidr 10.20.0.0/16`, related: []ir.Pos{at("envs/s.yaml", 5)}},
				{pos: at("envs/q.yaml", 5), frag: `env "q" cidr 10.20.0.0/16 overlaps env "p"`, related: []ir.Pos{at("envs/p.yaml", 5)}},
				{pos: at("envs/q.yaml", 5), frag: `env "q" cidr 10.20.0.0/16 overlaps env "s"`, related: []ir.Pos{at("envs/s.yaml", 5)}},
			}},
		{"env VPC too small for the tiers", cfg(nil), []Env{envAt("s", "10.20.0.0/20", "x")}, nil,
			[]wantErr{{pos: at("envs/s.yaml", 5), frag: `no room for tier "app"`, related: []ir.Pos{spec(11)}}}},
		{"more AZs than max_azs", cfg(func(c *Config) { c.MaxAZs = 2 }), []Env{envAt("s", "", "x", "y", "z")}, nil,
			[]wantErr{{pos: at("envs/s.yaml", 4), frag: "3 AZs, more than max_azs 2"}}},
		{"AZ twice", cfg(nil), []Env{envAt("s", "", "x", "y", "x")}, nil,
			[]wantErr{{pos: at("envs/s.yaml", 4), frag: `AZ "x" twice`}}},
		{"empty AZ", cfg(nil), []Env{envAt("s", "", "x", "")}, nil,
			[]wantErr{{pos: at("envs/s.yaml", 4), frag: "empty AZ name"}}},
		{"subnet of an unknown tier", cfg(nil), []Env{withSubnets(a, "web", "x", "10.0.0.0/24", sub)}, nil,
			[]wantErr{{pos: sub, frag: `unknown tier "web"`}}},
		{"subnet in an unlisted AZ", cfg(nil), []Env{withSubnets(a, "public", "z", "10.0.0.0/24", sub)}, nil,
			[]wantErr{{pos: sub, frag: `AZ "z", which the env does not list`}}},
		{"subnet of the wrong size", cfg(nil), []Env{withSubnets(a, "public", "x", "10.0.0.0/25", sub)}, nil,
			[]wantErr{{pos: sub, frag: "is a /25, the tier's subnets are /24"}}},
		{"subnet not a network address", cfg(nil), []Env{withSubnets(a, "public", "x", "10.0.0.1/24", sub)}, nil,
			[]wantErr{{pos: sub, frag: "did you mean 10.0.0.0/24"}}},
		{"subnet outside the VPC", cfg(nil), []Env{withSubnets(envAt("a", "10.20.0.0/16", "x"), "public", "x", "10.21.0.0/24", sub)}, nil,
			[]wantErr{{pos: sub, frag: "outside the env's VPC 10.20.0.0/16"}}},
		{"subnets overlap", cfg(nil), []Env{withSubnets(withSubnets(envAt("a", "10.20.0.0/16", "x", "y"),
			"public", "x", "10.20.9.0/24", sub), "app", "y", "10.20.0.0/20", sub2)}, nil,
			// tier order decides which of the two is reported, the other is related
			[]wantErr{{pos: sub2, frag: `subnet 10.20.0.0/20 for tier "app" in AZ "y" overlaps subnet 10.20.9.0/24 for tier "public" in AZ "x"`, related: []ir.Pos{sub}}}},
		{"slot full", cfg(func(c *Config) { c.Tiers = []Tier{tier("public", 24, 10), tier("db", 24, 11)} }),
			[]Env{withSubnets(envAt("a", "10.20.0.0/16", "x", "y", "z", "w"), "db", "x", "10.20.1.0/24", sub)},
			&Lock{Envs: map[string]*EnvLock{"a": {CIDR: mp("10.20.0.0/16"),
				Slots: map[string]netip.Prefix{"public": mp("10.20.0.0/22"), "db": mp("10.20.4.0/22")},
				Subnets: map[string]map[string]netip.Prefix{"public": {
					"x": mp("10.20.0.0/24"), "z": mp("10.20.2.0/24"), "w": mp("10.20.3.0/24")}}}}},
			[]wantErr{{pos: at("envs/a.yaml", 4), frag: `tier "public" slot 10.20.0.0/22 has no free /24 left for AZ "y"`, related: []ir.Pos{spec(10)}}}},
		// Explicit values never evict what the lock holds: another env's VPC, another AZ's
		// subnet, a retired env's VPC, a removed AZ's subnet. The error names both sides
		// and both positions, the env file's and the lock file's.
		{"explicit cidr over another env's locked VPC", cfg(nil), []Env{envAt("a", ""), envAt("b", "10.0.0.0/16")},
			&Lock{Envs: map[string]*EnvLock{"a": {CIDR: mp("10.0.0.0/16"), CIDRPos: at("riglets/twig.lock", 4)}}},
			[]wantErr{{pos: at("envs/b.yaml", 5), frag: `env "b" cidr 10.0.0.0/16 overlaps env "a"'s locked VPC 10.0.0.0/16`, related: []ir.Pos{at("riglets/twig.lock", 4)}}}},
		{"explicit cidr over a retired env's VPC", cfg(nil), []Env{envAt("b", "10.0.0.0/16")},
			&Lock{Envs: map[string]*EnvLock{"a": {CIDR: mp("10.0.0.0/16"), Retired: true, CIDRPos: at("riglets/twig.lock", 4)}}},
			[]wantErr{{pos: at("envs/b.yaml", 5), frag: `overlaps env "a"'s retired VPC 10.0.0.0/16`, related: []ir.Pos{at("riglets/twig.lock", 4)}}}},
		{"explicit subnet over another AZ's locked subnet", cfg(func(c *Config) { c.Tiers = []Tier{tier("public", 24, 10)} }),
			[]Env{withSubnets(envAt("a", "10.20.0.0/16", "x", "y"), "public", "y", "10.20.0.0/24", sub)},
			&Lock{Envs: map[string]*EnvLock{"a": {CIDR: mp("10.20.0.0/16"),
				Subnets:   map[string]map[string]netip.Prefix{"public": {"x": mp("10.20.0.0/24"), "y": mp("10.20.1.0/24")}},
				SubnetPos: map[string]map[string]ir.Pos{"public": {"x": at("riglets/twig.lock", 9)}}}}},
			[]wantErr{{pos: sub, frag: `subnet 10.20.0.0/24 for tier "public" in AZ "y" overlaps the locked subnet 10.20.0.0/24 of tier "public" in AZ "x"`, related: []ir.Pos{at("riglets/twig.lock", 9)}}}},
		// A locked subnet that cannot stay (here a hand-made lock puts it in another tier's
		// slot) is an error saying what would move, never a silent re-allocation.
		{"locked subnet that would move", cfg(func(c *Config) { c.Tiers = []Tier{tier("public", 24, 10), tier("db", 24, 11)} }),
			[]Env{envAt("a", "10.20.0.0/16", "x")},
			&Lock{Envs: map[string]*EnvLock{"a": {CIDR: mp("10.20.0.0/16"),
				Slots:     map[string]netip.Prefix{"public": mp("10.20.0.0/22"), "db": mp("10.20.4.0/22")},
				Subnets:   map[string]map[string]netip.Prefix{"public": {"x": mp("10.20.0.0/24")}, "db": {"x": mp("10.20.1.0/24")}},
				SubnetPos: map[string]map[string]ir.Pos{"db": {"x": at("riglets/twig.lock", 12)}}}}},
			[]wantErr{{pos: spec(11), frag: `env "a": the locked subnet 10.20.1.0/24 of tier "db" in AZ "x" would move`, related: []ir.Pos{at("riglets/twig.lock", 12)}}}},
		{"explicit subnet over a removed AZ's subnet", cfg(func(c *Config) { c.Tiers = []Tier{tier("public", 24, 10)} }),
			[]Env{withSubnets(envAt("a", "10.20.0.0/16", "y"), "public", "y", "10.20.0.0/24", sub)},
			&Lock{Envs: map[string]*EnvLock{"a": {CIDR: mp("10.20.0.0/16"),
				RetiredSubnets: map[string]map[string]netip.Prefix{"public": {"x": mp("10.20.0.0/24")}}}}},
			[]wantErr{{pos: sub, frag: `overlaps the retired subnet 10.20.0.0/24 of tier "public" in AZ "x"`, related: []ir.Pos{{}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plans, lock, errs := Allocate(tc.cfg, tc.envs, tc.lock)
			if plans != nil || lock != nil {
				t.Errorf("with errors, Allocate returned plans %v and lock %v", plans, lock)
			}
			if len(errs) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(tc.want), errs)
			}
			for i, w := range tc.want {
				e := errs[i]
				if e.Pos != w.pos || !strings.Contains(e.Msg, w.frag) {
					t.Errorf("error %d = %v\nwant at %v containing %q", i, e, w.pos, w.frag)
				}
				var rel []ir.Pos
				for _, r := range e.Related {
					rel = append(rel, r.Pos)
				}
				if d := cmp.Diff(w.related, rel); d != "" {
					t.Errorf("error %d related (-want +got):\n%s", i, d)
				}
				if strings.HasSuffix(e.Msg, ".") || e.Msg[:1] != strings.ToLower(e.Msg[:1]) {
					t.Errorf("error %d not lower case without a final period: %q", i, e.Msg)
				}
			}
		})
	}
}

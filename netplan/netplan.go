package netplan

import (
	"net/netip"
	"slices"
	"sort"
	"strconv"

	"github.com/riglet/riglet/ir"
)

// Tier is one entry of network.tiers.
type Tier struct {
	Name string
	Size int // prefix length of each of the tier's subnets, e.g. 24
	Pos  ir.Pos
}

// Config is a riglet's network section.
type Config struct {
	Pool    netip.Prefix // default 10.0.0.0/8
	PoolPos ir.Pos

	Prefix    int // size of each env's VPC, default 16
	PrefixPos ir.Pos

	MaxAZs    int // subnets reserved per tier, default 4
	MaxAZsPos ir.Pos

	Tiers []Tier // default public 24, app 20, db 24, in this order
}

// Env is what the plan needs of one env file.
type Env struct {
	Name string
	Pos  ir.Pos // where the env is declared

	CIDR    netip.Prefix // zero: allocate from the pool
	CIDRPos ir.Pos

	AZs    []string
	AZsPos ir.Pos

	Subnets   map[string]map[string]netip.Prefix // explicit subnets: tier -> AZ -> CIDR
	SubnetPos map[string]map[string]ir.Pos
}

// Lock is the CIDR part of the riglet's lock file. A nil *Lock is an empty lock.
type Lock struct {
	Envs map[string]*EnvLock
}

// EnvLock is what the lock records for one env.
type EnvLock struct {
	CIDR    netip.Prefix
	Slots   map[string]netip.Prefix            // tier -> its slot
	Subnets map[string]map[string]netip.Prefix // tier -> AZ -> CIDR

	// Retired says the env left the plan: its VPC (and its subnets) may still be
	// deployed, so no other env gets its CIDR until riglet lock prune releases it.
	Retired bool
	// RetiredSubnets are the subnets of AZs or tiers that left the env (or that an
	// explicit value replaced): tier -> AZ -> CIDR, kept from new AZs until a prune.
	RetiredSubnets map[string]map[string]netip.Prefix

	// Where the lock file holds the entry's values (zero in a lock Allocate returns),
	// for naming the other side of a conflict.
	CIDRPos   ir.Pos
	SubnetPos map[string]map[string]ir.Pos
}

// Subnet is one planned subnet.
type Subnet struct {
	Tier, AZ string
	CIDR     netip.Prefix
	Usable   int
	Source   string // SourceExplicit, SourceLocked or SourceNew
}

// Plan is one env's network.
type Plan struct {
	Env        string
	CIDR       netip.Prefix
	CIDRSource string
	Subnets    []Subnet // tier order, then env AZ order
}

// Where a planned value came from.
const (
	SourceExplicit = "explicit"
	SourceLocked   = "locked"
	SourceNew      = "new"
)

// AWS limits on VPC and subnet sizes, and a bound on max_azs well above any region's AZ
// count that keeps slots from swallowing a VPC by a typo.
const (
	minVPCBits    = 16
	maxVPCBits    = 28
	maxSubnetBits = 28
	maxMaxAZs     = 16
)

// Defaults returns the network section a riglet gets when it says nothing.
func Defaults() Config {
	return Config{
		Pool:   netip.MustParsePrefix("10.0.0.0/8"),
		Prefix: 16,
		MaxAZs: 4,
		Tiers:  []Tier{{Name: "public", Size: 24}, {Name: "app", Size: 20}, {Name: "db", Size: 24}},
	}
}

// Usable returns the addresses of an IPv4 subnet that instances can use: AWS keeps the
// first four and the last one. It is 0 for anything else.
func Usable(p netip.Prefix) int {
	if !p.IsValid() || !p.Addr().Is4() || p.Bits() > 30 {
		return 0
	}
	return 1<<(32-p.Bits()) - 5
}

func (l *Lock) env(name string) *EnvLock {
	if l == nil {
		return nil
	}
	return l.Envs[name]
}

// Allocate plans every env's VPC and subnets, keeping what lock holds where it is still
// valid, and returns the plans (in env order) and the lock to write back.
func Allocate(cfg Config, envs []Env, lock *Lock) ([]Plan, *Lock, ir.Errors) {
	cfg = withDefaults(cfg)
	var errs ir.Errors
	checkConfig(cfg, &errs)
	checkEnvs(cfg, envs, &errs)
	if len(errs) > 0 {
		return nil, nil, errs.Sorted()
	}
	vpcs, retired := allocateVPCs(cfg, envs, lock, &errs)
	plans := make([]Plan, 0, len(envs))
	out := &Lock{Envs: make(map[string]*EnvLock, len(envs)+len(retired))}
	for name, el := range retired {
		out.Envs[name] = el
	}
	for i, e := range envs {
		if !vpcs[i].cidr.IsValid() {
			continue
		}
		p, el := planEnv(cfg, e, vpcs[i], lock.env(e.Name), &errs)
		plans = append(plans, p)
		out.Envs[e.Name] = el
	}
	if len(errs) > 0 {
		return nil, nil, errs.Sorted()
	}
	return plans, out, nil
}

func withDefaults(cfg Config) Config {
	d := Defaults()
	if !cfg.Pool.IsValid() {
		cfg.Pool = d.Pool
	}
	if cfg.Prefix == 0 {
		cfg.Prefix = d.Prefix
	}
	if cfg.MaxAZs == 0 {
		cfg.MaxAZs = d.MaxAZs
	}
	if len(cfg.Tiers) == 0 {
		cfg.Tiers = d.Tiers
	}
	return cfg
}

// isNet reports whether p is an IPv4 network address (no host bits set).
func isNet(p netip.Prefix) bool { return p.IsValid() && p.Addr().Is4() && p == p.Masked() }

// checkPrefix reports why p cannot be what its caller wants, or "".
func checkPrefix(p netip.Prefix) string {
	switch {
	case !p.Addr().Is4():
		return "is not an IPv4 prefix"
	case p != p.Masked():
		return "is not a network address (did you mean " + p.Masked().String() + ")"
	}
	return ""
}

func checkConfig(cfg Config, errs *ir.Errors) {
	if why := checkPrefix(cfg.Pool); why != "" {
		errs.AddCode(ir.CodeNetwork, cfg.PoolPos, "network pool %s %s", cfg.Pool, why)
	}
	prefixOK := cfg.Prefix >= minVPCBits && cfg.Prefix <= maxVPCBits
	if !prefixOK {
		errs.AddCode(ir.CodeNetwork, cfg.PrefixPos, "network prefix /%d is outside /%d../%d, the VPC sizes AWS allows", cfg.Prefix, minVPCBits, maxVPCBits)
	} else if cfg.Pool.Bits() > cfg.Prefix {
		errs.AddCode(ir.CodeNetwork, cfg.PoolPos, "network pool %s is smaller than one /%d VPC", cfg.Pool, cfg.Prefix)
	}
	if cfg.MaxAZs < 1 || cfg.MaxAZs > maxMaxAZs {
		errs.AddCode(ir.CodeNetwork, cfg.MaxAZsPos, "max_azs %d is outside 1..%d", cfg.MaxAZs, maxMaxAZs)
		return
	}
	shortest := minVPCBits
	if prefixOK {
		shortest = cfg.Prefix
	}
	tiersOK := true
	seen := map[string]ir.Pos{}
	for _, t := range cfg.Tiers {
		if t.Name == "" {
			errs.AddCode(ir.CodeNetwork, t.Pos, "tier has no name")
			tiersOK = false
		} else if first, dup := seen[t.Name]; dup {
			errs.Add(&ir.Error{Code: ir.CodeNetwork, Pos: t.Pos, Msg: "tier " + strconv.Quote(t.Name) + " declared twice",
				Related: []ir.Related{{Pos: first, Msg: "first declared here"}}})
			tiersOK = false
		} else {
			seen[t.Name] = t.Pos
		}
		if t.Size <= shortest || t.Size > maxSubnetBits {
			errs.AddCode(ir.CodeNetwork, t.Pos, "tier %q subnet size /%d must be longer than the VPC prefix /%d and at most /%d", t.Name, t.Size, shortest, maxSubnetBits)
			tiersOK = false
		}
	}
	if !prefixOK || !tiersOK {
		return
	}
	var slots []span
	vpc := span{0, 1 << (32 - cfg.Prefix)}
	for _, t := range cfg.Tiers {
		bits := slotBits(t.Size, cfg.MaxAZs)
		lo, ok := firstFit(vpc, bits, slots)
		if !ok {
			errs.AddCode(ir.CodeNetwork, t.Pos, "tiers do not fit a /%d VPC: tier %q needs a /%d slot for %d /%d subnets and no room is left after the tiers before it",
				cfg.Prefix, t.Name, bits, cfg.MaxAZs, t.Size)
			return
		}
		slots = append(slots, span{lo, lo + size(bits)})
	}
}

func checkEnvs(cfg Config, envs []Env, errs *ir.Errors) {
	tiers := map[string]int{}
	for _, t := range cfg.Tiers {
		tiers[t.Name] = t.Size
	}
	names := map[string]ir.Pos{}
	for i, e := range envs {
		if e.Name == "" {
			errs.AddCode(ir.CodeNetwork, e.Pos, "env has no name")
		} else if first, dup := names[e.Name]; dup {
			errs.Add(&ir.Error{Code: ir.CodeNetwork, Pos: e.Pos, Msg: "env " + strconv.Quote(e.Name) + " declared twice",
				Related: []ir.Related{{Pos: first, Msg: "first declared here"}}})
		} else {
			names[e.Name] = e.Pos
		}
		if e.CIDR.IsValid() {
			if why := checkPrefix(e.CIDR); why != "" {
				errs.AddCode(ir.CodeNetwork, e.CIDRPos, "env %q cidr %s %s", e.Name, e.CIDR, why)
			} else if b := e.CIDR.Bits(); b < minVPCBits || b > maxVPCBits {
				errs.AddCode(ir.CodeNetwork, e.CIDRPos, "env %q cidr %s is outside /%d../%d, the VPC sizes AWS allows", e.Name, e.CIDR, minVPCBits, maxVPCBits)
			} else {
				for _, o := range envs[:i] {
					if isNet(o.CIDR) && o.CIDR.Overlaps(e.CIDR) {
						errs.Add(&ir.Error{Code: ir.CodeNetwork, Pos: e.CIDRPos,
							Msg:     "env " + strconv.Quote(e.Name) + " cidr " + e.CIDR.String() + " overlaps env " + strconv.Quote(o.Name) + " cidr " + o.CIDR.String(),
							Related: []ir.Related{{Pos: o.CIDRPos, Msg: "env " + strconv.Quote(o.Name) + " cidr " + o.CIDR.String()}}})
					}
				}
			}
		}
		if len(e.AZs) > cfg.MaxAZs {
			errs.AddCode(ir.CodeNetwork, e.AZsPos, "env %q has %d AZs, more than max_azs %d (the subnets each tier reserves)", e.Name, len(e.AZs), cfg.MaxAZs)
		}
		for j, az := range e.AZs {
			if az == "" {
				errs.AddCode(ir.CodeNetwork, e.AZsPos, "env %q has an empty AZ name", e.Name)
			} else if slices.Contains(e.AZs[:j], az) {
				errs.AddCode(ir.CodeNetwork, e.AZsPos, "env %q lists AZ %q twice", e.Name, az)
			}
		}
		for _, tier := range sortedKeys(e.Subnets) {
			for _, az := range sortedKeys(e.Subnets[tier]) {
				p, pos := e.Subnets[tier][az], subnetPos(e, tier, az)
				tsize, known := tiers[tier]
				switch {
				case !known:
					errs.AddCode(ir.CodeNetwork, pos, "env %q subnet for unknown tier %q", e.Name, tier)
				case !slices.Contains(e.AZs, az):
					errs.AddCode(ir.CodeNetwork, pos, "env %q subnet for tier %q in AZ %q, which the env does not list", e.Name, tier, az)
				case !p.IsValid():
					errs.AddCode(ir.CodeNetwork, pos, "env %q subnet for tier %q in AZ %q has no CIDR", e.Name, tier, az)
				case checkPrefix(p) != "":
					errs.AddCode(ir.CodeNetwork, pos, "env %q subnet %s %s", e.Name, p, checkPrefix(p))
				case p.Bits() != tsize:
					errs.AddCode(ir.CodeNetwork, pos, "env %q subnet %s for tier %q is a /%d, the tier's subnets are /%d", e.Name, p, tier, p.Bits(), tsize)
				}
			}
		}
	}
}

func subnetPos(e Env, tier, az string) ir.Pos {
	if p, ok := e.SubnetPos[tier][az]; ok {
		return p
	}
	return e.Pos
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

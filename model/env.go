package model

import (
	"errors"
	"io/fs"
	"net/netip"
	"path"
	"regexp"
	"strings"

	"github.com/riglet/riglet/internal/graph"
	"github.com/riglet/riglet/internal/suggest"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/source"
)

// Env is one environment file, after `extends` is merged.
type Env struct {
	Name        string
	File        string
	Pos         ir.Pos // the env key, or the file
	Account     string
	Region      string
	RegionPos   ir.Pos
	AZs         []string
	AZsPos      ir.Pos
	CIDR        netip.Prefix
	CIDRPos     ir.Pos
	Subnets     map[string]map[string]netip.Prefix // tier -> AZ -> CIDR, explicit
	SubnetPos   map[string]map[string]ir.Pos
	Domain      string
	Certificate string
	CertPos     ir.Pos // the certificate key, zero when the env file has none
	// HostedZone is the env's public Route 53 hosted zone: where acm-certificate's
	// validation records and the ALB's and CloudFront's alias records are written.
	HostedZone    string
	HostedZonePos ir.Pos
	Alarms        EnvAlarms
	Params        *ir.Node // Map or nil
	Tags          *ir.Node // Map or nil
}

// EnvAlarms is the env file's alarms section.
type EnvAlarms struct {
	Profile    string // all | critical | none
	ProfilePos ir.Pos
	Email      string
	Thresholds *ir.Node // Map or nil
}

// Spec is a riglet spec.
type Spec struct {
	Name        string
	File        string
	Pos         ir.Pos
	Owner       string
	Requires    string
	RequiresPos ir.Pos
	Description string
	Envs        []string
	EnvPos      []ir.Pos
	Network     Network
	Stacks      []*Stack
	Root        *ir.Node
}

// Network is the spec's network section.
type Network struct {
	Pool      netip.Prefix
	PoolPos   ir.Pos
	Prefix    int
	PrefixPos ir.Pos
	MaxAZs    int
	MaxAZsPos ir.Pos
	Tiers     []Tier
}

// Tier is one subnet tier.
type Tier struct {
	Name string
	Size int
	Pos  ir.Pos
}

// Stack is one stack of a spec.
type Stack struct {
	Name      string
	Pos       ir.Pos
	Shared    bool
	Needs     []string
	NeedsPos  []ir.Pos
	Only      Only // the envs it is limited to (only.go)
	Instances []*Instance
}

// Instance is one block instance named in the spec.
type Instance struct {
	Name     string
	Pos      ir.Pos
	Stack    *Stack
	Block    string
	BlockPos ir.Pos
	Params   *ir.Node            // Map or nil
	Envs     map[string]*ir.Node // env -> Map of params
	EnvsPos  map[string]ir.Pos
	With     []*Modification
	Alarms   *ir.Node // Map or nil: resource -> alarm -> threshold
	Ignore   *ir.Node // Map or nil: lint rule ID -> reason
	Only     Only     // the envs it is limited to, within its stack's (only.go)
}

// Modification is one entry of an instance's `with:`.
type Modification struct {
	Block  string
	Pos    ir.Pos
	Params *ir.Node // Map or nil
}

// LoadEnv reads envs/<name>.yaml, merging what it extends.
func LoadEnv(fsys fs.FS, name string, errs *ir.Errors) *Env {
	file := path.Join("envs", name+".yaml")
	root, _ := loadEnvNode(fsys, file, ir.Pos{}, nil, errs)
	if root == nil {
		return nil
	}
	e := &Env{Name: name, File: file, Pos: ir.Pos{File: ir.FileOf(file), Line: 1, Col: 1}}
	o := newObject(root, EnvKeys, "env file", errs)
	o.get("extends") // merged by loadEnvNode
	if n, p := o.str("env"); n != "" && n != name {
		errs.AddCode(ir.CodeInvalidValue, p, "env file %s says env %q; the file name says %q", file, n, name)
	} else if n != "" {
		e.Pos = p
	}
	e.Account, _ = o.str("account")
	if e.Account != "" && (len(e.Account) != 12 || strings.Trim(e.Account, "0123456789") != "") {
		errs.AddCode(ir.CodeInvalidValue, root.Get("account").Pos, "account must be 12 digits, as a quoted string")
	}
	e.Region, e.RegionPos = o.required("region")
	from := len(*errs)
	e.AZs, _ = o.strings("azs")
	e.AZsPos = o.keyPos("azs")
	// azs of the wrong type is reported at its value; saying it is missing too is noise
	if len(e.AZs) == 0 && len(*errs) == from {
		errs.AddCode(ir.CodeMissingKey, o.keyPos("azs"), "env %s needs azs, the availability zones it uses", name)
	}
	seen := map[string]bool{}
	for i, az := range e.AZs {
		if seen[az] {
			errs.AddCode(ir.CodeDuplicateName, root.Get("azs").Items[i].Pos, "availability zone %s listed twice", az)
		}
		seen[az] = true
		if e.Region != "" && !strings.HasPrefix(az, e.Region) {
			errs.AddCode(ir.CodeInvalidValue, root.Get("azs").Items[i].Pos, "availability zone %s is not in region %s", az, e.Region)
		}
	}
	if s, p := o.str("cidr"); s != "" {
		e.CIDRPos = p
		pf, err := netip.ParsePrefix(s)
		if err != nil || !pf.Addr().Is4() {
			errs.AddCode(ir.CodeInvalidValue, p, "cidr %q is not an IPv4 CIDR block", s)
		} else {
			e.CIDR = pf
		}
	}
	e.Subnets, e.SubnetPos = subnets(o.mapping("subnets"), errs)
	e.Domain, _ = o.str("domain")
	e.Certificate, _ = o.str("certificate")
	if e.Certificate != "" {
		e.CertPos = o.keyPos("certificate")
	}
	if z, p := o.str("hosted_zone"); z != "" {
		e.HostedZone, e.HostedZonePos = z, p
		if !hostedZoneRE.MatchString(z) {
			errs.AddCode(ir.CodeInvalidValue, p, "hosted_zone %q is not a Route 53 hosted zone ID (upper-case letters and digits, such as Z0123456789ABCDEFGHIJ: aws route53 list-hosted-zones shows it after /hostedzone/)", z)
		}
	}
	e.Alarms.Profile = EnvAlarmsKeys.Key("profile").Default
	if a := o.mapping("alarms"); a != nil {
		ao := newObject(a, EnvAlarmsKeys, "alarms", errs)
		if p, pp := ao.str("profile"); p != "" {
			e.Alarms.Profile, e.Alarms.ProfilePos = p, pp
			if p != "all" && p != "critical" && p != "none" {
				errs.AddCode(ir.CodeInvalidValue, pp, "alarms profile %q is not one of all, critical, none", p)
			}
		}
		e.Alarms.Email, _ = ao.str("email")
		e.Alarms.Thresholds = ao.mapping("thresholds")
		ao.done()
	}
	e.Params = o.mapping("params")
	e.Tags = o.mapping("tags")
	if e.Tags != nil {
		for _, p := range e.Tags.Pairs {
			if !p.Value.IsScalar() {
				errs.AddCode(ir.CodeInvalidValue, p.Value.Pos, "tag %s must be a string", p.Key)
			}
		}
	}
	o.done()
	return e
}

// loadEnvNode reads an env file and merges the files it extends under it. at is the
// extends: that names file (zero for the env itself, which the spec places): a
// problem with the whole file belongs where the user wrote its name.
func loadEnvNode(fsys fs.FS, file string, at ir.Pos, chain []string, errs *ir.Errors) (*ir.Node, []string) {
	if at.Line == 0 {
		at = ir.Pos{File: ir.FileOf(file)}
	}
	if c, ok := graph.Closes(chain, file); ok {
		errs.AddCode(ir.CodeCycle, at, "env files extend each other in a cycle: %s", strings.Join(c.Path, " -> "))
		return nil, chain
	}
	chain = append(chain, file)
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		hint := ""
		if errors.Is(err, fs.ErrNotExist) {
			hint = suggest.DidYouMean(strings.TrimSuffix(path.Base(file), ".yaml"), envNames(fsys))
		}
		errs.AddCode(ir.CodeUnreadable, at, "cannot read env file %s: %v%s", file, unwrapPathError(err), hint)
		return nil, chain
	}
	root, err := source.Parse(file, data)
	if err != nil {
		errs.Merge(err)
		return nil, chain
	}
	if root.Kind != ir.Map {
		errs.AddCode(ir.CodeInvalidValue, root.Pos, "an env file is a map of settings")
		return nil, chain
	}
	ext := root.Get("extends")
	if ext == nil {
		return root, chain
	}
	if ext.Kind != ir.String {
		errs.AddCode(ir.CodeInvalidValue, ext.Pos, "extends names another env file")
		return root, chain
	}
	baseFile := path.Join("envs", ext.Text+".yaml")
	base, chain := loadEnvNode(fsys, baseFile, ext.Pos, chain, errs)
	if base == nil {
		return nil, chain
	}
	base = base.Clone()
	base.Delete("env")
	base.Delete("extends")
	return mergeMaps(base, root), chain
}

// mergeMaps merges over on top of base: maps merge key by key, everything else replaces.
func mergeMaps(base, over *ir.Node) *ir.Node {
	out := base.Clone()
	out.Pos = over.Pos
	for _, p := range over.Pairs {
		if b := out.Get(p.Key); b != nil && b.Kind == ir.Map && p.Value.Kind == ir.Map {
			out.Set(p.Key, mergeMaps(b, p.Value))
			out.Pair(p.Key).KeyPos = p.KeyPos
			continue
		}
		if pr := out.Pair(p.Key); pr != nil {
			pr.Value, pr.KeyPos = p.Value, p.KeyPos
			continue
		}
		out.Pairs = append(out.Pairs, p)
	}
	return out
}

func subnets(n *ir.Node, errs *ir.Errors) (map[string]map[string]netip.Prefix, map[string]map[string]ir.Pos) {
	if n == nil {
		return nil, nil
	}
	out := map[string]map[string]netip.Prefix{}
	pos := map[string]map[string]ir.Pos{}
	for _, t := range n.Pairs {
		if t.Value.Kind != ir.Map {
			errs.AddCode(ir.CodeInvalidValue, t.Value.Pos, "subnets.%s maps availability zones to CIDR blocks", t.Key)
			continue
		}
		out[t.Key], pos[t.Key] = map[string]netip.Prefix{}, map[string]ir.Pos{}
		for _, a := range t.Value.Pairs {
			pf, err := netip.ParsePrefix(a.Value.Text)
			if err != nil || !pf.Addr().Is4() {
				errs.AddCode(ir.CodeInvalidValue, a.Value.Pos, "%q is not an IPv4 CIDR block", a.Value.Text)
				continue
			}
			out[t.Key][a.Key], pos[t.Key][a.Key] = pf, a.Value.Pos
		}
	}
	return out, pos
}

// envNames are the envs that have a file, for a "did you mean".
func envNames(fsys fs.FS) []string {
	m, _ := fs.Glob(fsys, "envs/*.yaml")
	names := make([]string, 0, len(m))
	for _, f := range m {
		names = append(names, strings.TrimSuffix(path.Base(f), ".yaml"))
	}
	return names
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

var hostedZoneRE = regexp.MustCompile(hostedZonePattern)

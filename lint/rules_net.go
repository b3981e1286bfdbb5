package lint

import (
	"net/netip"

	"github.com/riglet/riglet/ir"
)

// The network family over generated templates (VPCs and subnets a block writes by
// hand) and the env's CIDR plan. What the plan itself refuses is NET001.

func prefixOf(n *ir.Node) (netip.Prefix, bool) {
	if n == nil || n.Kind != ir.String {
		return netip.Prefix{}, false
	}
	p, err := netip.ParsePrefix(n.Text)
	return p, err == nil && p.Addr().Is4()
}

type subnet struct {
	res  *Resource
	cidr netip.Prefix
	vpc  string
}

func subnets(e *Env) []subnet {
	var out []subnet
	for _, r := range e.resourcesOf("AWS::EC2::Subnet") {
		if c, ok := prefixOf(r.Props.Get("CidrBlock")); ok {
			out = append(out, subnet{r, c, e.key(r.Stack, r.Props.Get("VpcId"))})
		}
	}
	return out
}

func init() {
	register(
		&Rule{ID: "NET002", Name: "vpc-size", Family: "network", Severity: Error, Scope: ScopeTemplate,
			Title: "a VPC CIDR outside /16../28",
			Doc:   "AWS VPCs are between /16 and /28. The plan checks the env's CIDR; this checks VPCs a block writes with a literal CidrBlock.",
			Bad:   "CidrBlock: 10.0.0.0/8\n", Good: "CidrBlock: 10.0.0.0/16\n",
			Run: func(p *Pass) {
				for _, r := range p.Stack.Resources {
					if r.Type != "AWS::EC2::VPC" {
						continue
					}
					if c, ok := prefixOf(r.Props.Get("CidrBlock")); ok && (c.Bits() < 16 || c.Bits() > 28) {
						p.Report(r, r.Props.Get("CidrBlock"), "VPC CIDR %s is a /%d; AWS allows /16 to /28", c, c.Bits())
					}
				}
			}},
		&Rule{ID: "NET003", Name: "subnet-outside-vpc", Family: "network", Severity: Error, Scope: ScopeRiglet, CfnLint: []string{"E3059"},
			Title: "a subnet CIDR outside its VPC's CIDR",
			Doc:   "A subnet's CidrBlock must lie inside the CidrBlock of the VPC it names.",
			Bad:   "VPC: {CidrBlock: 10.20.0.0/16}\nSubnet: {CidrBlock: 10.21.0.0/24}\n", Good: "Subnet: {CidrBlock: 10.20.0.0/24}\n",
			Run: func(p *Pass) {
				for _, e := range p.Envs {
					for _, s := range subnets(e) {
						v := e.resource(s.vpc)
						if v == nil || v.Type != "AWS::EC2::VPC" {
							continue
						}
						if vc, ok := prefixOf(v.Props.Get("CidrBlock")); ok && !(vc.Bits() <= s.cidr.Bits() && vc.Contains(s.cidr.Addr())) {
							relate(p.reportEnv(e, s.res, s.res.Props.Get("CidrBlock"), "subnet %s (%s) lies outside VPC %s (%s)", s.res.ID, s.cidr, v.ID, vc), v, "VPC "+v.ID)
						}
					}
				}
			}},
		&Rule{ID: "NET004", Name: "subnets-overlap", Family: "network", Severity: Error, Scope: ScopeRiglet, CfnLint: []string{"E3060"},
			Title: "two subnets of one VPC with overlapping CIDRs",
			Doc:   "Subnets of a VPC must not overlap; the second fails to create.",
			Bad:   "A: {CidrBlock: 10.20.0.0/23}\nB: {CidrBlock: 10.20.1.0/24}\n", Good: "A: {CidrBlock: 10.20.0.0/24}\nB: {CidrBlock: 10.20.1.0/24}\n",
			Run: func(p *Pass) {
				for _, e := range p.Envs {
					ss := subnets(e)
					for i, a := range ss {
						for _, b := range ss[:i] {
							if a.vpc == b.vpc && a.vpc != "" && a.cidr.Overlaps(b.cidr) {
								relate(p.reportEnv(e, a.res, a.res.Props.Get("CidrBlock"), "subnet %s (%s) overlaps subnet %s (%s) in the same VPC", a.res.ID, a.cidr, b.res.ID, b.cidr), b.res, "subnet "+b.res.ID)
							}
						}
					}
				}
			}},
		&Rule{ID: "NET005", Name: "single-az-alb-rds", Family: "network", Severity: Error, Scope: ScopeRiglet, CfnLint: []string{"E3680"},
			Title: "an ALB or RDS database in an env with fewer than two AZs",
			Doc:   "Application load balancers and RDS subnet groups need subnets in at least two availability zones.",
			Bad:   "azs: [us-west-2a]\n", Good: "azs: [us-west-2a, us-west-2b]\n",
			Run: func(p *Pass) {
				for _, e := range p.Envs {
					// A load balancer that lists its subnets gives its AZ count itself.
					for _, r := range e.resourcesOf("AWS::ElasticLoadBalancingV2::LoadBalancer") {
						t := text(r.Props.Get("Type"))
						sn := r.Props.Get("Subnets")
						if (t == "" || t == "application") && sn != nil && sn.Kind == ir.List && len(sn.Items) < 2 && r.Props.Get("SubnetMappings") == nil {
							p.reportEnv(e, r, sn, "load balancer %s needs subnets in two AZs; it lists %d", r.ID, len(sn.Items))
						}
					}
					if e.EnvFile == nil || len(e.EnvFile.AZs) >= 2 {
						continue
					}
					for _, r := range e.resourcesOf("AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::RDS::DBSubnetGroup", "AWS::RDS::DBCluster", "AWS::RDS::DBInstance") {
						if r.Type == "AWS::ElasticLoadBalancingV2::LoadBalancer" && text(r.Props.Get("Type")) != "" && text(r.Props.Get("Type")) != "application" {
							continue
						}
						if r.Type == "AWS::RDS::DBInstance" && r.Props.Get("DBClusterIdentifier") != nil {
							continue
						}
						f := p.reportEnv(e, r, nil, "%s %s needs subnets in two AZs; env %s has %d", r.Type, r.ID, e.Env, len(e.EnvFile.AZs))
						f.Related = append(f.Related, Related{Pos: e.EnvFile.AZsPos, Msg: "azs of env " + e.Env})
					}
				}
			}},
		net006,
	)
}

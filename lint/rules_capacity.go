package lint

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/netplan"
)

// NET006: a tier's addresses against the tasks that may run in it at once. Every
// awsvpc task (Fargate's, and EC2's in awsvpc mode) takes an address of its subnets;
// a service runs at most the larger of its DesiredCount and the MaxCapacity of the
// scalable targets that scale it (CloudFormation sets DesiredCount on each update,
// before Application Auto Scaling brings it back within bounds), and a deployment
// runs MaximumPercent of that (200 when unset: old and new tasks side by side).
var net006 = &Rule{ID: "NET006", Name: "app-tier-too-small", Family: "network", Severity: Error, Scope: ScopeRiglet,
	Title: "a tier's subnets with fewer addresses than the tasks may take",
	Doc: "Fargate (awsvpc) tasks take one address each from the subnets they run in, and a deployment at MaximumPercent (200 by default) runs old and new tasks side by side. " +
		"A service may run the larger of its DesiredCount and the MaxCapacity of any Application Auto Scaling target that scales it. " +
		"The services sharing a tier's subnets, each at its largest count times its MaximumPercent, must fit the tier's usable addresses in the env (AWS keeps 5 per subnet). " +
		"Services whose subnets are not the plan's are counted against the app tier.",
	Bad:  "tiers: {public: 24, app: 27, db: 24}   # 2 x 27 addresses\nwith: [{autoscale: {MaxCapacity: 400}}]\n",
	Good: "tiers: {public: 24, app: 20, db: 24}\nwith: [{autoscale: {MaxCapacity: 400}}]\n",
	Run: func(p *Pass) {
		for _, e := range p.Envs {
			if e.Network != nil {
				checkTierCapacity(p, e)
			}
		}
	}}

// taskLoad is what one service may take of its tier.
type taskLoad struct {
	svc    *Resource
	tasks  int       // the largest count it may run
	pct    int       // its MaximumPercent
	need   int       // addresses: tasks times pct, rounded up
	target *Resource // the scalable target whose MaxCapacity gives tasks, or nil
}

func checkTierCapacity(p *Pass, e *Env) {
	usable := map[string]int{}
	tierOf := map[netip.Prefix]string{}
	var tiers []string
	for _, s := range e.Network.Subnets {
		if _, ok := usable[s.Tier]; !ok {
			tiers = append(tiers, s.Tier)
		}
		usable[s.Tier] += netplan.Usable(s.CIDR)
		tierOf[s.CIDR] = s.Tier
	}
	targets := scalableTargets(e)
	loads := map[string][]taskLoad{}
	for _, r := range e.resourcesOf("AWS::ECS::Service") {
		awsvpc := r.Prop("NetworkConfiguration.AwsvpcConfiguration")
		if text(r.Props.Get("LaunchType")) != "FARGATE" && awsvpc == nil {
			continue
		}
		tier, known := "app", false
		for _, k := range e.resolveKeys(r.Stack, awsvpc.Get("Subnets"), 0) {
			if sn := e.resource(k); sn != nil && sn.Type == "AWS::EC2::Subnet" {
				c, _ := prefixOf(sn.Props.Get("CidrBlock"))
				tier, known = tierOf[c], true
				break
			}
		}
		if known && tier == "" {
			continue // subnets of a VPC of its own, not the plan's
		}
		l := taskLoad{svc: r, tasks: 1, pct: 200}
		if n, ok := atoi(r.Props.Get("DesiredCount")); ok {
			l.tasks = n
		}
		for _, t := range targets[r.key()] {
			if n, _ := atoi(t.Props.Get("MaxCapacity")); n > l.tasks {
				l.tasks, l.target = n, t
			}
		}
		if m, ok := atoi(r.Prop("DeploymentConfiguration.MaximumPercent")); ok {
			l.pct = max(m, 100)
		}
		l.need = (l.tasks*l.pct + 99) / 100
		loads[tier] = append(loads[tier], l)
	}
	for _, tier := range tiers {
		total, big := 0, -1
		for i, l := range loads[tier] {
			total += l.need
			if big < 0 || l.need > loads[tier][big].need {
				big = i
			}
		}
		if total <= usable[tier] || usable[tier] == 0 {
			continue
		}
		// at the service that takes the most, where a smaller count helps most
		l := loads[tier][big]
		what := fmt.Sprintf("%s may run %d tasks (DesiredCount)", l.svc.ID, l.tasks)
		res, at := l.svc, l.svc.Props.Get("DesiredCount")
		if l.target != nil {
			what = fmt.Sprintf("%s may scale to %d tasks (MaxCapacity of %s)", l.svc.ID, l.tasks, l.target.ID)
			res, at = l.target, l.target.Props.Get("MaxCapacity")
		}
		f := p.reportEnv(e, res, at, "the services of env %s may run %d tasks at once in the %s tier, more than the %d addresses of its subnets: %s, %d at MaximumPercent %d",
			e.Env, total, tier, usable[tier], what, l.need, l.pct)
		if res != l.svc {
			relate(f, l.svc, "service "+l.svc.ID)
		}
	}
}

// scalableTargets indexes the Application Auto Scaling targets by the ECS service
// their ResourceId names (service/<cluster>/<service name>, usually a Fn::Sub).
func scalableTargets(e *Env) map[string][]*Resource {
	out := map[string][]*Resource{}
	for _, t := range e.resourcesOf("AWS::ApplicationAutoScaling::ScalableTarget") {
		seen := map[string]bool{}
		for _, k := range e.resolveKeys(t.Stack, t.Props.Get("ResourceId"), 0) {
			if !seen[k] {
				seen[k] = true
				out[k] = append(out[k], t)
			}
		}
	}
	return out
}

var subRefRE = regexp.MustCompile(`\$\{([^!}][^}]*)\}`)

// resolveKeys lists the resources a value refers to: Ref and Fn::GetAtt, the names
// a Fn::Sub string refers to, and through Fn::ImportValue whatever the exported
// output's value refers to (the vpc block's AppSubnetIds, a Fn::Join of its subnets).
func (e *Env) resolveKeys(s *Stack, n *ir.Node, depth int) []string {
	var out []string
	ir.Walk(n, func(m *ir.Node) bool {
		fn, arg, ok := m.Intrinsic()
		if !ok {
			return true
		}
		switch fn {
		case "Ref", "Fn::GetAtt":
			if k := e.key(s, m); k != "" {
				out = append(out, k)
			}
			return false
		case "Fn::ImportValue":
			e.indexExports()
			if pr := e.exports[text(arg)]; pr != nil && depth < 8 {
				out = append(out, e.resolveKeys(e.exportStack[text(arg)], pr.Value.Get("Value"), depth+1)...)
			}
			return false
		case "Fn::Sub":
			str, vars := arg, (*ir.Node)(nil)
			if arg.Kind == ir.List && len(arg.Items) > 0 {
				str = arg.Items[0]
				if len(arg.Items) > 1 {
					vars = arg.Items[1]
				}
			}
			if str.Kind == ir.String {
				for _, sm := range subRefRE.FindAllStringSubmatch(str.Text, -1) {
					id, _, _ := strings.Cut(sm[1], ".")
					if vars.Get(id) == nil && !strings.HasPrefix(id, "AWS::") {
						out = append(out, s.Name+"/"+id)
					}
				}
			}
			if vars != nil {
				out = append(out, e.resolveKeys(s, vars, depth)...)
			}
			return false
		}
		return true
	})
	return out
}

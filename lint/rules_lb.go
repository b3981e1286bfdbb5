package lint

import (
	"fmt"
	"sort"
	"strings"

	"github.com/riglet/riglet/internal/fargate"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/priority"
)

// The load-balancing family, over the generated ListenerRule resources, whichever
// pass or block made them.

type lbRule struct {
	res      *Resource
	env      *Env
	listener string
	lb       string
	prio     int
	prioNode *ir.Node
	rule     priority.Rule
	compiled *priority.Compiled // rule, compiled once for every pair it is in
	tgs      []string
}

// listenerRules collects an env's listener rules with their listener, load balancer
// and conditions.
func listenerRules(e *Env) []*lbRule {
	var out []*lbRule
	for _, r := range e.resourcesOf("AWS::ElasticLoadBalancingV2::ListenerRule") {
		lr := &lbRule{res: r, env: e, listener: e.key(r.Stack, r.Props.Get("ListenerArn"))}
		lr.prioNode = r.Props.Get("Priority")
		lr.prio, _ = atoi(lr.prioNode)
		if l := e.resource(lr.listener); l != nil {
			lr.lb = e.key(l.Stack, l.Props.Get("LoadBalancerArn"))
		} else if lb, ok := priority.ListenerARNLoadBalancer(strings.TrimPrefix(lr.listener, "=")); ok {
			lr.lb = lb // a listener riglet does not own: its ARN names the load balancer
		}
		if lr.lb == "" {
			lr.lb = lr.listener
		}
		pr := priority.Rule{Key: r.key(), Listener: lr.listener, LoadBalancer: lr.lb, Explicit: lr.prio, Pos: r.Pos(), Stack: r.Stack.Name, Name: r.ID}
		for _, c := range list(r.Props.Get("Conditions")) {
			field := text(c.Get("Field"))
			vals := func(cfg string) []string {
				var vs []string
				src := c.Get(cfg).Get("Values")
				if src == nil {
					src = c.Get("Values")
				}
				for _, v := range list(src) {
					vs = append(vs, text(v))
				}
				return vs
			}
			switch field {
			case "path-pattern":
				pr.Paths = append(pr.Paths, vals("PathPatternConfig")...)
			case "host-header":
				pr.Hosts = append(pr.Hosts, vals("HostHeaderConfig")...)
			default:
				pr.Other = true
			}
		}
		lr.rule = pr
		lr.compiled = priority.Compile(pr)
		for _, a := range list(r.Props.Get("Actions")) {
			if tg := a.Get("TargetGroupArn"); tg != nil {
				lr.tgs = append(lr.tgs, e.key(r.Stack, tg))
			}
			for _, t := range list(a.Get("ForwardConfig").Get("TargetGroups")) {
				lr.tgs = append(lr.tgs, e.key(r.Stack, t.Get("TargetGroupArn")))
			}
		}
		out = append(out, lr)
	}
	return out
}

func (l *lbRule) conds() string {
	var parts []string
	if len(l.rule.Hosts) > 0 {
		parts = append(parts, "host "+strings.Join(l.rule.Hosts, ","))
	}
	if len(l.rule.Paths) > 0 {
		parts = append(parts, "path "+strings.Join(l.rule.Paths, ","))
	}
	if len(parts) == 0 {
		return "any request"
	}
	return strings.Join(parts, " ")
}

func (l *lbRule) at() *ir.Node {
	if l.prioNode != nil {
		return l.prioNode
	}
	return nil
}

// byListener groups rules by listener, each group in priority order.
func byListener(rs []*lbRule) [][]*lbRule {
	m := map[string][]*lbRule{}
	var keys []string
	for _, r := range rs {
		if r.listener == "" {
			continue
		}
		if m[r.listener] == nil {
			keys = append(keys, r.listener)
		}
		m[r.listener] = append(m[r.listener], r)
	}
	sort.Strings(keys)
	var out [][]*lbRule
	for _, k := range keys {
		g := m[k]
		sort.SliceStable(g, func(i, j int) bool { return g[i].prio < g[j].prio })
		out = append(out, g)
	}
	return out
}

func lbRun(f func(p *Pass, e *Env, rs []*lbRule)) func(*Pass) {
	return func(p *Pass) {
		for _, e := range p.Envs {
			// The same rules for each of these rules, which only read them: made once
			// (should that panic, each rule still fails as it would have alone).
			e.lbOnce.Do(func() {
				defer func() { e.lbPanic = recover() }()
				e.lbRules = listenerRules(e)
			})
			if e.lbPanic != nil {
				panic(e.lbPanic)
			}
			rs := e.lbRules
			if len(rs) > 0 {
				f(p, e, rs)
			}
		}
	}
}

func (p *Pass) reportEnv(e *Env, r *Resource, at *ir.Node, format string, args ...any) *Finding {
	f := p.Report(r, at, format, args...)
	f.Envs = []string{e.Env}
	return f
}

func init() {
	register(
		&Rule{ID: "LB002", Name: "duplicate-priority", Family: "load-balancing", Severity: Error, Scope: ScopeRiglet,
			Title: "two listener rules with one priority on one listener",
			Doc:   "Priorities are unique per listener; CloudFormation fails the second rule with PriorityInUse. Rules of different stacks share a listener through the alb block's export, or by naming the same listener riglet does not own (one ARN, dynamic reference or imported export).",
			Bad:   "# twig-api and twig both\nListenerRulePriority: 100\n", Good: "# twig-api 100, twig 200\nListenerRulePriority: 200\n",
			Run: lbRun(func(p *Pass, e *Env, rs []*lbRule) {
				for _, g := range byListener(rs) {
					for i := 1; i < len(g); i++ {
						if g[i].prioNode != nil && g[i].prio == g[i-1].prio {
							relate(p.reportEnv(e, g[i].res, g[i].at(), "listener rule %s has priority %d, like %s on the same listener", g[i].res.ID, g[i].prio, g[i-1].res.ID),
								g[i-1].res, "priority "+fmt.Sprint(g[i].prio)+" taken by "+g[i-1].res.ID)
						}
					}
				}
			})},
		&Rule{ID: "LB003", Name: "priority-out-of-range", Family: "load-balancing", Severity: Error, Scope: ScopeRiglet, CfnLint: []string{"E3034"},
			Title: "a listener rule priority outside 1..50000",
			Doc:   "ALB listener rule priorities are integers from 1 to 50000.",
			Bad:   "ListenerRulePriority: 0\n", Good: "ListenerRulePriority: 100\n",
			Run: lbRun(func(p *Pass, e *Env, rs []*lbRule) {
				for _, r := range rs {
					if r.prioNode == nil || isIntrinsic(r.prioNode) {
						continue
					}
					if n, ok := atoi(r.prioNode); !ok || n < 1 || n > 50000 {
						p.reportEnv(e, r.res, r.prioNode, "listener rule %s has priority %s, outside 1..50000", r.res.ID, r.prioNode.Text)
					}
				}
			})},
		&Rule{ID: "LB004", Name: "shadowed-rule", Family: "load-balancing", Severity: Error, Scope: ScopeRiglet,
			Title: "a listener rule shadowed by a broader rule evaluated before it",
			Doc:   "The load balancer evaluates rules in priority order and stops at the first match. A narrower rule (host + path, a longer path prefix) with a higher number than a broader one it lies inside never sees its requests.",
			Bad:   "# /* at 100, /api/* at 200: /api/* never matches\nListenerRulePriority: 200\n", Good: "# /api/* at 100, /* at 200\nListenerRulePriority: 100\n",
			Run: lbRun(func(p *Pass, e *Env, rs []*lbRule) {
				for _, g := range byListener(rs) {
					for i, a := range g {
						for _, b := range g[:i] {
							if b.prio < a.prio && a.compiled.Narrower(b.compiled) {
								relate(p.reportEnv(e, a.res, a.at(), "listener rule %s (%s, priority %d) is shadowed by the broader %s (%s, priority %d), evaluated first", a.res.ID, a.conds(), a.prio, b.res.ID, b.conds(), b.prio),
									b.res, "broader rule "+b.res.ID)
								break
							}
						}
					}
				}
			})},
		&Rule{ID: "LB005", Name: "overlapping-rules", Family: "load-balancing", Severity: Warning, Scope: ScopeRiglet,
			Title: "two listener rules that match the same requests with neither narrower",
			Doc:   "A host-only and a path-only rule (or two rules with equal conditions) can both match one request; which wins is then decided by numbers alone. Make one narrower, or confirm the order with a riglet:ignore that says why.",
			Bad:   "# host api.example.com at 100, path /api/* at 200\n", Good: "# host api.example.com and path /api/* at 100\n",
			Run: lbRun(func(p *Pass, e *Env, rs []*lbRule) {
				for _, g := range byListener(rs) {
					for i, a := range g {
						for _, b := range g[:i] {
							if a.compiled.Overlaps(b.compiled) && !a.compiled.Narrower(b.compiled) && !b.compiled.Narrower(a.compiled) {
								relate(p.reportEnv(e, a.res, a.at(), "listener rule %s (%s) and %s (%s) can match the same requests and neither is narrower: priority %d vs %d decides", a.res.ID, a.conds(), b.res.ID, b.conds(), a.prio, b.prio),
									b.res, "overlapping rule "+b.res.ID)
							}
						}
					}
				}
			})},
		&Rule{ID: "LB006", Name: "too-many-rules", Family: "load-balancing", Severity: Error, Scope: ScopeRiglet,
			Title: "more than 100 listener rules on one load balancer",
			Doc:   "AWS's default quota is 100 rules per application load balancer, counted across its listeners (default rules excluded). Ask for a quota increase or split the load balancer.",
			Bad:   "# 101 services behind one alb\n", Good: "# two albs of about 50 services each\n",
			Run: lbRun(func(p *Pass, e *Env, rs []*lbRule) {
				perLB := map[string][]*lbRule{}
				var lbs []string
				for _, r := range rs {
					if perLB[r.lb] == nil {
						lbs = append(lbs, r.lb)
					}
					perLB[r.lb] = append(perLB[r.lb], r)
				}
				for _, lb := range lbs {
					if g := perLB[lb]; len(g) > 100 {
						p.reportEnv(e, g[100].res, g[100].at(), "load balancer %s has %d listener rules, over the default quota of 100 (this is rule 101)", lb, len(g))
					}
				}
			})},
		&Rule{ID: "LB007", Name: "too-many-target-groups", Family: "load-balancing", Severity: Error, Scope: ScopeRiglet,
			Title: "more than 100 target groups on one load balancer",
			Doc:   "AWS's default quota is 100 target groups per application load balancer, counted over the rules of all its listeners.",
			Bad:   "# 101 services, a target group each, behind one alb\n", Good: "# two albs\n",
			Run: lbRun(func(p *Pass, e *Env, rs []*lbRule) {
				seen := map[string]map[string]bool{}
				for _, r := range rs {
					if seen[r.lb] == nil {
						seen[r.lb] = map[string]bool{}
					}
					for _, tg := range r.tgs {
						if tg != "" && !seen[r.lb][tg] {
							seen[r.lb][tg] = true
							if len(seen[r.lb]) == 101 {
								p.reportEnv(e, r.res, r.at(), "load balancer %s has more than 100 target groups, the default quota (this rule adds number 101)", r.lb)
							}
						}
					}
				}
			})},
		&Rule{ID: "LB008", Name: "fargate-size", Code: ir.CodeFargate, Family: "load-balancing", Severity: Error, Scope: ScopeTemplate, CfnLint: []string{"E3047"},
			Title: "a Fargate task with a CPU and memory pair Fargate does not offer",
			Doc:   "Fargate runs only certain CPU/memory pairs: 256 with 512-2048 MiB, 512 with 1-4 GiB, 1024 with 2-8 GiB, 2048 with 4-16 GiB, 4096 with 8-30 GiB (1 GiB steps), 8192 with 16-60 GiB (4 GiB steps), 16384 with 32-120 GiB (8 GiB steps).",
			Bad:   "Cpu: 256\nMemory: 4096\n", Good: "Cpu: 1024\nMemory: 4096\n",
			Run: func(p *Pass) {
				for _, r := range p.Stack.Resources {
					if r.Type != "AWS::ECS::TaskDefinition" {
						continue
					}
					onFargate := false
					for _, c := range list(r.Props.Get("RequiresCompatibilities")) {
						onFargate = onFargate || text(c) == "FARGATE"
					}
					cpu, ok1 := fargate.ParseCPU(text(r.Props.Get("Cpu")))
					mem, ok2 := fargate.ParseMemory(text(r.Props.Get("Memory")))
					if onFargate && ok1 && ok2 && !fargate.Valid(cpu, mem) {
						p.Report(r, r.Props.Get("Memory"), "Fargate has no task size of %d CPU units with %d MiB; %s", cpu, mem, fargate.Suggest(cpu, mem))
					}
				}
			}},
		&Rule{ID: "LB009", Name: "cloudfront-certificate-region", Family: "load-balancing", Severity: Error, Scope: ScopeTemplate,
			Title: "a CloudFront certificate outside us-east-1",
			Doc:   "CloudFront only uses ACM certificates from us-east-1, whatever the region of the stack. A certificate the riglet makes (an `acm-certificate` block, referred to or imported) is in its env's region, so it serves CloudFront only in an env in us-east-1.",
			Bad:   "AcmCertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/x\n", Good: "AcmCertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/x\n",
			Run: func(p *Pass) {
				for _, r := range p.Stack.Resources {
					if r.Type != "AWS::CloudFront::Distribution" {
						continue
					}
					a := r.Prop("DistributionConfig.ViewerCertificate.AcmCertificateArn")
					if a != nil && a.Kind == ir.String && strings.HasPrefix(a.Text, "arn:") {
						if parts := strings.Split(a.Text, ":"); len(parts) > 3 && parts[3] != "us-east-1" {
							p.Report(r, a, "CloudFront uses certificates from us-east-1 only; this one is in %s", parts[3])
						}
					}
					// a certificate of the env's own stacks is made in the env's region (a
					// plain template's region is unknown: nothing to say)
					if _, _, ok := a.Intrinsic(); ok && p.Env != nil && p.Env.Region != "" && p.Env.Region != "us-east-1" {
						if c := p.Env.resource(p.Env.key(p.Stack, a)); c != nil && c.Type == "AWS::CertificateManager::Certificate" {
							p.Report(r, a, "CloudFront uses certificates from us-east-1 only; %s is made in the env's region %s: give the ARN of a us-east-1 certificate", c.ID, p.Env.Region)
						}
					}
				}
			}},
	)
}

package graphview

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/ir"
)

// View is what a graph shows.
type View string

const (
	Stacks  View = "stacks"  // stacks in deploy order, the imports between them, the shared stacks
	Network View = "network" // the VPC, its tiers and per-AZ subnets with CIDRs and usable addresses
	Routes  View = "routes"  // each listener's rules in the order an ALB evaluates them, and what they reach
)

// Views lists every view, in the order docs show them.
var Views = []View{Stacks, Network, Routes}

// Write draws one view of env (an env name, or "shared") of a compiled riglet. The
// compile must keep its templates (not compiler.Options.RenderOnly).
func Write(w io.Writer, res *compiler.Result, env string, v View, f Format) error {
	g, err := Build(res, env, v)
	if err != nil {
		return err
	}
	return g.Write(w, f)
}

// Graph is a view ready to be written.
type Graph struct{ g *graph }

// Build makes one view of env; Graph.Write renders it.
func Build(res *compiler.Result, env string, v View) (*Graph, error) {
	var er, sh *compiler.EnvResult
	var names []string
	for _, e := range res.Envs {
		if e.Env == env {
			er = e
		}
		if e.Env == "shared" {
			sh = e
		}
		names = append(names, e.Env)
	}
	if er == nil {
		return nil, fmt.Errorf("riglet %s has no env %s (envs: %s)", res.Spec.Name, env, strings.Join(names, ", "))
	}
	switch v {
	case Stacks:
		return &Graph{stacksView(res, er, sh)}, nil
	case Network:
		if er.Env == "shared" {
			return nil, fmt.Errorf("the shared stacks of riglet %s have no network: choose an env (%s)", res.Spec.Name, strings.Join(names[:len(names)-1], ", "))
		}
		return &Graph{networkView(res, er)}, nil
	case Routes:
		return &Graph{routesView(res, er)}, nil
	}
	return nil, fmt.Errorf("unknown view %q (stacks, network or routes)", v)
}

// Write renders the graph.
func (g *Graph) Write(w io.Writer, f Format) error { return g.g.write(w, f) }

func envTitle(res *compiler.Result, er *compiler.EnvResult) string {
	if er.Env == "shared" {
		return fmt.Sprintf("%s: shared stacks (deployed once, for every env)", res.Spec.Name)
	}
	t := fmt.Sprintf("%s: env %s", res.Spec.Name, er.Env)
	if er.Account != "" {
		t += fmt.Sprintf(" (account %s, %s)", er.Account, er.Region)
	}
	return t
}

// stacksView: one node per stack, numbered in deploy order, an edge from each stack to
// the stacks that need it labelled with what they import, the shared stacks beside them,
// and the exports imported from outside the riglet as external nodes.
func stacksView(res *compiler.Result, er, sh *compiler.EnvResult) *graph {
	g := newGraph("TB")
	exporter := map[string]*compiler.StackResult{} // export name -> stack
	nodes := map[*compiler.StackResult]*node{}
	groups := []*compiler.EnvResult{er}
	if sh != nil && sh != er {
		groups = append(groups, sh)
	}
	for _, grp := range groups {
		c := g.cluster(nil, envTitle(res, grp))
		st := plain
		if grp.Env == "shared" {
			st = shared
		}
		for i, s := range grp.Stacks {
			n := len(s.Template.Get("Resources").Pairs)
			nodes[s] = g.node(c, st, fmt.Sprintf("%d. %s", i+1, s.Name), s.StackName, plural(n, "resource"))
			for _, name := range exports(s.Template) {
				exporter[name] = s
			}
		}
	}
	byName := map[string]*compiler.StackResult{}
	for _, s := range er.Stacks {
		byName[s.Name] = s
	}
	externals := map[string]*node{}
	for _, grp := range groups {
		for _, s := range grp.Stacks {
			from := map[*compiler.StackResult][]string{}
			var outside []string
			for _, name := range imports(s.Template) {
				if src := exporter[name]; src != nil && src != s {
					from[src] = append(from[src], strings.TrimPrefix(name, src.StackName+"--"))
				} else if src == nil {
					outside = append(outside, name)
				}
			}
			for _, need := range s.Needs {
				src := byName[need]
				if grp.Env == "shared" {
					src = findStack(sh, need)
				}
				if src == nil {
					continue
				}
				if names := from[src]; len(names) > 0 {
					g.edge(nodes[src], nodes[s], importLabel(names), false)
					delete(from, src)
				} else {
					g.edge(nodes[src], nodes[s], "needs", true)
				}
			}
			// Imports from a stack the spec does not list as needed: drawn all the same,
			// since CloudFormation orders by them.
			var rest []*compiler.StackResult
			for src := range from {
				rest = append(rest, src)
			}
			sort.Slice(rest, func(i, j int) bool { return rest[i].StackName < rest[j].StackName })
			for _, src := range rest {
				g.edge(nodes[src], nodes[s], importLabel(from[src]), false)
			}
			for _, name := range outside {
				x := externals[name]
				if x == nil {
					x = g.node(nil, external, "outside the riglet", name)
					externals[name] = x
				}
				g.edge(x, nodes[s], "imports", true)
			}
		}
	}
	return g
}

func findStack(er *compiler.EnvResult, name string) *compiler.StackResult {
	if er == nil {
		return nil
	}
	for _, s := range er.Stacks {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// importLabel names one or two imports; more are counted, so that a busy graph stays
// readable (the template says which they are).
func importLabel(names []string) string {
	sort.Strings(names)
	names = dedupe(names)
	if len(names) <= 2 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%d imports", len(names))
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// exports are the literal export names of a template's outputs.
func exports(t *ir.Node) []string {
	var out []string
	for _, p := range t.Get("Outputs").Pairs {
		if n := p.Value.Get("Export").Get("Name"); n != nil && n.Kind == ir.String {
			out = append(out, n.Text)
		}
	}
	return out
}

// imports are the literal names a template imports, sorted and each once; an import
// whose name is built at deploy time cannot be drawn and is left out.
func imports(t *ir.Node) []string {
	seen := map[string]bool{}
	ir.Walk(t.Get("Resources"), func(n *ir.Node) bool {
		if name, arg, ok := n.Intrinsic(); ok && name == "Fn::ImportValue" {
			if arg.Kind == ir.String {
				seen[arg.Text] = true
			}
			return false
		}
		return true
	})
	ir.Walk(t.Get("Outputs"), func(n *ir.Node) bool {
		if name, arg, ok := n.Intrinsic(); ok && name == "Fn::ImportValue" {
			if arg.Kind == ir.String {
				seen[arg.Text] = true
			}
			return false
		}
		return true
	})
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// networkView: the VPC as a box holding one box per tier, each holding its subnets, one
// per AZ, with the CIDR, the addresses AWS leaves usable and where the CIDR came from.
func networkView(res *compiler.Result, er *compiler.EnvResult) *graph {
	g := newGraph("TB")
	p := res.Plan(er, false)
	if p.Network == nil {
		g.node(nil, note, fmt.Sprintf("%s: env %s has no network (no VPC block)", res.Spec.Name, er.Env))
		return g
	}
	vpc := g.cluster(nil, fmt.Sprintf("%s: VPC %s (%s)", envTitle(res, er), p.Network.CIDR, p.Network.Source))
	tiers := map[string]*cluster{}
	for _, s := range p.Network.Subnets {
		c := tiers[s.Tier]
		if c == nil {
			c = g.cluster(vpc, "tier "+s.Tier)
			tiers[s.Tier] = c
		}
		g.node(c, plain, s.AZ, s.CIDR, fmt.Sprintf("%d usable, %s", s.Usable, s.Source))
	}
	return g
}

// routesView: per listener, its rules in priority order, each linked to the next by the
// "no match" an ALB follows, and to the service it forwards to; retired priorities are
// drawn too, since they hold their number until riglet lock prune.
func routesView(res *compiler.Result, er *compiler.EnvResult) *graph {
	g := newGraph("LR")
	p := res.Plan(er, false)
	if len(p.Rules) == 0 {
		g.node(nil, note, fmt.Sprintf("%s has no listener rules", envTitle(res, er)))
		return g
	}
	services := map[string]*node{}
	var forwards [][2]*node
	var clusters = map[string]*cluster{}
	var last = map[string]*node{}
	top := g.cluster(nil, envTitle(res, er))
	for _, r := range p.Rules { // sorted by listener, then priority
		c := clusters[r.Listener]
		if c == nil {
			c = g.cluster(top, "listener "+r.Listener)
			clusters[r.Listener] = c
		}
		var n *node
		if r.Source == "retired" {
			n = g.node(c, retired, fmt.Sprintf("priority %d: retired", r.Priority), r.Service, "held in the lock until riglet lock prune")
		} else {
			cond := r.Conditions
			if cond == "" {
				cond = "no host or path condition"
			}
			n = g.node(c, plain, fmt.Sprintf("priority %d (%s)", r.Priority, r.Source), cond)
			svc := services[r.Service]
			if svc == nil {
				svc = g.node(nil, plain, r.Service, "stack "+r.Stack)
				services[r.Service] = svc
			}
			forwards = append(forwards, [2]*node{n, svc})
		}
		if r.Source == "retired" {
			continue // not deployed: no request reaches it, so it is not in the chain
		}
		if prev := last[r.Listener]; prev != nil {
			g.edge(prev, n, "no match", true)
		}
		last[r.Listener] = n
	}
	// After the rule chains, so that each listener's chain reads first.
	for _, f := range forwards {
		g.edge(f[0], f[1], "", false)
	}
	return g
}

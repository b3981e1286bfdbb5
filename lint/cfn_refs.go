package lint

import (
	"strings"
	"sync"

	"github.com/riglet/riglet/internal/graph"
	"github.com/riglet/riglet/internal/suggest"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/schema"
)

// The cloudformation family's reference rules: what a template names must exist in
// it, and must not depend on itself.

func init() {
	register(
		&Rule{ID: "CFN006", Name: "ref-to-missing", Family: "cloudformation", Severity: Error, Scope: ScopeTemplate,
			CfnLint: []string{"E1020", "E1019"},
			Title:   "a Ref or ${Name} to a resource or parameter the template lacks",
			Doc:     "Ref (and a ${Name} in Fn::Sub) must name a resource or parameter of the same template, or a pseudo-parameter. Across stacks riglet wires outputs with Fn::ImportValue instead. A Fn::Sub must be a string or [string, {Name: value}] for its names to resolve at all.",
			Bad:     "Value: !Ref Queue   # no resource Queue in this block\n", Good: "Value: !Ref OrdersQueue\n",
			Run: func(p *Pass) {
				for _, r := range p.Stack.Resources {
					eachRef(r.Node, func(rf ref) {
						if rf.fn == "Ref" && !p.Stack.defines(rf.target) {
							p.Report(r, rf.at, "%s refers to %s, which is not a resource or parameter of stack %s%s", r.ID, rf.target, p.Stack.Name, p.Stack.suggest(rf.target))
						}
					})
				}
				eachOutput(p.Stack, func(name string, o *ir.Node) {
					eachRef(o, func(rf ref) {
						if rf.fn == "Ref" && !p.Stack.defines(rf.target) {
							p.ReportAt(rf.at.Pos, "output %s refers to %s, which is not a resource or parameter of stack %s", name, rf.target, p.Stack.Name)
						}
					})
				})
				// A Fn::Sub of another shape names nothing CloudFormation can resolve.
				for _, r := range p.Stack.Resources {
					for _, at := range badSubs(r.Node) {
						p.Report(r, at, "Fn::Sub takes a string or [string, {Name: value}], not %s", describe(at))
					}
				}
				eachOutput(p.Stack, func(_ string, o *ir.Node) {
					for _, at := range badSubs(o) {
						p.ReportAt(at.Pos, "Fn::Sub takes a string or [string, {Name: value}], not %s", describe(at))
					}
				})
			}},
		&Rule{ID: "CFN007", Name: "getatt-to-missing", Code: ir.CodeGetAttMissing, Family: "cloudformation", Severity: Error, Scope: ScopeTemplate,
			CfnLint: []string{"E1010"},
			Title:   "a Fn::GetAtt to a resource the template lacks",
			Doc:     "Fn::GetAtt (and ${Name.Attribute} in Fn::Sub) must name a resource of the same template.",
			Bad:     "Value: !GetAtt Quee.Arn\n", Good: "Value: !GetAtt Queue.Arn\n",
			Run: func(p *Pass) {
				check := func(r *Resource, rf ref, report func(at *ir.Node, format string, args ...any)) {
					if rf.fn == "Fn::GetAtt" && !p.Stack.has(rf.target) {
						report(rf.at, "Fn::GetAtt %s.%s: stack %s has no resource %s%s", rf.target, rf.attr, p.Stack.Name, rf.target, p.Stack.suggest(rf.target))
					}
				}
				for _, r := range p.Stack.Resources {
					report := func(at *ir.Node, f string, a ...any) { p.Report(r, at, f, a...) }
					eachRef(r.Node, func(rf ref) { check(r, rf, report) })
				}
				reportAt := func(at *ir.Node, f string, a ...any) { p.ReportAt(at.Pos, f, a...) }
				eachOutput(p.Stack, func(name string, o *ir.Node) {
					eachRef(o, func(rf ref) { check(nil, rf, reportAt) })
				})
			}},
		&Rule{ID: "CFN008", Name: "getatt-unknown-attribute", Family: "cloudformation", Severity: Error, Scope: ScopeTemplate,
			CfnLint: []string{"E1010"},
			Title:   "a Fn::GetAtt of an attribute the resource type does not have",
			Doc:     "The attributes Fn::GetAtt may name are the resource type's read-only attributes and properties in AWS's registry schema.",
			Bad:     "Value: !GetAtt Queue.QueueArn\n", Good: "Value: !GetAtt Queue.Arn\n",
			Run: func(p *Pass) {
				check := func(rf ref, report func(at *ir.Node, format string, args ...any)) {
					t := p.Stack.ByID[rf.target]
					if rf.fn != "Fn::GetAtt" || t == nil || rf.attr == "*" || isCustom(t.Type) || p.Stack.unchecked(t.Type) {
						return
					}
					sr := schema.Lookup(t.Type)
					if sr == nil || t.Type == "AWS::CloudFormation::Stack" && strings.HasPrefix(rf.attr, "Outputs.") {
						return
					}
					if !contains(sr.Attributes, rf.attr) {
						sug := ""
						best, bd := "", 1+len(rf.attr)/4
						for _, a := range sr.Attributes {
							if d := suggest.Distance(rf.attr, a); d < bd {
								best, bd = a, d
							}
						}
						if best != "" {
							sug = " (did you mean " + best + "?)"
						}
						report(rf.at, "Fn::GetAtt %s.%s: %s has no attribute %s%s", rf.target, rf.attr, t.Type, rf.attr, sug)
					}
				}
				for _, r := range p.Stack.Resources {
					report := func(at *ir.Node, f string, a ...any) { p.Report(r, at, f, a...) }
					eachRef(r.Node, func(rf ref) { check(rf, report) })
				}
				reportAt := func(at *ir.Node, f string, a ...any) { p.ReportAt(at.Pos, f, a...) }
				eachOutput(p.Stack, func(name string, o *ir.Node) {
					eachRef(o, func(rf ref) { check(rf, reportAt) })
				})
			}},
		&Rule{ID: "CFN009", Name: "depends-on-missing", Code: ir.CodeDependsOn, Family: "cloudformation", Severity: Error, Scope: ScopeTemplate,
			CfnLint: []string{"E3005"},
			Title:   "a DependsOn names a resource the template lacks",
			Doc:     "DependsOn entries must be logical IDs of resources in the same template.",
			Bad:     "DependsOn: [Listner]\n", Good: "DependsOn: [Listener]\n",
			Run: func(p *Pass) {
				for _, r := range p.Stack.Resources {
					for _, d := range dependsOn(r) {
						if d.Kind == ir.String && !p.Stack.has(d.Text) {
							p.Report(r, d, "%s depends on %s, which is not a resource of stack %s%s", r.ID, d.Text, p.Stack.Name, p.Stack.suggest(d.Text))
						}
					}
				}
			}},
		&Rule{ID: "CFN010", Name: "circular-dependency", Family: "cloudformation", Severity: Error, Scope: ScopeTemplate,
			CfnLint: []string{"E3004"},
			Title:   "resources that depend on each other in a cycle",
			Doc:     "Ref, Fn::GetAtt, Fn::Sub and DependsOn make a resource wait for another; a cycle of them can never be created. Each resource of the cycle is reported, at its logical ID, with the reference that continues the cycle related.",
			Bad:     "A: {DependsOn: B}\nB: {DependsOn: A}\n", Good: "A: {DependsOn: B}\nB: {}\n",
			Run: runCycles},
	)
}

// defines reports whether Ref may name n in the stack.
func (s *Stack) defines(n string) bool {
	return s.has(n) || s.Parameters.Get(n) != nil || pseudo[n]
}

// has reports whether n is a resource of the stack, or may be one that a transform
// or module riglet does not expand makes.
func (s *Stack) has(n string) bool {
	return s.ByID[n] != nil || s.madeByExpansion(n)
}

// suggest returns a "did you mean" among the stack's logical IDs.
func (s *Stack) suggest(n string) string {
	best, bd := "", 1+len(n)/4
	for _, r := range s.Resources {
		if d := suggest.Distance(n, r.ID); d < bd {
			best, bd = r.ID, d
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}

func eachOutput(s *Stack, f func(name string, o *ir.Node)) {
	if s.Outputs == nil {
		return
	}
	for _, p := range s.Outputs.Pairs {
		f(p.Key, p.Value)
	}
}

// runCycles reports each cycle of the template's dependency graph (reportCycles).
func runCycles(p *Pass) {
	if acyclic(p.Stack) {
		return // the usual case: no component holds a cycle, so none is reported
	}
	reportCycles(p)
}

// cycleScratch is what acyclic reuses from one template to the next: the dependency
// graph of a template's resources, indexed by position, as flat slices.
type cycleScratch struct {
	index map[string]int32 // logical ID -> position in Resources
	off   []int32          // resource i's edges are to[off[i]:off[i+1]]
	to    []int32
	state []uint8 // 0 unvisited, 1 on the walk's path, 2 done
	stack []int32 // the walk's path
	next  []int32 // per path entry, the next edge to take
}

var cycleScratches = sync.Pool{New: func() any { return &cycleScratch{index: map[string]int32{}} }}

// acyclic reports whether the dependency graph runCycles builds (Ref, Fn::GetAtt,
// Fn::Sub and DependsOn edges between resources of the stack) has no cycle, self
// edges included, reusing pooled slices rather than building the maps graph.Cycles
// needs to name one. A stack with two resources of one logical ID is not judged here.
func acyclic(s *Stack) bool {
	sc := cycleScratches.Get().(*cycleScratch)
	defer cycleScratches.Put(sc)
	clear(sc.index)
	for i, r := range s.Resources {
		sc.index[r.ID] = int32(i)
	}
	n := len(s.Resources)
	if len(sc.index) != n {
		return false
	}
	sc.off, sc.to = append(sc.off[:0], 0), sc.to[:0]
	add := func(id string) {
		if j, ok := sc.index[id]; ok {
			sc.to = append(sc.to, j)
		}
	}
	visit := func(rf ref) { add(rf.target) }
	for _, r := range s.Resources {
		eachRef(r.Node, visit)
		for _, d := range dependsOn(r) {
			if d.Kind == ir.String {
				add(d.Text)
			}
		}
		sc.off = append(sc.off, int32(len(sc.to)))
	}
	sc.state = append(sc.state[:0], make([]uint8, n)...)
	for root := range n {
		if sc.state[root] != 0 {
			continue
		}
		sc.stack, sc.next = append(sc.stack[:0], int32(root)), append(sc.next[:0], sc.off[root])
		sc.state[root] = 1
		for len(sc.stack) > 0 {
			top := len(sc.stack) - 1
			v := sc.stack[top]
			if e := sc.next[top]; e < sc.off[v+1] {
				sc.next[top]++
				w := sc.to[e]
				switch sc.state[w] {
				case 1:
					return false
				case 0:
					sc.state[w] = 1
					sc.stack, sc.next = append(sc.stack, w), append(sc.next, sc.off[w])
				}
				continue
			}
			sc.state[v] = 2
			sc.stack, sc.next = sc.stack[:top], sc.next[:top]
		}
	}
	return true
}

// reportCycles finds the strongly connected components of the dependency graph and
// reports a chain through each at every resource on it.
func reportCycles(p *Pass) {
	s := p.Stack
	type edge struct {
		to string
		at *ir.Node
	}
	deps := map[string][]edge{}
	ids := make([]string, 0, len(s.Resources))
	for _, r := range s.Resources {
		ids = append(ids, r.ID)
		for _, rf := range refs(r.Node) {
			if s.ByID[rf.target] != nil {
				deps[r.ID] = append(deps[r.ID], edge{rf.target, rf.at})
			}
		}
		for _, d := range dependsOn(r) {
			if d.Kind == ir.String && s.ByID[d.Text] != nil {
				deps[r.ID] = append(deps[r.ID], edge{d.Text, d})
			}
		}
	}
	for _, c := range graph.Cycles(ids, func(id string) []string {
		var to []string
		for _, e := range deps[id] {
			to = append(to, e.to)
		}
		return to
	}) {
		// Every resource of the cycle is reported, at its logical ID, with the cycle
		// from it and the reference that keeps it going: whichever a reader looks
		// at, they see the whole cycle.
		chain := c.Nodes()
		ring := chain[:len(chain)-1]
		for i, id := range ring {
			next := chain[i+1]
			var at *ir.Node
			for _, e := range deps[id] {
				if e.to == next {
					at = e.at
					break
				}
			}
			from := append(append([]string(nil), ring[i:]...), ring[:i+1]...)
			r := s.ByID[id]
			f := p.Report(r, nil, "resources depend on each other in a cycle: %s", strings.Join(from, " -> "))
			if at != nil && at.Pos.IsValid() {
				f.Related = append(f.Related, Related{Pos: at.Pos, Msg: id + " refers to " + next})
			}
		}
	}
}

// badSubs returns the arguments of the Fn::Subs under n that are neither a string
// nor [string, map] (either may be an intrinsic that makes one).
func badSubs(n *ir.Node) []*ir.Node {
	var out []*ir.Node
	ir.Walk(n, func(m *ir.Node) bool {
		fn, arg, ok := m.Intrinsic()
		if !ok || fn != "Fn::Sub" {
			return true
		}
		good := arg.Kind == ir.String || isIntrinsic(arg)
		if arg.Kind == ir.List && len(arg.Items) == 2 {
			s, v := arg.Items[0], arg.Items[1]
			good = (s.Kind == ir.String || isIntrinsic(s)) && (v.Kind == ir.Map)
		}
		if !good {
			out = append(out, arg)
		}
		return true
	})
	return out
}

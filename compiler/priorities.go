package compiler

import (
	"slices"
	"strconv"
	"strings"

	"github.com/riglet/riglet/emit"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/priority"
)

const listenerRuleType = "AWS::ElasticLoadBalancingV2::ListenerRule"

// placedRule is a listener rule in the output, with where its priority goes.
type placedRule struct {
	res  *ir.Node
	prio *ir.Pair // Properties.Priority
}

// assignPriorities gives every listener rule of the env its priority: explicit ones
// as written, the rest derived (package priority), keeping what the lock holds.
func (ec *envCompile) assignPriorities() []priority.Assignment {
	if ec.env == nil {
		return nil
	}
	var rules []priority.Rule
	placed := map[string]placedRule{}
	builtinAt := map[ir.Pos][]ir.Related{} // a rule's position in the user's repository -> the built-in lines behind it
	for _, s := range ec.c.spec.Stacks {
		out := ec.outs[s.Name]
		if out == nil {
			continue
		}
		for _, r := range out.resources {
			if r.Value.Get("Type").Text != listenerRuleType {
				continue
			}
			// Properties may share nodes with the block: the priority goes into a copy.
			props := r.Value.Get("Properties")
			if props != nil && props.Kind == ir.Map {
				props = &ir.Node{Kind: ir.Map, Pos: props.Pos, Pairs: append([]ir.Pair(nil), props.Pairs...)}
				r.Value.Set("Properties", props)
			}
			pp := props.Pair("Priority")
			if pp == nil {
				ec.addAbout(s.Name, r.Key, ir.Errorf(ir.CodePriority, r.KeyPos, "listener rule %s has no Priority", r.Key))
				continue
			}
			rule := priority.Rule{Key: s.Name + "/" + r.Key, Stack: s.Name, Name: r.Key, Pos: pp.Value.Pos}
			if o := out.origins[r.Key]; o != nil {
				rule.Name = o.Instance
			}
			switch fn, arg, _ := pp.Value.Intrinsic(); {
			case fn == priorityFn:
				if arg != nil && arg.Pos.IsValid() {
					rule.Pos = arg.Pos
				}
			case pp.Value.Kind == ir.Number || pp.Value.Kind == ir.String:
				n, err := strconv.Atoi(pp.Value.Text)
				if err != nil {
					ec.addAbout(s.Name, r.Key, ir.Errorf(ir.CodePriority, pp.Value.Pos, "listener rule priority %q is not a whole number", pp.Value.Text))
					continue
				}
				rule.Explicit = n
				if n == 0 {
					ec.addAbout(s.Name, r.Key, ir.Errorf(ir.CodePriority, pp.Value.Pos, "listener rule priority 0 is out of range 1..50000"))
					continue
				}
			default:
				ec.addAbout(s.Name, r.Key, ir.Errorf(ir.CodePriority, pp.Value.Pos, "listener rule %s: the priority must be known at compile time", r.Key))
				continue
			}
			var rel []ir.Related
			rule.Pos, rel = ec.place(s.Name, r.Key, rule.Pos)
			for _, x := range rel {
				if !slices.Contains(builtinAt[rule.Pos], x) {
					builtinAt[rule.Pos] = append(builtinAt[rule.Pos], x)
				}
			}
			rule.Listener = ec.listenerID(s.Name, props.Get("ListenerArn"))
			rule.LoadBalancer = ec.loadBalancerID(rule.Listener)
			conditions(props.Get("Conditions"), &rule)
			rule.TargetGroups = targetGroups(props.Get("Actions"))
			rules = append(rules, rule)
			placed[rule.Key] = placedRule{res: r.Value, prio: pp}
		}
	}
	ec.c.lockMu.Lock()
	lock := &priority.Lock{Listeners: ec.c.lock.Priorities[ec.envName]}
	ec.c.lockMu.Unlock()
	got, newLock, errs := priority.Allocate(rules, lock)
	stackAt := map[ir.Pos]string{} // a rule's position -> its stack, for a partial compile
	for _, r := range rules {
		if _, ok := stackAt[r.Pos]; !ok {
			stackAt[r.Pos] = r.Stack
		}
	}
	for _, e := range errs {
		if s, ok := stackAt[e.Pos]; ok {
			ec.blameStack(e, s)
		}
		for _, r := range builtinAt[e.Pos] {
			e.Related = append(e.Related, r)
			e.Moved = append(e.Moved, r.Pos)
		}
	}
	*ec.errs = append(*ec.errs, errs...)
	if newLock != nil {
		ec.c.lockMu.Lock()
		if len(newLock.Listeners) > 0 {
			ec.c.lock.Priorities[ec.envName] = newLock.Listeners
		} else {
			delete(ec.c.lock.Priorities, ec.envName)
		}
		ec.c.lockMu.Unlock()
	}
	for _, a := range got {
		if p, ok := placed[a.Key]; ok {
			p.prio.Value = &ir.Node{Kind: ir.Number, Text: strconv.Itoa(a.Priority), Pos: p.prio.Value.Pos}
		}
	}
	return got
}

// listenerID names a listener stably: the instance output it was imported from, the
// stack and logical ID of a listener in the same stack, or, for a listener riglet
// does not own, the value itself (a literal ARN, a dynamic reference, the name of an
// export no stack of the riglet makes). A value names one listener whatever stack
// attaches to it, so the rules of all stacks on it share one numbering; a key with
// the stack in it gave each stack its own 100 and the second to deploy failed with
// PriorityInUse.
func (ec *envCompile) listenerID(stack string, arn *ir.Node) string {
	if arn != nil && arn.Kind == ir.String {
		return arn.Text
	}
	if fn, a, ok := arn.Intrinsic(); ok {
		switch {
		case fn == "Fn::ImportValue" && a.Kind == ir.String:
			if id, ok := ec.exportIDs[a.Text]; ok {
				return id
			}
			return a.Text
		case fn == "Ref" && a.Kind == ir.String:
			return stack + "/" + a.Text
		}
	}
	return stack + ":" + emit.Value(arn)
}

// loadBalancerID groups listeners by load balancer for the quotas: listeners an
// instance exports belong to that instance's load balancer.
func (ec *envCompile) loadBalancerID(listener string) string {
	if lb, ok := priority.ListenerARNLoadBalancer(listener); ok {
		return lb
	}
	if i := strings.LastIndexByte(listener, '.'); i > 0 && !strings.Contains(listener, "/") {
		return listener[:i]
	}
	return listener
}

func conditions(n *ir.Node, r *priority.Rule) {
	if n == nil || n.Kind != ir.List {
		return
	}
	for _, c := range n.Items {
		field := c.Get("Field")
		vals := func(cfg string) []string {
			v := c.Get("Values")
			if cc := c.Get(cfg); cc != nil {
				v = cc.Get("Values")
			}
			var out []string
			if v != nil {
				for _, it := range v.Items {
					if !it.IsScalar() {
						r.Other = true
						continue
					}
					out = append(out, it.Text)
				}
			}
			return out
		}
		switch {
		case field != nil && field.Text == "host-header":
			r.Hosts = append(r.Hosts, vals("HostHeaderConfig")...)
		case field != nil && field.Text == "path-pattern":
			r.Paths = append(r.Paths, vals("PathPatternConfig")...)
		default:
			r.Other = true
		}
	}
}

func targetGroups(actions *ir.Node) []string {
	var out []string
	if actions == nil {
		return nil
	}
	for _, a := range actions.Items {
		if tg := a.Get("TargetGroupArn"); tg != nil {
			out = append(out, emit.Value(tg))
		}
		if tgs := a.Get("ForwardConfig").Get("TargetGroups"); tgs != nil {
			for _, t := range tgs.Items {
				if arn := t.Get("TargetGroupArn"); arn != nil {
					out = append(out, emit.Value(arn))
				}
			}
		}
	}
	return out
}

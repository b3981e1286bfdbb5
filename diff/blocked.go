package diff

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/riglet/riglet/ir"
)

// blocked reports the updates CloudFormation will refuse: an export removed while a
// stack that stays still imports it, a listener rule priority or a subnet CIDR that a
// new holder takes while the old holder still has it. Only stacks whose templates
// changed can do any of these, so only they are read.
func (c *envComparison) blocked() {
	c.exports()
	c.takenOver("listener-rule", "AWS::ElasticLoadBalancingV2::ListenerRule", "ListenerArn", "Priority",
		"listener rule priority %s on %s moves from %s to %s while %s still holds it: the update fails with PriorityInUse (move the old rule off first, or give the new one a free priority)")
	c.takenOver("subnet", "AWS::EC2::Subnet", "VpcId", "CidrBlock",
		"subnet CIDR %s in %s moves from %s to %s: CloudFormation creates the new subnet before it deletes %s, and the CIDR is still taken (the update fails with InvalidSubnet.Conflict)")
}

// changedStacks are the stacks either side has whose templates differ (or that only one
// side has), as old, new pairs; a side lacking the stack has nil.
func (c *envComparison) changedStacks() []stackPair {
	out := append([]stackPair{}, c.pairs...)
	if c.partial() {
		return out
	}
	for _, n := range c.newStacks() {
		if c.oe.stack(n.Name) == nil && n.Err() == nil {
			out = append(out, stackPair{nil, n})
		}
	}
	if c.oe != nil {
		for _, o := range c.oe.Stacks {
			if c.ne.stack(o.Name) == nil && o.Err() == nil {
				out = append(out, stackPair{o, nil})
			}
		}
	}
	return out
}

func exportsOf(s *Stack) map[string]string {
	out := map[string]string{}
	if s == nil {
		return out
	}
	for _, p := range pairsOf(s.tree().Get("Outputs")) {
		if name := p.Value.Get("Export").Get("Name"); name != nil && name.Kind == ir.String {
			out[name.Text] = p.Key
		}
	}
	return out
}

// imports reports whether a template imports the export name.
func imports(s *Stack, name string) bool {
	if s == nil || !bytes.Contains(s.Data, []byte(name)) {
		return false // most templates: no need to parse them
	}
	found := false
	ir.Walk(s.tree(), func(n *ir.Node) bool {
		if fn, arg, ok := n.Intrinsic(); ok && fn == "Fn::ImportValue" && arg.Kind == ir.String && arg.Text == name {
			found = true
		}
		return !found
	})
	return found
}

func (c *envComparison) exports() {
	for _, p := range c.changedStacks() {
		if p.o == nil {
			continue
		}
		olds, news := exportsOf(p.o), exportsOf(p.n)
		for _, name := range sortedKeys(olds) {
			if _, ok := news[name]; ok {
				continue
			}
			// Which stacks that stay import it: still (the new template), or until
			// their own update (the old one, when the producer updates first).
			var users []string
			for _, s := range c.newStacks() {
				if s.Name == p.o.Name {
					continue
				}
				os := c.oe.stack(s.Name)
				still := imports(s, name)
				if still || (p.n != nil && imports(os, name)) {
					users = append(users, s.Name)
				}
			}
			if len(users) == 0 {
				continue
			}
			sort.Strings(users)
			id := olds[name]
			how := "removed"
			if p.n == nil {
				how = "removed with its stack"
			}
			ch := Change{Stack: p.o.Name, Kind: "export", Action: "removed", ID: id, Classes: []Class{Blocked},
				Message:  fmt.Sprintf("export %s is %s while %v, which stay, import it: CloudFormation refuses to delete an export in use", name, how, users),
				Template: p.o.line(id, true)}
			if p.n != nil {
				ch.Source = c.stackPos(p.n.Name, p.n.Pos)
				if o := p.n.Origins[id]; o != nil && o.User().IsValid() {
					ch.Source = o.User()
				}
			} else {
				ch.Source = c.stackPos(p.o.Name, ir.Pos{})
			}
			c.changes = append(c.changes, ch)
		}
	}
}

type holder struct {
	stack *Stack
	id    string
	node  *ir.Node
}

// takenOver reports a value (a priority on a listener, a CIDR in a VPC) that one
// resource holds in the old templates and another takes in the new ones: within one
// update CloudFormation creates the new resource before it deletes the old one, and
// across stacks the old holder may not be gone yet.
func (c *envComparison) takenOver(kind, ty, scope, key, msg string) {
	old := map[string]holder{}
	for _, p := range c.changedStacks() {
		if p.o == nil {
			continue
		}
		for _, r := range pairsOf(p.o.tree().Get("Resources")) {
			if typeOf(r.Value) == ty {
				if k := valueKey(r.Value, scope, key); k != "" {
					old[k] = holder{p.o, r.Key, r.Value}
				}
			}
		}
	}
	if len(old) == 0 {
		return
	}
	for _, p := range c.changedStacks() {
		if p.n == nil {
			continue
		}
		for _, r := range pairsOf(p.n.tree().Get("Resources")) {
			if typeOf(r.Value) != ty {
				continue
			}
			k := valueKey(r.Value, scope, key)
			h, ok := old[k]
			if !ok || (h.stack.Name == p.n.Name && h.id == r.Key) || c.freedFirst(h, p.n, k, scope, key) {
				continue
			}
			props := r.Value.Get("Properties")
			value, where := short(props.Get(key)), short(props.Get(scope))
			ch := Change{Stack: p.n.Name, Kind: kind, Action: "modified", ID: r.Key, Type: ty, Classes: []Class{Blocked},
				Message: fmt.Sprintf(msg, value, where, h.stack.Name+"."+h.id, p.n.Name+"."+r.Key, h.stack.Name+"."+h.id),
				Source:  c.resourcePos(p.n, r.Key, r.Value), Template: p.n.line(r.Key, false)}
			if v := props.Get(key); v != nil && c.new.user(v.Pos) {
				ch.Source = v.Pos
			}
			c.changes = append(c.changes, ch)
		}
	}
}

func valueKey(r *ir.Node, scope, key string) string {
	p := r.Get("Properties")
	v := p.Get(key)
	if v == nil || !v.IsScalar() {
		return ""
	}
	return short(p.Get(scope)) + "\x00" + v.Text
}

// freedFirst reports whether the old holder lives in another stack that deploys
// earlier and lets go of the value there: by the time the new holder's stack updates,
// the value is free.
func (c *envComparison) freedFirst(h holder, n *Stack, k, scope, key string) bool {
	if h.stack.Name == n.Name {
		return false
	}
	hi, ni := -1, -1
	for i, s := range c.newStacks() {
		switch s.Name {
		case h.stack.Name:
			hi = i
		case n.Name:
			ni = i
		}
	}
	if hi < 0 || hi > ni {
		return false
	}
	still := c.ne.Stacks[hi].tree().Get("Resources").Get(h.id)
	return still == nil || valueKey(still, scope, key) != k
}

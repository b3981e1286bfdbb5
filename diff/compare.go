package diff

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/riglet/riglet/ir"
)

// Compare says what going from old to new does to AWS, env by env. Templates whose
// bytes are equal are not parsed: a one-service change in a riglet of thousands of
// templates reads three of them.
func Compare(old, new *Side) *Riglet {
	rg := &Riglet{Name: new.Riglet}
	if rg.Name == "" {
		rg.Name = old.Riglet
	}
	names := []string{}
	seen := map[string]bool{}
	for _, s := range []*Side{new, old} {
		for _, e := range s.Envs {
			if !seen[e.Name] {
				seen[e.Name] = true
				names = append(names, e.Name)
			}
		}
	}
	locks := lockChanges(old, new)
	for _, name := range names {
		c := &envComparison{old: old, new: new, oe: old.env(name), ne: new.env(name), env: name}
		c.run()
		c.changes = append(c.changes, locks[name]...)
		order := map[string]int{}
		for i, s := range c.newStacks() {
			order[s.Name] = i
		}
		sortChanges(c.changes, order)
		ed := &EnvDiff{Env: name, Changes: c.changes, Alarms: c.alarms}
		if ed.Changes == nil {
			ed.Changes = []Change{}
		}
		for _, s := range c.allStacks() {
			ed.stacks = append(ed.stacks, stackEdge{name: s.Name, needs: s.Needs})
		}
		for i := range ed.Changes {
			ch := &ed.Changes[i]
			ch.SourceText, ch.TemplateText = posText(ch.Source), posText(ch.Template)
			for j := range ch.Props {
				ch.Props[j].SourceText = posText(ch.Props[j].Source)
			}
		}
		rg.Envs = append(rg.Envs, ed)
	}
	return rg
}

func posText(p ir.Pos) string {
	if !p.IsValid() {
		return ""
	}
	return p.String()
}

// envComparison is one env's comparison.
type envComparison struct {
	old, new *Side
	oe, ne   *Env
	env      string
	changes  []Change
	alarms   AlarmCount
	// pairs are the stacks present on both sides whose templates differ, parsed.
	pairs []stackPair
}

type stackPair struct{ o, n *Stack }

func (c *envComparison) newStacks() []*Stack {
	if c.ne == nil {
		return nil
	}
	return c.ne.Stacks
}

// allStacks are the new side's stacks, then the ones only the old side has.
func (c *envComparison) allStacks() []*Stack {
	out := append([]*Stack{}, c.newStacks()...)
	if c.oe != nil {
		for _, s := range c.oe.Stacks {
			if c.ne.stack(s.Name) == nil {
				out = append(out, s)
			}
		}
	}
	return out
}

func (c *envComparison) partial() bool {
	return (c.oe != nil && c.oe.Partial) || (c.ne != nil && c.ne.Partial)
}

func (c *envComparison) run() {
	var olds, news []*Stack
	if c.oe != nil {
		olds = c.oe.Stacks
	}
	news = c.newStacks()
	for _, n := range news {
		o := c.oe.stack(n.Name)
		switch {
		case o == nil && c.partial():
			continue
		case o == nil:
			c.stackAdded(n)
		case !bytes.Equal(o.Data, n.Data):
			if c.readable(o) && c.readable(n) {
				c.pairs = append(c.pairs, stackPair{o, n})
				c.compareStacks(o, n)
			}
		}
	}
	for _, o := range olds {
		if c.ne.stack(o.Name) == nil && !c.partial() {
			c.stackRemoved(o)
		}
	}
	if !c.partial() {
		c.order()
	}
	c.blocked()
	c.countAlarms(olds, news)
}

// readable reports a template that does not parse as a change of its own.
func (c *envComparison) readable(s *Stack) bool {
	if err := s.Err(); err != nil {
		c.changes = append(c.changes, Change{Stack: s.Name, Kind: "stack", Action: "modified", Classes: []Class{Blocked},
			Message: fmt.Sprintf("template %s does not parse: %v", s.File, err), Template: ir.Pos{File: ir.FileOf(s.File)}})
		return false
	}
	return true
}

// stackAdded reports a new stack and every resource in it.
func (c *envComparison) stackAdded(n *Stack) {
	if !c.readable(n) {
		return
	}
	ids := n.tree().Get("Resources").Keys()
	c.changes = append(c.changes, Change{Stack: n.Name, Kind: "stack", Action: "added", Classes: []Class{Add},
		Message: fmt.Sprintf("stack %s is added with %d resources", n.Name, len(ids)), Source: c.stackPos(n.Name, n.Pos), Template: ir.Pos{File: ir.FileOf(n.File), Line: 1}})
	c.compareResources(&Stack{Name: n.Name, File: n.File}, n, nil, n.tree().Get("Resources"))
	c.sizes(nil, n)
}

// stackRemoved reports a stack the new side no longer has: deleting it deletes every
// resource in it.
func (c *envComparison) stackRemoved(o *Stack) {
	if !c.readable(o) {
		return
	}
	ids := o.tree().Get("Resources").Keys()
	c.changes = append(c.changes, Change{Stack: o.Name, Kind: "stack", Action: "removed", Classes: []Class{Remove},
		Message: fmt.Sprintf("stack %s is removed: its %d resources are deleted with it (make delete-retired)", o.Name, len(ids)),
		Source:  c.stackPos(o.Name, ir.Pos{}), Template: ir.Pos{File: ir.FileOf(o.File), Line: 1}})
	c.compareResources(o, &Stack{Name: o.Name, File: o.File}, o.tree().Get("Resources"), nil)
}

// stackPos is where a stack is declared in the new spec, or the spec itself when it no
// longer is.
func (c *envComparison) stackPos(name string, p ir.Pos) ir.Pos {
	if p.IsValid() {
		return p
	}
	if sp := c.new.Spec; sp != nil {
		for _, s := range sp.Stacks {
			if s.Name == name {
				return s.Pos
			}
		}
		if st := sp.Root.Pair("stacks"); st != nil {
			return st.KeyPos
		}
		return ir.Pos{File: ir.FileOf(sp.File), Line: 1, Col: 1}
	}
	return ir.Pos{}
}

func (c *envComparison) compareStacks(o, n *Stack) {
	c.compareResources(o, n, o.tree().Get("Resources"), n.tree().Get("Resources"))
	c.parameters(o, n)
	c.outputs(o, n)
	c.sizes(o, n)
}

// outputs reports outputs (and the exports they make) added, removed or changed: an
// update of the stack even when no resource changes.
func (c *envComparison) outputs(o, n *Stack) {
	oo, no := o.tree().Get("Outputs"), n.tree().Get("Outputs")
	for _, k := range unionKeys(oo, no) {
		a, b := oo.Get(k), no.Get(k)
		ch := Change{Stack: n.Name, Kind: "output", ID: k, Source: c.stackPos(n.Name, n.Pos), Template: n.line(k, true)}
		switch {
		case a == nil:
			ch.Action, ch.Classes, ch.Message = "added", []Class{Add}, "output "+k+" is added"
		case b == nil:
			ch.Action, ch.Classes, ch.Message = "removed", []Class{Remove}, "output "+k+" is removed"
			ch.Template = o.line(k, true)
		case !ir.Equal(a, b):
			ch.Action, ch.Classes, ch.Message = "modified", []Class{Modify}, "output "+k+" changes: "+short(a)+" -> "+short(b)
		default:
			continue
		}
		if name := b.Get("Export").Get("Name"); name != nil {
			ch.Message += " (export " + short(name) + ")"
		} else if name := a.Get("Export").Get("Name"); name != nil {
			ch.Message += " (export " + short(name) + ")"
		}
		c.changes = append(c.changes, ch)
	}
}

// order reports stacks that stay but deploy in another order.
func (c *envComparison) order() {
	if c.oe == nil || c.ne == nil {
		return
	}
	both := map[string]bool{}
	for _, s := range c.oe.Stacks {
		if c.ne.stack(s.Name) != nil {
			both[s.Name] = true
		}
	}
	var before, after []string
	for _, s := range c.oe.Stacks {
		if both[s.Name] {
			before = append(before, s.Name)
		}
	}
	for _, s := range c.ne.Stacks {
		if both[s.Name] {
			after = append(after, s.Name)
		}
	}
	if fmt.Sprint(before) == fmt.Sprint(after) {
		return
	}
	first := ""
	for i := range after {
		if after[i] != before[i] {
			first = after[i]
			break
		}
	}
	c.changes = append(c.changes, Change{Stack: first, Kind: "order", Action: "modified", Classes: []Class{Derived},
		Message: fmt.Sprintf("deploy order changes: %v -> %v", before, after), Source: c.stackPos(first, c.ne.stack(first).Pos)})
}

// sizes reports a template crossing CloudFormation's 51,200-byte --template-body limit.
func (c *envComparison) sizes(o, n *Stack) {
	const limit = 51200
	ob := 0
	if o != nil {
		ob = len(o.Data)
	}
	nb := len(n.Data)
	switch {
	case nb > limit && ob <= limit:
		c.changes = append(c.changes, Change{Stack: n.Name, Kind: "size", Action: "modified", Classes: []Class{Derived},
			Message: fmt.Sprintf("template grows over the 51,200-byte --template-body limit (%d -> %d bytes): it deploys from S3 (S3_BUCKET=)", ob, nb),
			Source:  c.stackPos(n.Name, n.Pos), Template: ir.Pos{File: ir.FileOf(n.File), Line: 1}})
	case o != nil && ob > limit && nb <= limit:
		c.changes = append(c.changes, Change{Stack: n.Name, Kind: "size", Action: "modified", Classes: []Class{Derived},
			Message: fmt.Sprintf("template shrinks under the 51,200-byte limit (%d -> %d bytes)", ob, nb),
			Source:  c.stackPos(n.Name, n.Pos), Template: ir.Pos{File: ir.FileOf(n.File), Line: 1}})
	}
}

// parameters reports deploy-time parameters added, removed or with a new default.
func (c *envComparison) parameters(o, n *Stack) {
	op, np := o.tree().Get("Parameters"), n.tree().Get("Parameters")
	for _, k := range unionKeys(op, np) {
		a, b := op.Get(k), np.Get(k)
		at := ir.Pos{File: ir.FileOf(n.File)}
		if p := np.Pair(k); p != nil {
			at.Line = p.KeyPos.Line
		} else if p := op.Pair(k); p != nil {
			at = ir.Pos{File: ir.FileOf(o.File), Line: p.KeyPos.Line}
		}
		ch := Change{Stack: n.Name, Kind: "parameter", ID: k, Classes: []Class{Derived}, Source: c.stackPos(n.Name, n.Pos), Template: at}
		switch {
		case a == nil:
			ch.Action, ch.Message = "added", fmt.Sprintf("deploy-time parameter %s is added (default %s)", k, short(b.Get("Default")))
		case b == nil:
			ch.Action, ch.Message = "removed", fmt.Sprintf("deploy-time parameter %s is removed: a deploy passing it fails", k)
		case !ir.Equal(a, b):
			ch.Action, ch.Message = "modified", fmt.Sprintf("deploy-time parameter %s changes: %s -> %s", k, short(a), short(b))
		default:
			continue
		}
		if b != nil && c.new.user(b.Pos) {
			ch.Source = b.Pos
		}
		c.changes = append(c.changes, ch)
	}
}

// unionKeys are a's keys, then b's that a lacks.
func unionKeys(a, b *ir.Node) []string {
	out := a.Keys()
	seen := map[string]bool{}
	for _, k := range out {
		seen[k] = true
	}
	for _, k := range b.Keys() {
		if !seen[k] {
			out = append(out, k)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

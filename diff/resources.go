package diff

import (
	"fmt"
	"strings"

	"github.com/riglet/riglet/emit"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// compareResources reports the resources of one stack (o, n; either may be an empty
// stand-in for a stack added or removed) added, removed, renamed and modified.
func (c *envComparison) compareResources(o, n *Stack, or, nr *ir.Node) {
	var removed, added []string
	for _, id := range or.Keys() {
		if nr.Get(id) == nil {
			removed = append(removed, id)
		}
	}
	for _, id := range nr.Keys() {
		if or.Get(id) == nil {
			added = append(added, id)
		}
	}
	renamed := renames(or, nr, removed, added)
	for _, id := range removed {
		c.resourceRemoved(o, n, id, or.Get(id), renamed[id])
	}
	renameOf := map[string]string{}
	for from, to := range renamed {
		renameOf[to] = from
	}
	for _, id := range added {
		c.resourceAdded(n, id, nr.Get(id), renameOf[id])
	}
	for _, id := range nr.Keys() {
		if a := or.Get(id); a != nil {
			c.resourceModified(o, n, id, a, nr.Get(id))
		}
	}
}

func typeOf(r *ir.Node) string { return txt(r.Get("Type")) }

// resourceAdded reports a new resource; a rename's new half says what it looks like.
func (c *envComparison) resourceAdded(n *Stack, id string, r *ir.Node, from string) {
	ch := Change{Stack: n.Name, Kind: "resource", Action: "added", ID: id, Type: typeOf(r), Classes: []Class{Add},
		Source: c.resourcePos(n, id, r), Template: n.line(id, false)}
	ch.Message = fmt.Sprintf("%s (%s) is created", id, ch.Type)
	if from != "" {
		ch.Source = c.renamedPos(n, id, r)
		ch.Message += fmt.Sprintf("; looks like a rename of %s: CloudFormation creates this one and deletes %s", from, from)
	}
	c.security(&ch, typeOf(r), nil, r)
	c.changes = append(c.changes, ch)
}

// resourceRemoved reports a deleted resource, with the data it takes along.
func (c *envComparison) resourceRemoved(o, n *Stack, id string, r *ir.Node, to string) {
	ch := Change{Stack: o.Name, Kind: "resource", Action: "removed", ID: id, Type: typeOf(r), Classes: []Class{Remove},
		Source: c.removedPos(o, n, id, r, to), Template: o.line(id, false)}
	ch.Message = fmt.Sprintf("%s (%s) is deleted", id, ch.Type)
	if to != "" {
		ch.Message += fmt.Sprintf("; looks like a rename to %s, which CloudFormation does as a create and a delete", to)
	}
	if why := losesData(r, "DeletionPolicy"); why != "" {
		ch.add(DataLoss)
		ch.Message += ": " + why
	}
	c.security(&ch, typeOf(r), r, nil)
	c.changes = append(c.changes, ch)
}

// resourceModified reports what changed in a resource that keeps its logical ID.
func (c *envComparison) resourceModified(o, n *Stack, id string, a, b *ir.Node) {
	var props []Prop
	for _, k := range unionKeys(a, b) {
		from := len(props)
		switch k {
		case "Properties":
			diffValues(&props, "", a.Get(k), b.Get(k))
			continue
		case "Metadata":
			// riglet's own provenance moves with every line added to a block: no change
			// to AWS worth a reviewer's time.
			diffValues(&props, "Metadata", withoutRiglet(a.Get(k)), withoutRiglet(b.Get(k)))
		default:
			diffValues(&props, k, a.Get(k), b.Get(k))
		}
		for i := from; i < len(props); i++ {
			// an attribute of the resource, not a property: only a new Type replaces it
			props[i].attribute = true
			if k == "Type" {
				props[i].Replace = Replace
			}
		}
	}
	if len(props) == 0 {
		return
	}
	ty := typeOf(b)
	ch := Change{Stack: n.Name, Kind: "resource", Action: "modified", ID: id, Type: ty, Classes: []Class{Modify},
		Source: c.resourcePos(n, id, b), Template: n.line(id, false)}
	rs := replacements(ty)
	for i := range props {
		p := &props[i]
		if !p.attribute {
			p.Replace = rs.verdict(p.Path)
		}
		p.Source = c.propPos(n, id, b, p)
		if p.Replace != "" {
			ch.add(p.Replace)
		}
	}
	ch.Props = props
	switch {
	case ch.Has(Replace):
		ch.Action = "replaced"
		ch.Message = fmt.Sprintf("%s (%s) is replaced: %s", id, ty, replacedBy(props, Replace))
		if why := losesData(a, "UpdateReplacePolicy"); why != "" {
			ch.add(DataLoss)
			ch.Message += ": " + why
		}
	case ch.Has(MayReplace):
		ch.Message = fmt.Sprintf("%s (%s) may be replaced: AWS documents the update of %s as conditional", id, ty, replacedBy(props, MayReplace))
		if why := losesData(a, "UpdateReplacePolicy"); why != "" {
			ch.add(DataLoss)
			ch.Message += "; if it is, " + why
		}
	default:
		ch.Message = fmt.Sprintf("%s (%s) is updated in place: %d properties change", id, ty, len(props))
		if len(props) == 1 {
			ch.Message = fmt.Sprintf("%s (%s) is updated in place: %s", id, ty, props[0].Path)
		}
	}
	if len(props) > 0 && ch.Source == c.resourcePos(n, id, b) {
		// The property that changed is the better pointer when its value came from the
		// user's line (a parameter in the spec or an env file).
		for _, p := range props {
			if c.new.user(p.Source) && p.Source != ch.Source {
				ch.Source = p.Source
				break
			}
		}
	}
	c.security(&ch, ty, a, b)
	c.changes = append(c.changes, ch)
}

func replacedBy(props []Prop, k Class) string {
	var ps []string
	for _, p := range props {
		if p.Replace == k {
			ps = append(ps, p.Path)
		}
	}
	if len(ps) > 3 {
		ps = append(ps[:3], fmt.Sprintf("and %d more", len(ps)-3))
	}
	return strings.Join(ps, ", ")
}

func withoutRiglet(md *ir.Node) *ir.Node {
	if md.Get("riglet") == nil {
		return md
	}
	c := &ir.Node{Kind: ir.Map, Pos: md.Pos}
	for _, p := range md.Pairs {
		if p.Key != "riglet" {
			c.Pairs = append(c.Pairs, p)
		}
	}
	if len(c.Pairs) == 0 {
		return nil
	}
	return c
}

// resourcePos is where a resource of the new side came from: its origin in the
// user's repository, else its line in the template.
func (c *envComparison) resourcePos(n *Stack, id string, r *ir.Node) ir.Pos {
	if o := n.Origins[id]; o != nil {
		if p := o.User(); p.IsValid() {
			return p
		}
	}
	if c.new.Spec != nil {
		if p := c.instancePos(r); p.IsValid() {
			return p
		}
	}
	return n.line(id, false)
}

// renamedPos places a resource whose logical ID changed at the riglet spec's instance
// it belongs to: renaming that instance renamed it, not a line of its block.
func (c *envComparison) renamedPos(n *Stack, id string, r *ir.Node) ir.Pos {
	if o := n.Origins[id]; o != nil && len(o.Chain) > 0 && c.new.user(o.Chain[0].Pos) {
		return o.Chain[0].Pos
	}
	return c.resourcePos(n, id, r)
}

// removedPos places a deleted resource: at the only: that now leaves its instance out
// of the env, else at the instance the new spec still has that made it (or its
// rename), else at its stack, else at its old template line.
func (c *envComparison) removedPos(o, n *Stack, id string, r *ir.Node, to string) ir.Pos {
	if to != "" {
		if p := c.renamedPos(n, to, n.tree().Get("Resources").Get(to)); p.IsValid() {
			return p
		}
	}
	if c.new.Spec != nil {
		if in := c.instance(r); in != nil {
			if by := in.LeftOutBy(c.env); by != nil {
				return by.KeyPos
			}
		}
		if p := c.instancePos(r); p.IsValid() {
			return p
		}
		return c.stackPos(o.Name, c.ne.stack(o.Name).posOrZero())
	}
	return o.line(id, false)
}

func (s *Stack) posOrZero() ir.Pos {
	if s == nil {
		return ir.Pos{}
	}
	return s.Pos
}

// instancePos is where the new spec declares the instance a resource's metadata names
// (riglet: {instance: stack.instance...}), or nothing.
func (c *envComparison) instancePos(r *ir.Node) ir.Pos {
	if in := c.instance(r); in != nil {
		return in.Pos
	}
	return ir.Pos{}
}

// instance is the new spec's instance a resource's metadata names, or nil.
func (c *envComparison) instance(r *ir.Node) *model.Instance {
	inst := txt(r.Get("Metadata").Get("riglet").Get("instance"))
	parts := strings.Split(inst, ".")
	if len(parts) < 2 {
		return nil
	}
	for _, s := range c.new.Spec.Stacks {
		if s.Name != parts[0] {
			continue
		}
		name, _, _ := strings.Cut(parts[1], "+") // a modification's resources are its instance's
		for _, in := range s.Instances {
			if in.Name == name {
				return in
			}
		}
	}
	return nil
}

// propPos is where a changed property's new value came from when that is a line of
// the user's, else the resource's position.
func (c *envComparison) propPos(n *Stack, id string, r *ir.Node, p *Prop) ir.Pos {
	// The value itself, or the first value inside it, that came from a user's line (a
	// rule added to a built-in block's list whose CIDR the spec sets).
	var at ir.Pos
	ir.Walk(p.newNode, func(v *ir.Node) bool {
		if !at.IsValid() && c.new.user(v.Pos) {
			at = v.Pos
		}
		return !at.IsValid()
	})
	if at.IsValid() {
		return at
	}
	return c.resourcePos(n, id, r)
}

// diffValues appends the paths at which a and b differ. Lists are compared as
// multisets first (an SG rule or IAM statement inserted is one added item, not every
// later item modified), the items left over paired in order.
func diffValues(out *[]Prop, path string, a, b *ir.Node) {
	switch {
	case ir.Equal(a, b):
		return
	case a == nil:
		*out = append(*out, Prop{Path: orTop(path), Action: "added", New: short(b), newNode: b})
		return
	case b == nil:
		*out = append(*out, Prop{Path: orTop(path), Action: "removed", Old: short(a)})
		return
	}
	_, _, ai := a.Intrinsic()
	_, _, bi := b.Intrinsic()
	switch {
	case a.Kind == ir.Map && b.Kind == ir.Map && !ai && !bi:
		for _, k := range unionKeys(a, b) {
			diffValues(out, join(path, k), a.Get(k), b.Get(k))
		}
	case a.Kind == ir.List && b.Kind == ir.List:
		diffLists(out, path, a.Items, b.Items)
	default:
		*out = append(*out, Prop{Path: orTop(path), Action: "modified", Old: short(a), New: short(b), newNode: b})
	}
}

func diffLists(out *[]Prop, path string, a, b []*ir.Node) {
	usedB := make([]bool, len(b))
	var leftA []int
	for i, x := range a {
		found := false
		for j, y := range b {
			if !usedB[j] && ir.Equal(x, y) {
				usedB[j], found = true, true
				break
			}
		}
		if !found {
			leftA = append(leftA, i)
		}
	}
	var leftB []int
	for j := range b {
		if !usedB[j] {
			leftB = append(leftB, j)
		}
	}
	k := 0
	for ; k < len(leftA) && k < len(leftB); k++ {
		i, j := leftA[k], leftB[k]
		diffValues(out, fmt.Sprintf("%s[%d]", path, j), a[i], b[j])
	}
	for ; k < len(leftA); k++ {
		*out = append(*out, Prop{Path: fmt.Sprintf("%s[%d]", path, leftA[k]), Action: "removed", Old: short(a[leftA[k]])})
	}
	for ; k < len(leftB); k++ {
		j := leftB[k]
		*out = append(*out, Prop{Path: fmt.Sprintf("%s[%d]", path, j), Action: "added", New: short(b[j]), newNode: b[j]})
	}
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func orTop(path string) string {
	if path == "" {
		return "Properties"
	}
	return path
}

// short is a value as one line of at most 80 characters.
func short(n *ir.Node) string {
	if n == nil {
		return ""
	}
	s := emit.Value(n)
	if n.Kind == ir.Map || n.Kind == ir.List {
		s = strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
	}
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// renames pairs removed and added resources of one type that look like one resource
// under a new logical ID: the same riglet source line, or mostly the same properties.
// Each is paired at most once, the closest match first, deterministically.
func renames(or, nr *ir.Node, removed, added []string) map[string]string {
	out := map[string]string{}
	taken := map[string]bool{}
	for _, r := range removed {
		a := or.Get(r)
		best, bestScore := "", 0.0
		for _, id := range added {
			b := nr.Get(id)
			if taken[id] || typeOf(a) != typeOf(b) {
				continue
			}
			s := similarity(a, b)
			if src := txt(a.Get("Metadata").Get("riglet").Get("source")); src != "" && src == txt(b.Get("Metadata").Get("riglet").Get("source")) {
				s += 1
			}
			if sharedSuffix(r, id) {
				s += 0.5
			}
			if s > bestScore {
				best, bestScore = id, s
			}
		}
		if best != "" && bestScore >= 1 {
			out[r], taken[best] = best, true
		}
	}
	return out
}

// similarity is the share of top-level properties the two resources hold alike.
func similarity(a, b *ir.Node) float64 {
	pa, pb := a.Get("Properties"), b.Get("Properties")
	keys := unionKeys(pa, pb)
	if len(keys) == 0 {
		return 1
	}
	same := 0
	for _, k := range keys {
		if ir.Equal(pa.Get(k), pb.Get(k)) {
			same++
		}
	}
	return float64(same) / float64(len(keys))
}

// sharedSuffix: an instance renamed keeps the block's own resource names at the end
// (OrdersQueue -> JobsQueue).
func sharedSuffix(a, b string) bool {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return n >= 4 && n < len(a) && n < len(b)
}

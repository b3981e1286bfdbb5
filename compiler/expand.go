package compiler

import (
	"strings"

	"github.com/riglet/riglet/internal/graph"
	"github.com/riglet/riglet/ir"
)

// expansion is one block instance inlined into a stack.
type expansion struct {
	block   *Block
	prefix  string
	path    string              // instance path: app-twig-api.service.Orders
	outputs map[string]*ir.Node // output name -> value in the stack's names
	outPos  map[string]ir.Pos
	order   []string // output names in block order
}

// stackOut collects what the instances of one stack contribute to its template.
type stackOut struct {
	name      string // CloudFormation stack name
	resources []ir.Pair
	owner     map[string]string // logical ID -> instance path, to report collisions
	params    []ir.Pair         // deploy-time parameters
}

func (s *stackOut) addResource(id string, n *ir.Node, path string, p ir.Pos, errs *ir.Errors) {
	if other, ok := s.owner[id]; ok {
		errs.Addf(p, "logical ID %s of %s collides with one of %s; rename one of the instances or resources", id, path, other)
		return
	}
	s.owner[id] = path
	s.resources = append(s.resources, ir.Pair{Key: id, KeyPos: p, Value: n})
}

// expander inlines blocks into one stack.
type expander struct {
	c     *compilation
	env   *envCtx
	out   *stackOut
	errs  *ir.Errors
	chain []string // blocks being expanded, for cycles
	// derive gives a Metadata.Riglet.Derived value to parameters the caller left unset.
	derive func(key, path string, p ir.Pos) *ir.Node
}

// blockScope resolves names inside one block instance.
type blockScope struct {
	x         *expander
	b         *Block
	prefix    string
	params    map[string]*ir.Node
	resources map[string]bool // local resource name -> included
	nested    map[string]*expansion
	nestedDef map[string]bool
}

func (s *blockScope) ref(name string, p ir.Pos) (*ir.Node, bool) {
	if strings.HasPrefix(name, "\x00mapping:") {
		m := s.b.Mappings.Get(strings.TrimPrefix(name, "\x00mapping:"))
		return m, m != nil
	}
	if v, ok := s.params[name]; ok {
		if v.IsScalar() {
			return v, true // scalars are never changed in place, so they can be shared
		}
		return v.Clone(), true
	}
	if inc, ok := s.resources[name]; ok {
		if !inc {
			s.x.errs.Addf(p, "Ref to %s, which its Condition removes in this env", name)
		}
		return ir.Ref(s.prefix+name, p), true
	}
	if s.nestedDef[name] {
		s.x.errs.Addf(p, "Ref to block instance %s: use !GetAtt %s.<Output>", name, name)
		return ir.Ref(s.prefix+name, p), true
	}
	return nil, false
}

func (s *blockScope) getAtt(res, attr string, p ir.Pos) (*ir.Node, bool) {
	if ex, ok := s.nested[res]; ok {
		v, ok := ex.outputs[attr]
		if !ok {
			s.x.errs.AddCode("getatt-missing", p, "block %s (instance %s) has no output %s%s", ex.block.Name, res, attr, didYouMean(attr, ex.order))
			return ir.Str("", p), true
		}
		return v.Clone(), true
	}
	if s.nestedDef[res] {
		s.x.errs.Addf(p, "block instance %s is not expanded yet (nested instances that read each other form a cycle)", res)
		return ir.Str("", p), true
	}
	if inc, ok := s.resources[res]; ok {
		if !inc {
			s.x.errs.Addf(p, "Fn::GetAtt of %s, which its Condition removes in this env", res)
		}
		return ir.GetAtt(s.prefix+res, attr, p), true
	}
	s.x.errs.AddCode("getatt-missing", p, "Fn::GetAtt of unknown resource %s%s", res, didYouMean(res, s.refNames()))
	return ir.GetAtt(res, attr, p), true
}

func (s *blockScope) refNames() []string {
	var ns []string
	for k := range s.params {
		ns = append(ns, k)
	}
	for k := range s.resources {
		ns = append(ns, k)
	}
	return ns
}

// expand inlines block b as instance path with logical-ID prefix prefix. values are
// the parameter values already evaluated in the caller's scope (a Map; keys are
// checked against the block's parameters), at is where the instance is declared.
func (x *expander) expand(b *Block, prefix, path string, values *ir.Node, at ir.Pos) *expansion {
	if c, ok := graph.Closes(x.chain, b.Name); ok {
		x.errs.AddCode("cycle", at, "blocks nest each other in a cycle: %s", strings.Join(c.Path, " -> "))
		return &expansion{block: b, prefix: prefix, path: path, outputs: map[string]*ir.Node{}}
	}
	x.chain = append(x.chain, b.Name)
	defer func() { x.chain = x.chain[:len(x.chain)-1] }()

	s := &blockScope{x: x, b: b, prefix: prefix, params: map[string]*ir.Node{}, resources: map[string]bool{},
		nested: map[string]*expansion{}, nestedDef: map[string]bool{}}
	if !x.bindParams(s, values, path, at) {
		// Without its parameters the block would only produce errors that follow from these.
		return &expansion{block: b, prefix: prefix, path: path, outputs: map[string]*ir.Node{}}
	}

	ev := &evaluator{env: x.env, stack: x.out.name, names: s, errs: x.errs,
		conds: map[string]*ir.Node{}, condVals: map[string]int8{}}
	if b.Conditions != nil {
		for _, p := range b.Conditions.Pairs {
			ev.conds[p.Key] = p.Value
		}
	}
	resources := b.Resources
	if resources != nil && hasForEach(resources) {
		// Fn::ForEach in Resources: expand the keys first, values are evaluated below.
		resources = ev.expandKeys(resources)
	}
	// Which resources exist in this env, and which are nested blocks.
	type res struct {
		name string
		pos  ir.Pos
		node *ir.Node
	}
	var plain, nested []res
	for _, p := range resources.Pairs {
		r := p.Value
		if r.Kind != ir.Map {
			x.errs.Addf(p.Value.Pos, "resource %s must be a map with Type and Properties", p.Key)
			continue
		}
		if !logicalIDRE.MatchString(p.Key) {
			x.errs.AddCode("logical-id", p.KeyPos, "logical ID %q must be letters and digits", p.Key)
		}
		include := true
		if c := r.Get("Condition"); c != nil {
			if c.Kind != ir.String {
				x.errs.Addf(c.Pos, "Condition names a condition")
			} else if v, ok := ev.condValue(c.Text, c.Pos); ok {
				include = v
			}
		}
		t := r.Get("Type")
		if t == nil || t.Kind != ir.String {
			x.errs.Addf(p.KeyPos, "resource %s has no Type", p.Key)
			continue
		}
		if strings.HasPrefix(t.Text, "Block::") {
			s.nestedDef[p.Key] = true
			if include {
				nested = append(nested, res{p.Key, p.KeyPos, r})
			}
			continue
		}
		s.resources[p.Key] = include
		if include {
			plain = append(plain, res{p.Key, p.KeyPos, r})
		}
	}
	// Nested instances first, in the order their references require.
	for _, n := range orderNested(nested, s.nestedDef, func(r res) (string, *ir.Node) { return r.name, r.node }, x.errs) {
		x.expandNested(s, ev, n.name, n.node, path, prefix)
	}
	for _, r := range plain {
		out := x.evalResource(s, ev, r.name, r.node)
		if out == nil {
			continue
		}
		// Metadata may be the block's own (shared) node: extend a copy.
		md := ir.NewMapCap(r.pos, 1)
		if old := out.Get("Metadata"); old != nil && old.Kind == ir.Map {
			md.Pairs = append(md.Pairs, old.Pairs...)
		}
		out.Set("Metadata", md)
		tag := ir.NewMapCap(r.pos, 2)
		tag.Set("source", ir.Str(ir.Pos{File: r.pos.File, Line: r.pos.Line}.String(), r.pos))
		tag.Set("instance", ir.Str(path, r.pos))
		md.Set("riglet", tag)
		x.out.addResource(prefix+r.name, out, path, r.pos, x.errs)
	}
	ex := &expansion{block: b, prefix: prefix, path: path, outputs: map[string]*ir.Node{}, outPos: map[string]ir.Pos{}}
	if b.Outputs != nil {
		outs := b.Outputs
		if hasForEach(outs) {
			outs = ev.expandKeys(outs)
		}
		for _, p := range outs.Pairs {
			o := p.Value
			if c := o.Get("Condition"); c != nil && c.Kind == ir.String {
				if v, ok := ev.condValue(c.Text, c.Pos); !ok || !v {
					continue
				}
			}
			if o.Get("Export") != nil {
				x.errs.Addf(o.Get("Export").Pos, "blocks do not export: riglet exports the outputs other stacks use")
			}
			v := o.Get("Value")
			if v == nil {
				x.errs.Addf(p.KeyPos, "output %s has no Value", p.Key)
				continue
			}
			val := ev.eval(v)
			if val == removed {
				continue
			}
			ex.outputs[p.Key] = val
			ex.outPos[p.Key] = p.KeyPos
			ex.order = append(ex.order, p.Key)
		}
	}
	return ex
}

var logicalIDRE = mustRE(`^[A-Za-z0-9]+$`)

func hasForEach(n *ir.Node) bool {
	for _, p := range n.Pairs {
		if strings.HasPrefix(p.Key, "Fn::ForEach::") {
			return true
		}
	}
	return false
}

// expandKeys expands Fn::ForEach entries of a section map without evaluating the
// other entries' values (they are evaluated in their turn, with identifiers
// substituted into them).
func (e *evaluator) expandKeys(n *ir.Node) *ir.Node {
	out := &ir.Node{Kind: ir.Map, Pos: n.Pos}
	for _, p := range n.Pairs {
		if !strings.HasPrefix(p.Key, "Fn::ForEach::") {
			out.Pairs = append(out.Pairs, p)
			continue
		}
		for _, q := range e.forEachRaw(p) {
			if out.Get(q.Key) != nil {
				e.errf(q.KeyPos, "Fn::ForEach produces the key %s twice", q.Key)
				continue
			}
			out.Pairs = append(out.Pairs, q)
		}
	}
	return out
}

// forEachRaw expands a Fn::ForEach entry by substituting the identifier into keys and
// into Ref/Fn::Sub of the values, without evaluating anything else.
func (e *evaluator) forEachRaw(p ir.Pair) []ir.Pair {
	a := p.Value
	if a.Kind != ir.List || len(a.Items) != 3 || a.Items[0].Kind != ir.String || a.Items[2].Kind != ir.Map {
		e.errf(p.KeyPos, "%s takes [Identifier, Collection, {OutputKey: OutputValue}]", p.Key)
		return nil
	}
	id := a.Items[0].Text
	coll := e.eval(a.Items[1])
	if coll.Kind == ir.String && coll.Text != "" {
		coll = splitList(coll.Text, ",", coll.Pos)
	}
	if coll.Kind != ir.List || !isLiteral(coll) {
		e.errf(a.Items[1].Pos, "the collection of %s must be known at compile time", p.Key)
		return nil
	}
	var out []ir.Pair
	for _, item := range coll.Items {
		if !item.IsScalar() {
			e.errf(item.Pos, "the collection of %s must hold strings", p.Key)
			return nil
		}
		e.produced += len(a.Items[2].Pairs)
		if e.produced > maxForEach {
			e.errf(p.KeyPos, "Fn::ForEach produces more than %d entries", maxForEach)
			return nil
		}
		for _, q := range a.Items[2].Pairs {
			key := substIdent(q.Key, id, item.Text)
			v := bindIdent(q.Value, id, item.Text)
			if strings.HasPrefix(key, "Fn::ForEach::") {
				out = append(out, e.forEachRaw(ir.Pair{Key: key, KeyPos: q.KeyPos, Value: v})...)
				continue
			}
			out = append(out, ir.Pair{Key: key, KeyPos: q.KeyPos, Value: v})
		}
	}
	return out
}

// bindIdent returns n with Ref id replaced by value and ${id} / &{id} substituted in
// strings (which covers Fn::Sub templates, keys and nested ForEach).
func bindIdent(n *ir.Node, id, value string) *ir.Node {
	switch n.Kind {
	case ir.String:
		if strings.Contains(n.Text, "{"+id+"}") {
			return ir.Str(substIdent(n.Text, id, value), n.Pos)
		}
		return n
	case ir.List:
		out := &ir.Node{Kind: ir.List, Pos: n.Pos, Items: make([]*ir.Node, len(n.Items))}
		for i, it := range n.Items {
			out.Items[i] = bindIdent(it, id, value)
		}
		return out
	case ir.Map:
		if fn, a, ok := n.Intrinsic(); ok && fn == "Ref" && a.Kind == ir.String && a.Text == id {
			return ir.Str(value, n.Pos)
		}
		out := &ir.Node{Kind: ir.Map, Pos: n.Pos, Pairs: make([]ir.Pair, len(n.Pairs))}
		for i, p := range n.Pairs {
			out.Pairs[i] = ir.Pair{Key: substIdent(p.Key, id, value), KeyPos: p.KeyPos, Value: bindIdent(p.Value, id, value)}
		}
		return out
	}
	return n
}

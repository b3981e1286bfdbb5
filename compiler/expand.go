package compiler

import (
	"regexp"
	"strings"

	"github.com/riglet/riglet/eval"
	"github.com/riglet/riglet/internal/graph"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// expansion is one block instance inlined into a stack.
type expansion struct {
	block   *model.Block
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
	origins   map[string]*Origin // logical ID -> where it came from
	params    []ir.Pair          // deploy-time parameters
	names     []nameRef          // literal values of Metadata.Riglet.Names parameters
}

// nameRef is a literal name a block was given for a resource of the riglet, checked
// against the env's output once every stack is expanded (checkNames).
type nameRef struct {
	block, param string
	want         model.Names
	value        string
	pos          ir.Pos
	external     string // the block's parameter for a name outside the riglet, if any
}

// recordNames keeps the literal values of b's Metadata.Riglet.Names parameters for
// checkNames, and checks that exactly one of such a parameter and its External<name>
// twin (sqs-threshold's ExternalQueueName) is given: with neither the block would
// name nothing, with both it is not clear which is meant.
func (x *expander) recordNames(s *blockScope, at ir.Pos) {
	b := s.b
	for _, k := range sortedKeys(b.Names) {
		v := s.params[k]
		pos := at
		if v != nil && v.Pos.IsValid() && !x.c.lib.IsBuiltin(v.Pos.File.String()) {
			pos = v.Pos
		}
		if x.c.lib.IsBuiltin(pos.File.String()) {
			pos = x.top.Pos // a block nested in a built-in one: the user's instance
		}
		given := v != nil && !(v.Kind == ir.String && v.Text == "")
		ext := ""
		if b.Param("External"+k) != nil {
			ext = "External" + k
			e := s.params[ext]
			switch extGiven := e != nil && !(e.Kind == ir.String && e.Text == ""); {
			case given && extGiven:
				x.errs.AddCode(ir.CodeModification, pos, "%s: give %s (an %s of the riglet) or %s (one outside it), not both", b.Name, k, b.Names[k].Type, ext)
			case !given && !extGiven:
				x.errs.AddCode(ir.CodeModification, at, "%s needs %s (an %s of the riglet) or %s (one outside it)", b.Name, k, b.Names[k].Type, ext)
			}
		}
		if given && v.Kind == ir.String {
			x.out.names = append(x.out.names, nameRef{block: b.Name, param: k, want: b.Names[k], value: v.Text, pos: pos, external: ext})
		}
	}
}

func (s *stackOut) addResource(id string, n *ir.Node, o *Origin, errs *ir.Errors) {
	if other, ok := s.origins[id]; ok {
		errs.Add(&ir.Error{Code: ir.CodeLogicalID, Pos: o.User(),
			Msg:     "logical ID " + id + " of " + o.Instance + " collides with one of " + other.Instance + "; rename one of the instances or resources",
			Related: append(o.Related(), ir.Related{Pos: other.User(), Msg: other.Instance + " is here"})})
		return
	}
	s.origins[id] = o
	s.resources = append(s.resources, ir.Pair{Key: id, KeyPos: o.Pos, Value: n})
}

// expander inlines blocks into one stack.
type expander struct {
	c     *compilation
	env   *eval.Env
	out   *stackOut
	errs  *ir.Errors
	chain []string        // blocks being expanded, for cycles
	steps []Step          // the instances being expanded, from the spec down
	top   *model.Instance // the spec's instance being expanded
	// origins, for plan --explain, records how nested blocks' parameters were decided
	// (nil when nobody asks)
	origins map[string]map[string]ParamOrigin
	// derive gives a Metadata.Riglet.Derived value to parameters the caller left unset.
	derive func(key, path string, p ir.Pos) *ir.Node
}

// blockScope resolves names inside one block instance.
type blockScope struct {
	x         *expander
	b         *model.Block
	prefix    string
	params    map[string]*ir.Node
	maps      map[string]*ir.Node // map parameter -> its entries, the mapping Fn::FindInMap reads
	resources map[string]bool     // local resource name -> included
	nested    map[string]*expansion
	nestedDef map[string]bool
	ev        *eval.Evaluator
	leaked    map[string]bool // NoEcho parameters reported as written in plain text
}

// Bound reports a map parameter's mapping, whose values are evaluated already.
func (s *blockScope) Bound(mapping string) bool { _, ok := s.maps[mapping]; return ok }

func (s *blockScope) Ref(name string, p ir.Pos) (*ir.Node, bool) {
	if strings.HasPrefix(name, "\x00mapping:") {
		if m, ok := s.maps[strings.TrimPrefix(name, "\x00mapping:")]; ok {
			return m, true
		}
		m := s.b.Mappings.Get(strings.TrimPrefix(name, "\x00mapping:"))
		return m, m != nil
	}
	if v, ok := s.params[name]; ok {
		s.noEcho(name, v, p)
		if v.IsScalar() {
			return v, true // scalars are never changed in place, so they can be shared
		}
		return v.Clone(), true
	}
	if inc, ok := s.resources[name]; ok {
		if !inc {
			s.x.errs.AddCode(ir.CodeIntrinsic, p, "Ref to %s, which its Condition removes in this env", name)
		}
		return ir.Ref(s.prefix+name, p), true
	}
	if s.nestedDef[name] {
		s.x.errs.AddCode(ir.CodeIntrinsic, p, "Ref to block instance %s: use !GetAtt %s.<Output>", name, name)
		return ir.Ref(s.prefix+name, p), true
	}
	return nil, false
}

// noEcho refuses a NoEcho parameter's value written into the template in plain text,
// in the committed out/ for anyone to read: such a value must be a dynamic reference
// ({{resolve:secretsmanager:...}}), which CloudFormation resolves at deploy time. A
// value that only decides a condition is not written.
func (s *blockScope) noEcho(name string, v *ir.Node, at ir.Pos) {
	p := s.b.Param(name)
	if p == nil || !p.NoEcho || s.ev == nil || s.ev.InConditions() || s.leaked[name] || !v.IsScalar() || v.Text == "" || model.IsDynamicRef(v) {
		return
	}
	if s.leaked == nil {
		s.leaked = map[string]bool{}
	}
	s.leaked[name] = true
	s.x.errs.Add(&ir.Error{Code: ir.CodeConstraint, Pos: v.Pos,
		Msg:     "parameter " + name + " of block " + s.b.Name + " is NoEcho, but this value would be written in plain text into the template; give a dynamic reference such as {{resolve:secretsmanager:name:SecretString:password}} or {{resolve:ssm-secure:name}}",
		Related: []ir.Related{{Pos: at, Msg: "written here"}}})
}

func (s *blockScope) GetAtt(res, attr string, p ir.Pos) (*ir.Node, bool) {
	if ex, ok := s.nested[res]; ok {
		v, ok := ex.outputs[attr]
		if !ok {
			s.x.errs.AddCode(ir.CodeGetAttMissing, p, "block %s (instance %s) has no output %s%s", ex.block.Name, res, attr, didYouMean(attr, ex.order))
			return ir.Str("", p), true
		}
		return v.Clone(), true
	}
	if s.nestedDef[res] {
		s.x.errs.AddCode(ir.CodeCycle, p, "block instance %s is not expanded yet (nested instances that read each other form a cycle)", res)
		return ir.Str("", p), true
	}
	if inc, ok := s.resources[res]; ok {
		if !inc {
			s.x.errs.AddCode(ir.CodeIntrinsic, p, "Fn::GetAtt of %s, which its Condition removes in this env", res)
		}
		return ir.GetAtt(s.prefix+res, attr, p), true
	}
	s.x.errs.AddCode(ir.CodeGetAttMissing, p, "Fn::GetAtt of unknown resource %s%s", res, didYouMean(res, s.RefNames()))
	return ir.GetAtt(res, attr, p), true
}

func (s *blockScope) RefNames() []string {
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
func (x *expander) expand(b *model.Block, prefix, path string, values *ir.Node, at ir.Pos) *expansion {
	if c, ok := graph.Closes(x.chain, b.Name); ok {
		x.errs.AddCode(ir.CodeCycle, at, "blocks nest each other in a cycle: %s", strings.Join(c.Path, " -> "))
		return &expansion{block: b, prefix: prefix, path: path, outputs: map[string]*ir.Node{}}
	}
	x.chain = append(x.chain, b.Name)
	x.steps = append(x.steps, Step{Name: path[strings.LastIndexAny(path, ".")+1:], Block: b.Name, Pos: at, Builtin: x.c.lib.IsBuiltin(at.File.String())})
	from := len(*x.errs)
	defer func() {
		x.chain = x.chain[:len(x.chain)-1]
		x.steps = x.steps[:len(x.steps)-1]
		if b.Builtin {
			x.relocate(from, b, at)
		}
	}()

	nres := 0
	if b.Resources != nil {
		nres = len(b.Resources.Pairs)
	}
	s := &blockScope{x: x, b: b, prefix: prefix, params: make(map[string]*ir.Node, len(b.Params)), maps: map[string]*ir.Node{}, resources: make(map[string]bool, nres),
		nested: map[string]*expansion{}, nestedDef: map[string]bool{}}
	if !x.bindParams(s, values, path, at) {
		// Without its parameters the block would only produce errors that follow from these.
		return &expansion{block: b, prefix: prefix, path: path, outputs: map[string]*ir.Node{}}
	}

	x.recordNames(s, at)

	ev := eval.New(x.env, x.out.name, s, x.errs)
	s.ev = ev
	if b.Conditions != nil {
		ev.Conds = make(map[string]*ir.Node, len(b.Conditions.Pairs)) // sized once, not grown per condition
		conds := b.Conditions
		if eval.HasForEach(conds) {
			// Fn::ForEach in Conditions: a condition per entry of a collection
			conds = ev.ExpandKeys(conds)
		}
		for _, p := range conds.Pairs {
			ev.Conds[p.Key] = p.Value
		}
	}
	resources := b.Resources
	if resources != nil && eval.HasForEach(resources) {
		// Fn::ForEach in Resources: expand the keys first, values are evaluated below.
		resources = ev.ExpandKeys(resources)
	}
	// Which resources exist in this env, and which are nested blocks.
	type res struct {
		name string
		pos  ir.Pos
		node *ir.Node
	}
	var plain, nested []res
	if resources == nil {
		// a block whose Resources did not load (reported where it was read) has none
		resources = ir.NewMap(at)
	}
	for _, p := range resources.Pairs {
		r := p.Value
		if r.Kind != ir.Map {
			x.errs.AddCode(ir.CodeBlockDefinition, p.Value.Pos, "resource %s must be a map with Type and Properties", p.Key)
			continue
		}
		if !logicalIDRE.MatchString(p.Key) {
			x.errs.AddCode(ir.CodeLogicalID, p.KeyPos, "logical ID %q must be letters and digits", p.Key)
		}
		include := true
		if c := r.Get("Condition"); c != nil {
			if c.Kind != ir.String {
				x.errs.AddCode(ir.CodeBlockDefinition, c.Pos, "Condition names a condition")
			} else if v, ok := ev.CondValue(c.Text, c.Pos); ok {
				include = v
			}
		}
		t := r.Get("Type")
		if t == nil || t.Kind == ir.Null {
			x.errs.AddCode(ir.CodeBlockDefinition, p.KeyPos, "resource %s has no Type", p.Key)
			continue
		}
		if t.Kind != ir.String {
			x.errs.AddCode(ir.CodeBlockDefinition, t.Pos, "the Type of resource %s is a %s; it takes a string such as AWS::SQS::Queue", p.Key, t.Kind)
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
	var chain []Step
	for _, r := range plain {
		out := x.evalResource(s, ev, r.name, r.node)
		if out == nil {
			continue
		}
		x.signalNames(s, out)
		// Metadata may be the block's own (shared) node: extend a copy.
		var md *ir.Node
		if old := out.Get("Metadata"); old != nil && old.Kind == ir.Map {
			md = ir.NewMapCap(r.pos, len(old.Pairs)+1)
			md.Pairs = append(md.Pairs, old.Pairs...)
		} else {
			md = ir.NewMapCap(r.pos, 1)
		}
		out.Set("Metadata", md)
		tag := ir.NewMapCap(r.pos, 2)
		tag.Set("source", ir.Str(ir.Pos{File: r.pos.File, Line: r.pos.Line}.String(), r.pos))
		tag.Set("instance", ir.Str(path, r.pos))
		md.Set("riglet", tag)
		if chain == nil {
			// one copy for every resource of the instance: origins are only read
			chain = append([]Step(nil), x.steps...)
		}
		o := &Origin{Instance: path, Block: b.Name, Pos: r.pos, Builtin: b.Builtin, Chain: chain, Top: x.top}
		x.out.addResource(prefix+r.name, out, o, x.errs)
	}
	nout := 0
	if b.Outputs != nil {
		nout = len(b.Outputs.Pairs)
	}
	ex := &expansion{block: b, prefix: prefix, path: path, outputs: make(map[string]*ir.Node, nout), outPos: make(map[string]ir.Pos, nout)}
	if b.Outputs != nil {
		outs := b.Outputs
		if eval.HasForEach(outs) {
			outs = ev.ExpandKeys(outs)
		}
		for _, p := range outs.Pairs {
			o := p.Value
			if c := o.Get("Condition"); c != nil && c.Kind == ir.String {
				if v, ok := ev.CondValue(c.Text, c.Pos); !ok || !v {
					continue
				}
			}
			if o.Get("Export") != nil {
				x.errs.AddCode(ir.CodeBlockDefinition, o.Get("Export").Pos, "blocks do not export: riglet exports the outputs other stacks use")
			}
			v := o.Get("Value")
			if v == nil {
				x.errs.AddCode(ir.CodeBlockDefinition, p.KeyPos, "output %s has no Value", p.Key)
				continue
			}
			val := ev.Eval(v)
			if val == eval.Removed {
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

func mustRE(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// resourceKeys are the attributes a resource may have.
var resourceKeys = map[string]bool{"Type": true, "Properties": true, "Condition": true, "DependsOn": true,
	"Metadata": true, "DeletionPolicy": true, "UpdateReplacePolicy": true, "UpdatePolicy": true, "CreationPolicy": true}

func (x *expander) evalResource(s *blockScope, ev *eval.Evaluator, name string, r *ir.Node) *ir.Node {
	out := ir.NewMap(r.Pos)
	for _, p := range r.Pairs {
		if p.Key == "Version" && isCustom(r.Get("Type")) {
			// custom resources keep the attribute old templates give them ("1.0")
			out.Pairs = append(out.Pairs, p)
			continue
		}
		if !resourceKeys[p.Key] {
			x.errs.AddCode(ir.CodeUnknownKey, p.KeyPos, "unknown resource attribute %s%s", p.Key, didYouMean(p.Key, sortedKeys(resourceKeys)))
			continue
		}
		switch p.Key {
		case "Condition":
			continue
		case "DependsOn":
			out.Pairs = append(out.Pairs, ir.Pair{Key: p.Key, KeyPos: p.KeyPos, Value: x.dependsOn(s, p.Value)})
			continue
		}
		v := ev.Eval(p.Value)
		if v == eval.Removed {
			continue
		}
		out.Pairs = append(out.Pairs, ir.Pair{Key: p.Key, KeyPos: p.KeyPos, Value: v})
	}
	if d := out.Get("DependsOn"); d != nil && d.Kind == ir.List && len(d.Items) == 0 {
		out.Delete("DependsOn")
	}
	return out
}

// isCustom reports a custom resource type, the only kind that takes Version.
func isCustom(t *ir.Node) bool {
	return t != nil && t.Kind == ir.String && (t.Text == "AWS::CloudFormation::CustomResource" || strings.HasPrefix(t.Text, "Custom::"))
}

// dependsOn rewrites DependsOn names: local resources get the prefix, resources a
// condition removed are dropped, a nested instance stands for all its resources.
func (x *expander) dependsOn(s *blockScope, n *ir.Node) *ir.Node {
	var items []*ir.Node
	switch n.Kind {
	case ir.String:
		items = []*ir.Node{n}
	case ir.List:
		items = n.Items
	default:
		x.errs.AddCode(ir.CodeBlockDefinition, n.Pos, "DependsOn takes a name or a list of names")
		return ir.NewList(n.Pos)
	}
	out := ir.NewList(n.Pos)
	for _, it := range items {
		if it.Kind != ir.String {
			x.errs.AddCode(ir.CodeBlockDefinition, it.Pos, "DependsOn takes names")
			continue
		}
		if inc, ok := s.resources[it.Text]; ok {
			if inc {
				out.Items = append(out.Items, ir.Str(s.prefix+it.Text, it.Pos))
			}
			continue
		}
		if ex, ok := s.nested[it.Text]; ok {
			for _, r := range x.out.resources {
				if o := x.out.origins[r.Key].Instance; o == ex.path || strings.HasPrefix(o, ex.path+".") {
					out.Items = append(out.Items, ir.Str(r.Key, it.Pos))
				}
			}
			continue
		}
		if s.nestedDef[it.Text] {
			continue
		}
		x.errs.AddCode(ir.CodeDependsOn, it.Pos, "DependsOn names unknown resource %s%s", it.Text, didYouMean(it.Text, s.RefNames()))
	}
	return out
}

package compiler

// How a parameter's value is decided, in one place for top-level instances,
// modifications and nested blocks: layers are offered weakest first (block default <
// derived or wired < env params < instance params < instance envs.<env>), the last one
// holding a value wins, and every layer looked at is recorded for plan --explain.

import (
	"strings"

	"github.com/riglet/riglet/eval"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// bindParams gives every parameter of the block its value: the caller's, else the
// default; a parameter with neither is required. Deploy-time parameters become
// Parameters of the stack.
func (x *expander) bindParams(s *blockScope, values *ir.Node, path string, at ir.Pos) bool {
	b := s.b
	ok := true
	var names []string
	for _, p := range b.Params {
		names = append(names, p.Name)
	}
	if values != nil {
		for _, pr := range values.Pairs {
			if b.Param(pr.Key) == nil {
				x.errs.AddCode(ir.CodeUnknownParam, pr.KeyPos, "block %s has no parameter %s%s", b.Name, pr.Key, didYouMean(pr.Key, names))
			}
		}
	}
	// A nested instance's parameters are decided here (a top-level one's and a
	// modification's by their caller, who knows more layers, and records them).
	var origins map[string]ParamOrigin
	if _, recorded := x.origins[path]; x.origins != nil && !recorded {
		origins = map[string]ParamOrigin{}
		x.origins[path] = origins
	}
	var maps []boundMap
	for _, p := range b.Params {
		var d decide // only origins read the decision (nil records nothing)
		if origins != nil {
			d = decide{}
		}
		v := values.Get(p.Name)
		if (v == nil || v.Kind == ir.Null) && x.derive != nil {
			if key, isDerived := b.Derived[p.Name]; isDerived {
				v = x.derive(key, path, b.DerivedPos[p.Name])
				if v != nil {
					d.offer(p.Name, v, "derived", b.DerivedPos[p.Name])
				}
			}
		} else if v != nil && v.Kind != ir.Null {
			d.offer(p.Name, v, "parent", values.Pair(p.Name).KeyPos)
		}
		if v == nil || v.Kind == ir.Null {
			v = p.Default
			if v != nil {
				d.offer(p.Name, v, "default", v.Pos)
			}
		}
		if origins != nil && v != nil {
			if l, ok := d[p.Name]; ok && l.layer != "default" {
				origins[p.Name] = l.origin(p, v)
			} else {
				origins[p.Name] = ParamOrigin{Layer: "default", Pos: v.Pos, Value: v}
			}
		}
		if v == nil && b.DeployTime[p.Name] {
			// A deploy-time input with no default (an image tag: none is sure to exist)
			// stays a parameter the first deploy must set; later ones keep its value.
			name := x.deployName(s, p.Name)
			x.deployParam(name, p, nil, at)
			s.params[p.Name] = ir.Ref(name, at)
			continue
		}
		if v == nil {
			x.errs.AddCode(ir.CodeMissingParam, at, "%s (block %s) needs parameter %s%s", path, b.Name, p.Name, describe(p))
			ok = false
			continue
		}
		if b.Maps[p.Name] != nil {
			maps = append(maps, boundMap{p, v}) // once the others are bound: Distinct reads them
			continue
		}
		if msg := p.Check(v); msg != "" {
			x.errs.AddCode(ir.CodeConstraint, v.Pos, "parameter %s of block %s: %s", p.Name, b.Name, msg)
			ok = false
		}
		v = p.Normalize(v)
		if p.IsList() && v.Kind != ir.List && !eval.IsLiteral(v) && !isListExpr(v) {
			// a comma-joined output known only at deploy time
			v = ir.Fn("Fn::Split", ir.NewList(v.Pos, ir.Str(",", v.Pos), v), v.Pos)
		}
		if b.DeployTime[p.Name] {
			name := x.deployName(s, p.Name)
			x.deployParam(name, p, v, at)
			s.params[p.Name] = ir.Ref(name, v.Pos)
			continue
		}
		s.params[p.Name] = v
	}
	for _, bm := range maps {
		if !x.bindMap(s, bm.p, b.Maps[bm.p.Name], bm.v) {
			ok = false
		}
	}
	return ok
}

// boundMap is a map parameter's value, bound after the other parameters.
type boundMap struct {
	p *model.Param
	v *ir.Node
}

func describe(p *model.Param) string {
	if p.Description == "" {
		return ""
	}
	return ": " + strings.TrimSuffix(strings.TrimSpace(p.Description), ".")
}

// isListExpr reports whether an expression yields a list at deploy time.
func isListExpr(v *ir.Node) bool {
	fn, _, ok := v.Intrinsic()
	return ok && (fn == "Fn::Split" || fn == "Fn::GetAZs" || fn == "Fn::Cidr")
}

// deployName is the template parameter of a deploy-time input: the plain name (ImageTag)
// is what make's IMAGE_TAG= and the pipeline set; a second instance with the same input
// in one stack gets its prefix.
func (x *expander) deployName(s *blockScope, name string) string {
	for _, q := range x.out.params {
		if q.Key == name {
			return s.prefix + name
		}
	}
	return name
}

// deployParam adds a deploy-time parameter to the template; v nil means no default.
func (x *expander) deployParam(name string, p *model.Param, v *ir.Node, at ir.Pos) {
	if v != nil && !eval.IsLiteral(v) {
		x.errs.AddCode(ir.CodeBlockDefinition, v.Pos, "deploy-time parameter %s needs a default known at compile time", p.Name)
		return
	}
	def := ir.NewMap(at)
	if p.Description != "" {
		def.Set("Description", ir.Str(p.Description, at))
	}
	def.Set("Type", ir.Str(p.Type, at))
	if len(p.AllowedValues) > 0 {
		l := ir.NewList(at)
		for _, a := range p.AllowedValues {
			l.Items = append(l.Items, ir.Str(a, at))
		}
		def.Set("AllowedValues", l)
	}
	switch {
	case v == nil:
	case v.Kind == ir.List:
		var ss []string
		for _, it := range v.Items {
			ss = append(ss, it.Text)
		}
		def.Set("Default", ir.Str(strings.Join(ss, ","), v.Pos))
	default:
		def.Set("Default", ir.Str(v.Text, v.Pos))
	}
	if p.AllowedPattern != nil {
		def.Set("AllowedPattern", ir.Str(p.AllowedPattern.Text, at))
	}
	if p.NoEcho {
		def.Set("NoEcho", ir.Boolean(true, at))
	}
	x.out.params = append(x.out.params, ir.Pair{Key: name, KeyPos: at, Value: def})
}

// layered is a parameter value with the layer that set it, and the weaker layers it
// overrode.
type layered struct {
	v     *ir.Node
	layer string
	pos   ir.Pos
	under []ParamLayer
}

// decide is the one place a parameter's value is decided: layers are offered weakest
// first, and each one that holds a value overrides what came before, which it keeps.
type decide map[string]layered

func (d decide) offer(name string, v *ir.Node, layer string, p ir.Pos) {
	if d == nil {
		return
	}
	l := layered{v: v, layer: layer, pos: p}
	if old, ok := d[name]; ok {
		l.under = append(append([]ParamLayer(nil), old.under...), ParamLayer{old.layer, old.pos, old.v})
	}
	d[name] = l
}

// origin is what plan --explain shows for the decision, the block default (when the
// parameter has one) being the weakest layer.
func (l layered) origin(p *model.Param, v *ir.Node) ParamOrigin {
	o := ParamOrigin{Layer: l.layer, Pos: l.pos, Value: v, Under: l.under}
	if p != nil && p.Default != nil {
		o.Under = append([]ParamLayer{{"default", p.Default.Pos, p.Default}}, o.Under...)
	}
	return o
}

// layers gathers an instance's parameter values, strongest last: derived and wired
// values < env params < instance params < instance envs.<env>.
func (ec *envCompile) layers(in *model.Instance, b *model.Block) map[string]layered {
	out := make(decide, len(b.Params))
	explicit := func(name string) bool {
		if in.Params.Get(name) != nil || (ec.env != nil && in.Envs[ec.envName].Get(name) != nil) {
			return true
		}
		return ec.env != nil && ec.env.Params.Get(name) != nil
	}
	for _, p := range b.Params {
		// A shared stack has no env to derive from: a value the instance gives is all
		// there is (in an env, the derived value is still offered, for plan --explain).
		if key, ok := b.Derived[p.Name]; ok && !(ec.env == nil && explicit(p.Name)) {
			if v := ec.derived(key, in.Stack.Name+"."+in.Name, b.DerivedPos[p.Name]); v != nil {
				out.offer(p.Name, v, "derived", b.DerivedPos[p.Name])
			}
		}
		if w, ok := b.Wiring[p.Name]; ok && !explicit(p.Name) && !ec.envGives(b.Derived[p.Name]) {
			if v := ec.wire(in, p.Name, w); v != nil {
				out.offer(p.Name, v, "wired", w.Pos)
			}
		}
	}
	if ec.env != nil && ec.env.Params != nil {
		for _, pr := range ec.env.Params.Pairs {
			if b.Param(pr.Key) != nil {
				out.offer(pr.Key, pr.Value, "env", pr.KeyPos)
			}
		}
	}
	if in.Params != nil {
		for _, pr := range in.Params.Pairs {
			out.offer(pr.Key, pr.Value, "instance", pr.KeyPos)
		}
	}
	if ec.env != nil {
		if m := in.Envs[ec.envName]; m != nil {
			for _, pr := range m.Pairs {
				out.offer(pr.Key, pr.Value, "instance env", pr.KeyPos)
			}
		}
	}
	for _, p := range b.Params {
		if l, ok := out[p.Name]; ok && l.layer == "derived" && !ec.missingEnvKey(in.Stack.Name+"."+in.Name, b, p, l.v, in.Pos) {
			ec.failed[in] = true // its constraint would only say the value is empty
		}
	}
	return out
}

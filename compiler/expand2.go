package compiler

import (
	"regexp"
	"strings"

	"github.com/riglet/riglet/eval"
	"github.com/riglet/riglet/internal/graph"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

func mustRE(s string) *regexp.Regexp { return regexp.MustCompile(s) }

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
	for _, p := range b.Params {
		d := decide{}
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
		if v == nil {
			x.errs.AddCode(ir.CodeMissingParam, at, "%s (block %s) needs parameter %s%s", path, b.Name, p.Name, describe(p))
			ok = false
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
			// The plain name (ImageTag) is what make's IMAGE_TAG= and the pipeline set;
			// a second instance with the same input in one stack gets its prefix.
			name := p.Name
			for _, q := range x.out.params {
				if q.Key == name {
					name = s.prefix + p.Name
				}
			}
			x.deployParam(name, p, v, at)
			s.params[p.Name] = ir.Ref(name, v.Pos)
			continue
		}
		s.params[p.Name] = v
	}
	return ok
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

func (x *expander) deployParam(name string, p *model.Param, v *ir.Node, at ir.Pos) {
	if !eval.IsLiteral(v) {
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
	if v.Kind == ir.List {
		var ss []string
		for _, it := range v.Items {
			ss = append(ss, it.Text)
		}
		def.Set("Default", ir.Str(strings.Join(ss, ","), v.Pos))
	} else {
		def.Set("Default", ir.Str(v.Text, v.Pos))
	}
	if p.PatternText != "" {
		def.Set("AllowedPattern", ir.Str(p.PatternText, at))
	}
	if p.NoEcho {
		def.Set("NoEcho", ir.Boolean(true, at))
	}
	x.out.params = append(x.out.params, ir.Pair{Key: name, KeyPos: at, Value: def})
}

// orderNested sorts nested instances so that each comes after the ones its
// properties read; a cycle is reported.
func orderNested[T any](items []T, defined map[string]bool, key func(T) (string, *ir.Node), errs *ir.Errors) []T {
	deps := map[string][]string{}
	byName := map[string]T{}
	var names []string
	for _, it := range items {
		name, n := key(it)
		byName[name] = it
		names = append(names, name)
		seen := map[string]bool{}
		ir.Walk(n.Get("Properties"), func(m *ir.Node) bool {
			for _, r := range referencedNames(m) {
				if defined[r] && r != name && !seen[r] {
					seen[r] = true
					deps[name] = append(deps[name], r)
				}
			}
			return true
		})
	}
	order, cycles := graph.Sort(names, func(n string) []string {
		var ds []string
		for _, d := range deps[n] {
			if _, ok := byName[d]; ok {
				ds = append(ds, d)
			}
		}
		return ds
	})
	for _, c := range cycles {
		_, node := key(byName[c.Path[len(c.Path)-1]])
		errs.AddCode(ir.CodeCycle, node.Pos, "nested block instances read each other in a cycle: %s", strings.Join(c.Path, " -> "))
	}
	out := make([]T, len(order))
	for i, n := range order {
		out[i] = byName[n]
	}
	return out
}

// referencedNames lists the logical names an intrinsic node reads directly.
func referencedNames(n *ir.Node) []string {
	fn, a, ok := n.Intrinsic()
	if !ok {
		return nil
	}
	switch fn {
	case "Ref":
		if a.Kind == ir.String {
			return []string{a.Text}
		}
	case "Fn::GetAtt":
		if a.Kind == ir.List && len(a.Items) > 0 && a.Items[0].Kind == ir.String {
			return []string{a.Items[0].Text}
		}
		if a.Kind == ir.String {
			r, _, _ := strings.Cut(a.Text, ".")
			return []string{r}
		}
	case "Fn::Sub":
		t := a
		if a.Kind == ir.List && len(a.Items) > 0 {
			t = a.Items[0]
		}
		if t.Kind == ir.String {
			return subNames(t.Text)
		}
	}
	return nil
}

func subNames(s string) []string {
	vars := ir.SubVars(s)
	for i, v := range vars {
		vars[i], _, _ = strings.Cut(v, ".")
	}
	return vars
}

func (x *expander) expandNested(s *blockScope, ev *eval.Evaluator, name string, r *ir.Node, path, prefix string) {
	t := r.Get("Type")
	bname := strings.TrimPrefix(t.Text, "Block::")
	nb, err := x.c.lib.Get(bname)
	if err != nil {
		x.errs.Merge(err)
		return
	}
	if nb == nil {
		x.errs.AddCode(ir.CodeUnknownBlock, t.Pos, "unknown block %s%s", bname, didYouMean(bname, x.c.lib.Names()))
		return
	}
	for _, k := range r.Keys() {
		switch k {
		case "Type", "Properties", "Condition", "DependsOn", "Metadata":
		default:
			x.errs.AddCode(ir.CodeBlockDefinition, r.Pair(k).KeyPos, "%s does not apply to a block instance", k)
		}
	}
	var values *ir.Node
	if props := r.Get("Properties"); props != nil {
		values = ev.Eval(props)
	}
	s.nested[name] = x.expand(nb, prefix+name, path+"."+name, values, r.Pos)
}

// resourceKeys are the attributes a resource may have.
var resourceKeys = map[string]bool{"Type": true, "Properties": true, "Condition": true, "DependsOn": true,
	"Metadata": true, "DeletionPolicy": true, "UpdateReplacePolicy": true, "UpdatePolicy": true, "CreationPolicy": true}

func (x *expander) evalResource(s *blockScope, ev *eval.Evaluator, name string, r *ir.Node) *ir.Node {
	out := ir.NewMap(r.Pos)
	for _, p := range r.Pairs {
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

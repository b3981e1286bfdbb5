package compiler

import (
	"strings"

	"github.com/riglet/riglet/eval"
	"github.com/riglet/riglet/internal/graph"
	"github.com/riglet/riglet/ir"
)

// Nested block instances: a resource whose Type is Block::name, expanded in the order
// their properties read each other.

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
		x.errs.AddCode(ir.CodeUnknownBlock, t.Pos, "unknown block %s%s", ir.Name(bname), didYouMean(bname, x.c.lib.Names()))
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

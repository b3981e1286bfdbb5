package lint

import (
	"strings"

	"github.com/riglet/riglet/ir"
)

// key names the resource a value points at, across the stacks of an env: a Ref or
// Fn::GetAtt in stack s is "stack/ID"; a Fn::ImportValue is followed to the output
// that exports it, and on to what that output points at. Anything else is its
// rendered text, so that equal literal ARNs compare equal.
func (e *Env) key(s *Stack, n *ir.Node) string {
	return e.keyDepth(s, n, 0)
}

func (e *Env) keyDepth(s *Stack, n *ir.Node, depth int) string {
	if n == nil {
		return ""
	}
	fn, arg, ok := n.Intrinsic()
	if !ok || depth > 8 {
		if n.IsScalar() {
			return "=" + n.Text
		}
		return ""
	}
	switch fn {
	case "Ref":
		return s.Name + "/" + arg.Text
	case "Fn::GetAtt":
		if arg.Kind == ir.List && len(arg.Items) > 0 {
			return s.Name + "/" + arg.Items[0].Text
		}
		if arg.Kind == ir.String {
			id, _, _ := strings.Cut(arg.Text, ".")
			return s.Name + "/" + id
		}
	case "Fn::ImportValue":
		if arg.Kind != ir.String {
			return ""
		}
		e.indexExports()
		if pr := e.exports[arg.Text]; pr != nil {
			return e.keyDepth(e.exportStack[arg.Text], pr.Value.Get("Value"), depth+1)
		}
		return "import:" + arg.Text
	}
	return ""
}

// indexExports finds, once, the output behind each export name of the env.
func (e *Env) indexExports() {
	e.exportsOnce.Do(func() {
		e.exports = map[string]*ir.Pair{}
		e.exportStack = map[string]*Stack{}
		for _, st := range e.Stacks {
			eachOutputPair(st, func(pr *ir.Pair) {
				if nm := pr.Value.Get("Export").Get("Name"); nm != nil && nm.Kind == ir.String {
					e.exports[nm.Text] = pr
					e.exportStack[nm.Text] = st
				}
			})
		}
	})
}

// resource returns the resource a key names, or nil.
func (e *Env) resource(key string) *Resource {
	st, id, ok := strings.Cut(key, "/")
	if !ok {
		return nil
	}
	e.byNameOnce.Do(func() {
		e.byName = make(map[string]*Stack, len(e.Stacks))
		for _, s := range e.Stacks {
			if _, ok := e.byName[s.Name]; !ok {
				e.byName[s.Name] = s
			}
		}
	})
	if s := e.byName[st]; s != nil {
		return s.ByID[id]
	}
	return nil
}

// keysIn lists the keys of every Ref, Fn::GetAtt and Fn::ImportValue below n.
func (e *Env) keysIn(s *Stack, n *ir.Node) []string {
	var out []string
	e.eachKeyIn(s, n, func(k string) { out = append(out, k) })
	return out
}

// eachKeyIn calls f with each key keysIn lists, in its order, without the list (the
// riglet rules ask for the keys of every alarm of every env on every run).
func (e *Env) eachKeyIn(s *Stack, n *ir.Node, f func(k string)) {
	ir.Walk(n, func(m *ir.Node) bool {
		if fn, _, ok := m.Intrinsic(); ok && (fn == "Ref" || fn == "Fn::GetAtt" || fn == "Fn::ImportValue") {
			if k := e.key(s, m); k != "" {
				f(k)
			}
			return false
		}
		return true
	})
}

// resourcesOf lists the env's resources of the given types, in deploy order.
func (e *Env) resourcesOf(types ...string) []*Resource {
	var out []*Resource
	for _, s := range e.Stacks {
		for _, r := range s.Resources {
			for _, t := range types {
				if r.Type == t {
					out = append(out, r)
					break
				}
			}
		}
	}
	return out
}

// key of a resource itself.
func (r *Resource) key() string { return r.Stack.Name + "/" + r.ID }

// list returns the items of a list, or the node itself as a one-item list.
func list(n *ir.Node) []*ir.Node {
	switch {
	case n == nil:
		return nil
	case n.Kind == ir.List:
		return n.Items
	}
	return []*ir.Node{n}
}

// atoi reads an integer scalar; ok is false for anything else.
func atoi(n *ir.Node) (int, bool) {
	if n == nil || n.Kind != ir.Number && n.Kind != ir.String {
		return 0, false
	}
	v := 0
	s := strings.TrimSpace(n.Text)
	if s == "" {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
		if v > 1<<40 {
			return 0, false
		}
	}
	return v, true
}

// isTrue reports whether n is the boolean true (or its text).
func isTrue(n *ir.Node) bool {
	return n != nil && n.IsScalar() && strings.EqualFold(n.Text, "true")
}

package eval

import (
	"github.com/riglet/riglet/internal/suggest"
	"github.com/riglet/riglet/ir"
)

// Fn::If and the condition functions.

func (e *Evaluator) ifFn(arg *ir.Node, p ir.Pos) *ir.Node {
	if arg.Kind != ir.List || len(arg.Items) != 3 || arg.Items[0].Kind != ir.String {
		e.errf(p, "Fn::If takes [Condition, value if true, value if false]")
		return Removed
	}
	b, ok := e.CondValue(arg.Items[0].Text, arg.Items[0].Pos)
	if !ok {
		return Removed
	}
	if b {
		return e.Eval(arg.Items[1])
	}
	return e.Eval(arg.Items[2])
}

// InConditions reports whether a Conditions entry is being evaluated: what a name
// resolves to there decides a condition and is never written into the template.
func (e *Evaluator) InConditions() bool { return e.condition }

// condValue evaluates a named condition once.
func (e *Evaluator) CondValue(name string, p ir.Pos) (bool, bool) {
	switch e.condVals[name] {
	case 1:
		return true, true
	case -1:
		return false, true
	case 2:
		e.errf(p, "condition %s depends on itself", name)
		return false, false
	}
	def, ok := e.Conds[name]
	if !ok {
		var names []string
		for k := range e.Conds {
			names = append(names, k)
		}
		e.errf(p, "unknown condition %s%s", name, suggest.DidYouMean(name, names))
		return false, false
	}
	if e.condVals == nil {
		e.condVals = make(map[string]int8, len(e.Conds)) // sized once, not grown per condition
	}
	e.condVals[name] = 2
	saved := e.condition
	e.condition = true
	fn, a, isFn := def.Intrinsic()
	var b, okb bool
	if isFn {
		b, okb = e.boolean(fn, a, def.Pos)
	} else {
		e.errf(def.Pos, "condition %s must be a condition function", name)
	}
	e.condition = saved
	if !okb {
		e.condVals[name] = -1
		return false, false
	}
	if b {
		e.condVals[name] = 1
	} else {
		e.condVals[name] = -1
	}
	return b, true
}

func (e *Evaluator) boolean(fn string, arg *ir.Node, p ir.Pos) (bool, bool) {
	switch fn {
	case "Condition":
		if arg.Kind != ir.String {
			e.errf(p, "Condition takes a condition name")
			return false, false
		}
		return e.CondValue(arg.Text, arg.Pos)
	case "Fn::Equals":
		if arg.Kind != ir.List || len(arg.Items) != 2 {
			e.errf(p, "Fn::Equals takes [value, value]")
			return false, false
		}
		a, b := e.Eval(arg.Items[0]), e.Eval(arg.Items[1])
		// A value known only at deploy time (a resource, an import) is a value, never
		// the empty string: so "is this parameter set?" folds even for wired inputs.
		if (!IsLiteral(a) && isEmptyString(b)) || (!IsLiteral(b) && isEmptyString(a)) {
			return false, true
		}
		if !IsLiteral(a) || !IsLiteral(b) {
			e.errf(p, "Fn::Equals compares a value known only at deploy time; riglet folds every condition at compile time")
			return false, false
		}
		return scalarEqual(a, b), true
	case "Fn::Not":
		if arg.Kind != ir.List || len(arg.Items) != 1 {
			e.errf(p, "Fn::Not takes [condition]")
			return false, false
		}
		b, ok := e.condArg(arg.Items[0])
		return !b, ok
	case "Fn::And", "Fn::Or":
		if arg.Kind != ir.List || len(arg.Items) < 2 || len(arg.Items) > 10 {
			e.errf(p, "%s takes 2 to 10 conditions", fn)
			return false, false
		}
		all := true
		res := fn == "Fn::And"
		for _, it := range arg.Items {
			b, ok := e.condArg(it)
			all = all && ok
			if fn == "Fn::And" {
				res = res && b
			} else {
				res = res || b
			}
		}
		return res, all
	}
	e.errf(p, "%s is not a condition function", fn)
	return false, false
}

func (e *Evaluator) condArg(n *ir.Node) (bool, bool) {
	fn, a, ok := n.Intrinsic()
	if !ok {
		if n.Kind == ir.Bool {
			return n.Text == "true", true
		}
		e.errf(n.Pos, "expected a condition function")
		return false, false
	}
	switch fn {
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition":
		return e.boolean(fn, a, n.Pos)
	}
	e.errf(n.Pos, "expected a condition function, not %s", fn)
	return false, false
}

func scalarEqual(a, b *ir.Node) bool {
	if a.IsScalar() && b.IsScalar() {
		return a.Text == b.Text
	}
	return ir.Equal(a, b)
}

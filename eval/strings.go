package eval

import (
	"strconv"
	"strings"

	"github.com/riglet/riglet/ir"
)

// The string functions: Fn::Sub, Fn::Join, Fn::Select.

// sub folds Fn::Sub. Variables that stay unknown until deploy time keep a ${} in a
// smaller Fn::Sub; everything else is substituted.
func (e *Evaluator) sub(arg *ir.Node, p ir.Pos) *ir.Node {
	var tmpl *ir.Node
	var vars *ir.Node
	switch {
	case arg.Kind == ir.String:
		tmpl = arg
	case arg.Kind == ir.List && len(arg.Items) == 2 && arg.Items[1].Kind == ir.Map:
		tmpl = e.Eval(arg.Items[0])
		vars = arg.Items[1]
	default:
		e.errf(p, "Fn::Sub takes a string, or [string, {variables}]")
		return ir.Fn("Fn::Sub", arg, p)
	}
	if tmpl.Kind != ir.String {
		e.errf(tmpl.Pos, "the template of Fn::Sub must be a string known at compile time")
		return ir.Fn("Fn::Sub", arg, p)
	}
	local := map[string]*ir.Node{}
	if vars != nil {
		for _, v := range vars.Pairs {
			local[v.Key] = e.Eval(v.Value)
		}
	}
	var out strings.Builder
	keep := &ir.Node{Kind: ir.Map, Pos: p} // variables that stay
	opaque := false
	s := tmpl.Text
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			out.WriteString(s)
			break
		}
		out.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			out.WriteString(s[i:])
			break
		}
		name := s[i+2 : i+j]
		s = s[i+j+1:]
		if strings.HasPrefix(name, "!") { // ${!Literal} stays literal
			out.WriteString("${" + name + "}")
			continue
		}
		name = strings.TrimSpace(name)
		var v *ir.Node
		if lv, ok := local[name]; ok {
			v = lv
		} else if strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::") {
			res, attr, _ := strings.Cut(name, ".")
			v = e.getAtt(ir.NewList(tmpl.Pos, ir.Str(res, tmpl.Pos), ir.Str(attr, tmpl.Pos)), tmpl.Pos)
		} else {
			v = e.ref(ir.Str(name, tmpl.Pos), tmpl.Pos)
		}
		switch {
		case v == Removed:
			e.errf(tmpl.Pos, "Fn::Sub variable %s is AWS::NoValue", name)
		case v.IsScalar():
			out.WriteString(escapeSub(v.Text))
		case v.Kind == ir.List && IsLiteral(v):
			e.errf(tmpl.Pos, "Fn::Sub variable %s is a list; join it first", name)
		default:
			opaque = true
			out.WriteString("${" + e.subVar(v, keep) + "}")
		}
	}
	if !opaque {
		return ir.Str(unescapeSub(out.String()), p)
	}
	if len(keep.Pairs) == 0 {
		return ir.Fn("Fn::Sub", ir.Str(out.String(), tmpl.Pos), p)
	}
	return ir.Fn("Fn::Sub", ir.NewList(p, ir.Str(out.String(), tmpl.Pos), keep), p)
}

// subVar names a deploy-time value inside a Fn::Sub: resources and attributes by
// their own syntax, anything else through the variable map.
func (e *Evaluator) subVar(v *ir.Node, keep *ir.Node) string {
	if fn, a, ok := v.Intrinsic(); ok {
		switch {
		case fn == "Ref" && a.Kind == ir.String:
			return a.Text
		case fn == "Fn::GetAtt" && a.Kind == ir.List && len(a.Items) == 2 && a.Items[0].IsScalar() && a.Items[1].IsScalar():
			return a.Items[0].Text + "." + a.Items[1].Text
		}
	}
	for _, p := range keep.Pairs {
		if ir.Equal(p.Value, v) {
			return p.Key
		}
	}
	name := "Var" + strconv.Itoa(len(keep.Pairs)+1)
	keep.Pairs = append(keep.Pairs, ir.Pair{Key: name, KeyPos: v.Pos, Value: v})
	return name
}

// escapeSub protects "${" in substituted text while the result may still be a Fn::Sub;
// unescapeSub undoes it when the result is a plain string.
func escapeSub(s string) string   { return strings.ReplaceAll(s, "${", "${!") }
func unescapeSub(s string) string { return strings.ReplaceAll(s, "${!", "${") }

func (e *Evaluator) join(arg *ir.Node, p ir.Pos) *ir.Node {
	a := e.Eval(arg)
	if a.Kind != ir.List || len(a.Items) != 2 || a.Items[0].Kind != ir.String {
		e.errf(p, "Fn::Join takes [delimiter, [values]]")
		return ir.Fn("Fn::Join", a, p)
	}
	delim, list := a.Items[0].Text, a.Items[1]
	if list.Kind != ir.List {
		if IsLiteral(list) {
			e.errf(list.Pos, "Fn::Join takes a list of values")
		}
		return ir.Fn("Fn::Join", a, p)
	}
	// Merge runs of literal values; fold completely when nothing is left unknown.
	var items []*ir.Node
	var run []string
	flush := func() {
		if run != nil {
			items = append(items, ir.Str(strings.Join(run, delim), p))
			run = nil
		}
	}
	for _, it := range list.Items {
		switch {
		case it.IsScalar():
			run = append(run, it.Text)
		case it.Kind == ir.List:
			e.errf(it.Pos, "Fn::Join cannot join a list inside the list")
		default:
			flush()
			items = append(items, it)
		}
	}
	flush()
	if len(items) == 0 {
		return ir.Str("", p)
	}
	if len(items) == 1 && items[0].Kind == ir.String {
		return items[0]
	}
	return ir.Fn("Fn::Join", ir.NewList(p, ir.Str(delim, p), ir.NewList(list.Pos, items...)), p)
}

func (e *Evaluator) selectFn(arg *ir.Node, p ir.Pos) *ir.Node {
	// Select [i, Split [d, s]] with everything known, the classic way to test list
	// items in Conditions, picks the part without building the list.
	if arg.Kind == ir.List && len(arg.Items) == 2 {
		if fn, sa, ok := arg.Items[1].Intrinsic(); ok && fn == "Fn::Split" && sa.Kind == ir.List && len(sa.Items) == 2 {
			idx, d, str := e.Eval(arg.Items[0]), e.Eval(sa.Items[0]), e.Eval(sa.Items[1])
			if idx.IsScalar() && d.Kind == ir.String && d.Text != "" && str.IsScalar() {
				if i, err := strconv.Atoi(idx.Text); err == nil && i >= 0 {
					rest := str.Text
					for ; i > 0; i-- {
						j := strings.Index(rest, d.Text)
						if j < 0 {
							rest = ""
							i = -1
							break
						}
						rest = rest[j+len(d.Text):]
					}
					if i == 0 {
						if j := strings.Index(rest, d.Text); j >= 0 {
							rest = rest[:j]
						}
						return ir.Str(rest, p)
					}
				}
			}
		}
	}
	before := len(*e.Errs)
	a := e.Eval(arg)
	if len(*e.Errs) > before {
		// the index or the list is wrong (an Fn::Cidr that cannot be cut): that error
		// is the cause, and a second one about the Select would only follow from it
		return ir.Fn("Fn::Select", a, p)
	}
	if a.Kind != ir.List || len(a.Items) != 2 {
		e.errf(p, "Fn::Select takes [index, list]")
		return ir.Fn("Fn::Select", a, p)
	}
	idx := a.Items[0]
	if !idx.IsScalar() {
		return ir.Fn("Fn::Select", a, p)
	}
	i, err := strconv.Atoi(idx.Text)
	if err != nil || i < 0 {
		e.errf(idx.Pos, "Fn::Select index %q is not a whole number", idx.Text)
		return ir.Fn("Fn::Select", a, p)
	}
	list := a.Items[1]
	if list.Kind != ir.List {
		return ir.Fn("Fn::Select", a, p)
	}
	if i >= len(list.Items) {
		e.errf(idx.Pos, "Fn::Select index %d is out of range for a list of %d", i, len(list.Items))
		return ir.Str("", p)
	}
	return list.Items[i]
}

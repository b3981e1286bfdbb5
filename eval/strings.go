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
	// The template is cut into literal text and the variables that stay until deploy
	// time; their names are chosen once every one is known (subNames).
	var out strings.Builder
	var stay []subVar
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
		lv, isLocal := local[name]
		if isLocal {
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
			stay = append(stay, subVar{at: out.Len(), author: name, local: isLocal, value: v})
		}
	}
	if len(stay) == 0 {
		return ir.Str(unescapeSub(out.String()), p)
	}
	text, keep := subNames(out.String(), stay, p)
	if len(keep.Pairs) == 0 {
		return ir.Fn("Fn::Sub", ir.Str(text, tmpl.Pos), p)
	}
	return ir.Fn("Fn::Sub", ir.NewList(p, ir.Str(text, tmpl.Pos), keep), p)
}

// subVar is a variable of a Fn::Sub that stays until deploy time: where it goes in
// the folded text, the name the author wrote, whether the author's variable map
// gave it, and its value.
type subVar struct {
	at     int
	author string
	local  bool
	value  *ir.Node
}

// subNames writes the variables that stay into the folded text, keeping the names
// the author wrote, which reviewers read: a Ref or GetAtt of a resource that the
// template named itself (${Queue}, ${Queue.Arn}) stays in that syntax, renamed as
// the resource is; a variable of the author's map keeps its name; any other value
// (a parameter given an Fn::ImportValue) goes into the map under the name the
// author used for it. A name that would clash (with a resource the text names, or
// with another value) gets a number.
func subNames(text string, vars []subVar, p ir.Pos) (string, *ir.Node) {
	names := make([]string, len(vars))
	taken := map[string]*ir.Node{} // a map key -> its value; nil for a name used inline
	for i, v := range vars {
		if v.local {
			continue
		}
		if n, ok := inlineName(v.value); ok {
			names[i] = n
			taken[n] = nil
		}
	}
	keep := &ir.Node{Kind: ir.Map, Pos: p}
	for i, v := range vars {
		if names[i] != "" {
			continue
		}
		base := strings.ReplaceAll(v.author, ".", "")
		name := base
		for n := 2; ; n++ {
			old, used := taken[name]
			if !used {
				taken[name] = v.value
				keep.Pairs = append(keep.Pairs, ir.Pair{Key: name, KeyPos: v.value.Pos, Value: v.value})
				break
			}
			if old != nil && ir.Equal(old, v.value) {
				break // the same variable again
			}
			name = base + strconv.Itoa(n)
		}
		names[i] = name
	}
	var b strings.Builder
	last := 0
	for i, v := range vars {
		b.WriteString(text[last:v.at])
		b.WriteString("${" + names[i] + "}")
		last = v.at
	}
	b.WriteString(text[last:])
	return b.String(), keep
}

// inlineName is how a Fn::Sub names a deploy-time value by its own syntax: a
// resource (or pseudo-parameter) by its name, an attribute as Resource.Attribute.
func inlineName(v *ir.Node) (string, bool) {
	if fn, a, ok := v.Intrinsic(); ok {
		switch {
		case fn == "Ref" && a.Kind == ir.String:
			return a.Text, true
		case fn == "Fn::GetAtt" && a.Kind == ir.List && len(a.Items) == 2 && a.Items[0].IsScalar() && a.Items[1].IsScalar():
			return a.Items[0].Text + "." + a.Items[1].Text, true
		}
	}
	return "", false
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

package compiler

import (
	"encoding/json"
	"math/big"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/source"
)

// maxForEach bounds what Fn::ForEach may produce in one expansion, so that a block
// cannot expand without bound.
const maxForEach = 10000

// removed stands for AWS::NoValue: the key or item that holds it disappears.
var removed = &ir.Node{Kind: ir.Null, Text: "AWS::NoValue"}

// evaluator folds every intrinsic whose inputs are known at compile time. What depends
// on deployed resources (Ref/GetAtt of resources, ImportValue, AWS::StackId, dynamic
// references) stays, rewritten to the names the output uses.
type evaluator struct {
	env      *envCtx
	stack    string // the stack's CloudFormation name, for AWS::StackName
	names    resolver
	errs     *ir.Errors
	produced int // Fn::ForEach entries produced
	// condition evaluation
	conds     map[string]*ir.Node // condition name -> definition
	condVals  map[string]int8     // 0 unknown, 1 true, -1 false, 2 evaluating
	condition bool                // evaluating a Conditions entry: Fn::Equals etc. allowed
	// output resolves riglet's !Output; only the spec's own values may use it.
	output func(arg *ir.Node, p ir.Pos) *ir.Node
}

// resolver answers what a name means in the scope being evaluated.
type resolver interface {
	// ref resolves Ref name: a value, or nil and false when unknown.
	ref(name string, p ir.Pos) (*ir.Node, bool)
	// getAtt resolves Fn::GetAtt [res, attr].
	getAtt(res, attr string, p ir.Pos) (*ir.Node, bool)
	// names lists what Ref may name, for suggestions.
	refNames() []string
}

// envCtx is what the env fixes for every evaluation.
type envCtx struct {
	name, account, region string
	azs                   []string
}

func (e *evaluator) errf(p ir.Pos, format string, args ...any) {
	e.errs.AddCode(ir.CodeIntrinsic, p, format, args...)
}

// isLiteral reports whether n holds no intrinsic function anywhere.
func isLiteral(n *ir.Node) bool {
	if n == nil {
		return true
	}
	if _, _, ok := n.Intrinsic(); ok {
		return false
	}
	for _, it := range n.Items {
		if !isLiteral(it) {
			return false
		}
	}
	for _, p := range n.Pairs {
		if !isLiteral(p.Value) {
			return false
		}
	}
	return true
}

func (e *evaluator) eval(n *ir.Node) *ir.Node {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case ir.List:
		// Copy only from the first item that changes: a literal subtree comes back as
		// it is, shared, so nothing may change an evaluated tree in place.
		var out *ir.Node
		for i, it := range n.Items {
			v := e.eval(it)
			if out == nil {
				if v == it {
					continue
				}
				out = &ir.Node{Kind: ir.List, Pos: n.Pos, Items: make([]*ir.Node, i, len(n.Items))}
				copy(out.Items, n.Items[:i])
			}
			if v != removed {
				out.Items = append(out.Items, v)
			}
		}
		if out == nil {
			return n
		}
		return out
	case ir.Map:
		if fn, arg, ok := n.Intrinsic(); ok {
			return e.call(fn, arg, n)
		}
		return e.evalMap(n)
	}
	return n
}

func (e *evaluator) evalMap(n *ir.Node) *ir.Node {
	var out *ir.Node
	for i, p := range n.Pairs {
		if out == nil {
			if !strings.HasPrefix(p.Key, "Fn::ForEach::") {
				v := e.eval(p.Value)
				if v == p.Value {
					continue
				}
				out = &ir.Node{Kind: ir.Map, Pos: n.Pos, Pairs: make([]ir.Pair, i, len(n.Pairs))}
				copy(out.Pairs, n.Pairs[:i])
				if v != removed {
					out.Pairs = append(out.Pairs, ir.Pair{Key: p.Key, KeyPos: p.KeyPos, Value: v})
				}
				continue
			}
			out = &ir.Node{Kind: ir.Map, Pos: n.Pos, Pairs: make([]ir.Pair, i, len(n.Pairs))}
			copy(out.Pairs, n.Pairs[:i])
		}
		if strings.HasPrefix(p.Key, "Fn::ForEach::") {
			for _, q := range e.forEach(p) {
				if out.Get(q.Key) != nil {
					e.errf(q.KeyPos, "Fn::ForEach produces the key %s twice", q.Key)
					continue
				}
				out.Pairs = append(out.Pairs, q)
			}
			continue
		}
		v := e.eval(p.Value)
		if v != removed {
			out.Pairs = append(out.Pairs, ir.Pair{Key: p.Key, KeyPos: p.KeyPos, Value: v})
		}
	}
	if out == nil {
		return n
	}
	return out
}

// forEach expands one Fn::ForEach::Name entry into the pairs it produces, evaluated.
func (e *evaluator) forEach(p ir.Pair) []ir.Pair {
	var out []ir.Pair
	for _, q := range e.forEachRaw(p) {
		if v := e.eval(q.Value); v != removed {
			out = append(out, ir.Pair{Key: q.Key, KeyPos: q.KeyPos, Value: v})
		}
	}
	return out
}

// substIdent replaces ${id} with v and &{id} with v stripped to letters and digits.
func substIdent(s, id, v string) string {
	s = strings.ReplaceAll(s, "${"+id+"}", v)
	if strings.Contains(s, "&{"+id+"}") {
		var b strings.Builder
		for _, c := range v {
			if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
				b.WriteRune(c)
			}
		}
		s = strings.ReplaceAll(s, "&{"+id+"}", b.String())
	}
	return s
}

func (e *evaluator) call(fn string, arg *ir.Node, n *ir.Node) *ir.Node {
	p := n.Pos
	switch fn {
	case "Ref":
		return e.ref(arg, p)
	case "Fn::GetAtt":
		return e.getAtt(arg, p)
	case "Fn::Sub":
		return e.sub(arg, p)
	case "Fn::Join":
		return e.join(arg, p)
	case "Fn::Select":
		return e.selectFn(arg, p)
	case "Fn::Split":
		a := e.eval(arg)
		if a.Kind != ir.List || len(a.Items) != 2 || a.Items[0].Kind != ir.String {
			e.errf(p, "Fn::Split takes [delimiter, string]")
			return n
		}
		if a.Items[1].IsScalar() {
			return splitList(a.Items[1].Text, a.Items[0].Text, p)
		}
		return ir.Fn(fn, a, p)
	case "Fn::If":
		return e.ifFn(arg, p)
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition":
		if !e.condition && fn != "Condition" {
			e.errf(p, "%s is only allowed in Conditions", fn)
			return n
		}
		b, ok := e.boolean(fn, arg, p)
		if !ok {
			return ir.Boolean(false, p)
		}
		return ir.Boolean(b, p)
	case "Fn::FindInMap":
		return e.findInMap(arg, p)
	case "Fn::Cidr":
		return e.cidr(arg, p)
	case "Fn::GetAZs":
		a := e.eval(arg)
		if a.IsScalar() && (a.Text == "" || a.Text == e.env.region) {
			l := ir.NewList(p)
			for _, az := range e.env.azs {
				l.Items = append(l.Items, ir.Str(az, p))
			}
			return l
		}
		e.errf(p, "Fn::GetAZs can only name the env's region %s", e.env.region)
		return n
	case "Fn::Length":
		a := e.eval(arg)
		if a.Kind == ir.List {
			return ir.Int(len(a.Items), p)
		}
		if isLiteral(a) {
			e.errf(p, "Fn::Length takes a list")
		} else {
			e.errf(p, "Fn::Length needs a list known at compile time")
		}
		return n
	case "Fn::ToJsonString":
		return e.toJSON(e.eval(arg), p)
	case "Fn::Base64", "Fn::ImportValue", "Fn::GetStackOutput":
		return ir.Fn(fn, e.eval(arg), p)
	case source.OutputFn:
		if e.output == nil {
			e.errf(p, "!Output belongs in a riglet spec; inside a block, take the value as a parameter")
			return ir.Str("", p)
		}
		return e.output(e.eval(arg), p)
	case priorityFn:
		return n
	case "Fn::Transform":
		e.errf(p, "Fn::Transform (macros) cannot be expanded offline")
		return n
	}
	e.errf(p, "unknown function %s", fn)
	return n
}

func (e *evaluator) ref(arg *ir.Node, p ir.Pos) *ir.Node {
	a := e.eval(arg)
	if a.Kind != ir.String {
		e.errf(p, "Ref takes a name")
		return ir.Ref("", p)
	}
	name := a.Text
	switch name {
	case "AWS::NoValue":
		return removed
	case "AWS::Region":
		return ir.Str(e.env.region, p)
	case "AWS::AccountId":
		return ir.Str(e.env.account, p)
	case "AWS::Partition":
		return ir.Str(partition(e.env.region), p)
	case "AWS::URLSuffix":
		if strings.HasPrefix(e.env.region, "cn-") {
			return ir.Str("amazonaws.com.cn", p)
		}
		return ir.Str("amazonaws.com", p)
	case "AWS::StackName":
		return ir.Str(e.stack, p)
	case "AWS::StackId", "AWS::NotificationARNs":
		return ir.Ref(name, p)
	}
	if v, ok := e.names.ref(name, p); ok {
		return v
	}
	e.errf(a.Pos, "Ref to unknown name %s%s", name, didYouMean(name, e.names.refNames()))
	return ir.Ref(name, p)
}

func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

func (e *evaluator) getAtt(arg *ir.Node, p ir.Pos) *ir.Node {
	a := e.eval(arg)
	if a.Kind == ir.String {
		res, attr, _ := strings.Cut(a.Text, ".")
		a = ir.NewList(a.Pos, ir.Str(res, a.Pos), ir.Str(attr, a.Pos))
	}
	if a.Kind != ir.List || len(a.Items) != 2 || a.Items[0].Kind != ir.String || a.Items[1].Kind != ir.String {
		e.errf(p, "Fn::GetAtt takes [Resource, Attribute], both known at compile time")
		return ir.Fn("Fn::GetAtt", a, p)
	}
	if v, ok := e.names.getAtt(a.Items[0].Text, a.Items[1].Text, p); ok {
		return v
	}
	return ir.Fn("Fn::GetAtt", a, p)
}

// sub folds Fn::Sub. Variables that stay unknown until deploy time keep a ${} in a
// smaller Fn::Sub; everything else is substituted.
func (e *evaluator) sub(arg *ir.Node, p ir.Pos) *ir.Node {
	var tmpl *ir.Node
	var vars *ir.Node
	switch {
	case arg.Kind == ir.String:
		tmpl = arg
	case arg.Kind == ir.List && len(arg.Items) == 2 && arg.Items[1].Kind == ir.Map:
		tmpl = e.eval(arg.Items[0])
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
			local[v.Key] = e.eval(v.Value)
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
		case v == removed:
			e.errf(tmpl.Pos, "Fn::Sub variable %s is AWS::NoValue", name)
		case v.IsScalar():
			out.WriteString(escapeSub(v.Text))
		case v.Kind == ir.List && isLiteral(v):
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
func (e *evaluator) subVar(v *ir.Node, keep *ir.Node) string {
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

func (e *evaluator) join(arg *ir.Node, p ir.Pos) *ir.Node {
	a := e.eval(arg)
	if a.Kind != ir.List || len(a.Items) != 2 || a.Items[0].Kind != ir.String {
		e.errf(p, "Fn::Join takes [delimiter, [values]]")
		return ir.Fn("Fn::Join", a, p)
	}
	delim, list := a.Items[0].Text, a.Items[1]
	if list.Kind != ir.List {
		if isLiteral(list) {
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

func (e *evaluator) selectFn(arg *ir.Node, p ir.Pos) *ir.Node {
	// Select [i, Split [d, s]] with everything known, the classic way to test list
	// items in Conditions, picks the part without building the list.
	if arg.Kind == ir.List && len(arg.Items) == 2 {
		if fn, sa, ok := arg.Items[1].Intrinsic(); ok && fn == "Fn::Split" && sa.Kind == ir.List && len(sa.Items) == 2 {
			idx, d, str := e.eval(arg.Items[0]), e.eval(sa.Items[0]), e.eval(sa.Items[1])
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
	a := e.eval(arg)
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

func (e *evaluator) ifFn(arg *ir.Node, p ir.Pos) *ir.Node {
	if arg.Kind != ir.List || len(arg.Items) != 3 || arg.Items[0].Kind != ir.String {
		e.errf(p, "Fn::If takes [Condition, value if true, value if false]")
		return removed
	}
	b, ok := e.condValue(arg.Items[0].Text, arg.Items[0].Pos)
	if !ok {
		return removed
	}
	if b {
		return e.eval(arg.Items[1])
	}
	return e.eval(arg.Items[2])
}

// condValue evaluates a named condition once.
func (e *evaluator) condValue(name string, p ir.Pos) (bool, bool) {
	switch e.condVals[name] {
	case 1:
		return true, true
	case -1:
		return false, true
	case 2:
		e.errf(p, "condition %s depends on itself", name)
		return false, false
	}
	def, ok := e.conds[name]
	if !ok {
		var names []string
		for k := range e.conds {
			names = append(names, k)
		}
		e.errf(p, "unknown condition %s%s", name, didYouMean(name, names))
		return false, false
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

func (e *evaluator) boolean(fn string, arg *ir.Node, p ir.Pos) (bool, bool) {
	switch fn {
	case "Condition":
		if arg.Kind != ir.String {
			e.errf(p, "Condition takes a condition name")
			return false, false
		}
		return e.condValue(arg.Text, arg.Pos)
	case "Fn::Equals":
		if arg.Kind != ir.List || len(arg.Items) != 2 {
			e.errf(p, "Fn::Equals takes [value, value]")
			return false, false
		}
		a, b := e.eval(arg.Items[0]), e.eval(arg.Items[1])
		// A value known only at deploy time (a resource, an import) is a value, never
		// the empty string: so "is this parameter set?" folds even for wired inputs.
		if (!isLiteral(a) && isEmptyString(b)) || (!isLiteral(b) && isEmptyString(a)) {
			return false, true
		}
		if !isLiteral(a) || !isLiteral(b) {
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

func (e *evaluator) condArg(n *ir.Node) (bool, bool) {
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

func (e *evaluator) findInMap(arg *ir.Node, p ir.Pos) *ir.Node {
	a := e.eval(arg)
	if a.Kind != ir.List || len(a.Items) < 3 || len(a.Items) > 4 {
		e.errf(p, "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]")
		return ir.Str("", p)
	}
	var def *ir.Node
	if len(a.Items) == 4 {
		def = a.Items[3].Get("DefaultValue")
	}
	for _, k := range a.Items[:3] {
		if !k.IsScalar() {
			e.errf(k.Pos, "Fn::FindInMap keys must be known at compile time")
			return ir.Str("", p)
		}
	}
	m, ok := e.names.ref("\x00mapping:"+a.Items[0].Text, p)
	if !ok {
		e.errf(a.Items[0].Pos, "unknown mapping %s", a.Items[0].Text)
		return ir.Str("", p)
	}
	v := m.Get(a.Items[1].Text).Get(a.Items[2].Text)
	if v == nil {
		if def != nil {
			return def
		}
		e.errf(p, "mapping %s has no %s.%s", a.Items[0].Text, a.Items[1].Text, a.Items[2].Text)
		return ir.Str("", p)
	}
	return e.eval(v)
}

func (e *evaluator) cidr(arg *ir.Node, p ir.Pos) *ir.Node {
	a := e.eval(arg)
	if a.Kind != ir.List || len(a.Items) != 3 || !isLiteral(a) {
		if isLiteral(a) {
			e.errf(p, "Fn::Cidr takes [ipBlock, count, cidrBits]")
		}
		return ir.Fn("Fn::Cidr", a, p)
	}
	block, err := netip.ParsePrefix(a.Items[0].Text)
	count, err2 := strconv.Atoi(a.Items[1].Text)
	bits, err3 := strconv.Atoi(a.Items[2].Text)
	if err != nil || err2 != nil || err3 != nil || !block.Addr().Is4() {
		e.errf(p, "Fn::Cidr takes [ipBlock, count, cidrBits] with an IPv4 block and two numbers")
		return ir.NewList(p)
	}
	size := 32 - bits
	if count < 1 || count > 256 || bits < 1 || size < block.Bits() || size > 32 {
		e.errf(p, "Fn::Cidr cannot make %d subnets of /%d in %s", count, size, block)
		return ir.NewList(p)
	}
	if count > 1<<(size-block.Bits()) {
		e.errf(p, "Fn::Cidr: %s holds only %d subnets of /%d, not %d", block, 1<<(size-block.Bits()), size, count)
		return ir.NewList(p)
	}
	out := ir.NewList(p)
	base := new(big.Int).SetBytes(block.Masked().Addr().AsSlice())
	step := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	for i := 0; i < count; i++ {
		v := new(big.Int).Add(base, new(big.Int).Mul(step, big.NewInt(int64(i))))
		var b4 [4]byte
		v.FillBytes(b4[:])
		out.Items = append(out.Items, ir.Str(netip.PrefixFrom(netip.AddrFrom4(b4), size).String(), p))
	}
	return out
}

// toJSON folds Fn::ToJsonString; values known only at deploy time are spliced in
// with Fn::Join so the transform can still be dropped.
func (e *evaluator) toJSON(v *ir.Node, p ir.Pos) *ir.Node {
	var parts []*ir.Node
	var cur strings.Builder
	var write func(n *ir.Node)
	write = func(n *ir.Node) {
		switch n.Kind {
		case ir.Null:
			cur.WriteString("null")
		case ir.Bool, ir.Number:
			cur.WriteString(n.Text)
		case ir.String:
			b, _ := json.Marshal(n.Text)
			cur.Write(b)
		case ir.List:
			cur.WriteByte('[')
			for i, it := range n.Items {
				if i > 0 {
					cur.WriteByte(',')
				}
				write(it)
			}
			cur.WriteByte(']')
		case ir.Map:
			if _, _, ok := n.Intrinsic(); ok {
				cur.WriteByte('"')
				parts = append(parts, ir.Str(cur.String(), p), n)
				cur.Reset()
				cur.WriteByte('"')
				return
			}
			cur.WriteByte('{')
			for i, pr := range n.Pairs {
				if i > 0 {
					cur.WriteByte(',')
				}
				b, _ := json.Marshal(pr.Key)
				cur.Write(b)
				cur.WriteByte(':')
				write(pr.Value)
			}
			cur.WriteByte('}')
		}
	}
	write(v)
	if parts == nil {
		return ir.Str(cur.String(), p)
	}
	parts = append(parts, ir.Str(cur.String(), p))
	return ir.Fn("Fn::Join", ir.NewList(p, ir.Str("", p), ir.NewList(p, parts...)), p)
}

func splitList(s, delim string, p ir.Pos) *ir.Node {
	l := ir.NewList(p)
	for _, part := range strings.Split(s, delim) {
		l.Items = append(l.Items, ir.Str(part, p))
	}
	return l
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func isEmptyString(n *ir.Node) bool { return n.Kind == ir.String && n.Text == "" }

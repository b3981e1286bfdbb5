// Package eval folds CloudFormation intrinsics at compile time: every intrinsic whose
// inputs the env and the stack fix (Ref of parameters and pseudo-parameters, Fn::Sub,
// Fn::Join, Fn::Select, Fn::Split, Fn::If and Conditions, Fn::FindInMap, Fn::Cidr,
// Fn::GetAZs, AWS::NoValue, and the AWS::LanguageExtensions functions Fn::ForEach,
// Fn::Length and Fn::ToJsonString). What depends on deployed resources stays, renamed
// by the Scope to the names the output uses.
package eval

import (
	"encoding/json"
	"math/big"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/riglet/riglet/internal/suggest"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/source"
)

// maxForEach bounds what Fn::ForEach may produce in one expansion, so that a block
// cannot expand without bound.
const maxForEach = 10000

// PriorityFn marks a listener rule priority that the compiler's priority pass
// derives; evaluation leaves it in place for that pass.
const PriorityFn = "Riglet::Priority"

// Removed stands for AWS::NoValue: the key or item that holds it disappears.
var Removed = &ir.Node{Kind: ir.Null, Text: "AWS::NoValue"}

// Evaluator folds every intrinsic whose inputs are known at compile time. What depends
// on deployed resources (Ref/GetAtt of resources, ImportValue, AWS::StackId, dynamic
// references) stays, rewritten to the names the output uses.
type Evaluator struct {
	Env   *Env
	Stack string // the stack's CloudFormation name, for AWS::StackName
	Names Scope
	Errs  *ir.Errors
	// Conds are the template's Conditions: name -> definition.
	Conds map[string]*ir.Node
	// Output resolves riglet's !Output; only the spec's own values may use it (nil
	// elsewhere).
	Output func(arg *ir.Node, p ir.Pos) *ir.Node

	produced  int             // Fn::ForEach entries produced
	condVals  map[string]int8 // 0 unknown, 1 true, -1 false, 2 evaluating
	condition bool            // evaluating a Conditions entry: Fn::Equals etc. allowed
}

// New returns an evaluator for one scope of one stack in one env.
func New(env *Env, stack string, names Scope, errs *ir.Errors) *Evaluator {
	return &Evaluator{Env: env, Stack: stack, Names: names, Errs: errs,
		Conds: map[string]*ir.Node{}}
}

// Scope answers what a name means in the scope being evaluated.
type Scope interface {
	// Ref resolves Ref name: a value, or nil and false when unknown.
	Ref(name string, p ir.Pos) (*ir.Node, bool)
	// GetAtt resolves Fn::GetAtt [res, attr].
	GetAtt(res, attr string, p ir.Pos) (*ir.Node, bool)
	// RefNames lists what Ref may name, for suggestions.
	RefNames() []string
}

// Env is what the env fixes for every evaluation.
type Env struct {
	Name, Account, Region string
	AZs                   []string
}

func (e *Evaluator) errf(p ir.Pos, format string, args ...any) {
	e.Errs.AddCode(ir.CodeIntrinsic, p, format, args...)
}

// isLiteral reports whether n holds no intrinsic function anywhere.
func IsLiteral(n *ir.Node) bool {
	if n == nil {
		return true
	}
	if _, _, ok := n.Intrinsic(); ok {
		return false
	}
	for _, it := range n.Items {
		if !IsLiteral(it) {
			return false
		}
	}
	for _, p := range n.Pairs {
		if !IsLiteral(p.Value) {
			return false
		}
	}
	return true
}

func (e *Evaluator) Eval(n *ir.Node) *ir.Node {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case ir.List:
		// Copy only from the first item that changes: a literal subtree comes back as
		// it is, shared, so nothing may change an evaluated tree in place.
		var out *ir.Node
		for i, it := range n.Items {
			if isListForEach(it) {
				if out == nil {
					out = ir.NewListCap(n.Pos, len(n.Items))
					out.Items = append(out.Items, n.Items[:i]...)
				}
				out.Items = e.spliceForEach(out.Items, it.Pairs[0])
				continue
			}
			v := e.Eval(it)
			if out == nil {
				if v == it {
					continue
				}
				out = ir.NewListCap(n.Pos, len(n.Items))
				out.Items = append(out.Items, n.Items[:i]...)
			}
			if v != Removed {
				out.Items = append(out.Items, v)
			}
		}
		if out == nil {
			return n
		}
		return out
	case ir.Map:
		// a map of one Fn::ForEach (a function's Variables) is a loop, not a call
		if fn, arg, ok := n.Intrinsic(); ok && !strings.HasPrefix(fn, "Fn::ForEach::") {
			return e.call(fn, arg, n)
		}
		return e.evalMap(n)
	}
	return n
}

func (e *Evaluator) evalMap(n *ir.Node) *ir.Node {
	var out *ir.Node
	for i, p := range n.Pairs {
		if out == nil {
			if !strings.HasPrefix(p.Key, "Fn::ForEach::") {
				v := e.Eval(p.Value)
				if v == p.Value {
					continue
				}
				out = ir.NewMapCap(n.Pos, len(n.Pairs))
				out.Pairs = append(out.Pairs, n.Pairs[:i]...)
				if v != Removed {
					out.Pairs = append(out.Pairs, ir.Pair{Key: p.Key, KeyPos: p.KeyPos, Value: v})
				}
				continue
			}
			out = ir.NewMapCap(n.Pos, len(n.Pairs))
			out.Pairs = append(out.Pairs, n.Pairs[:i]...)
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
		v := e.Eval(p.Value)
		if v != Removed {
			out.Pairs = append(out.Pairs, ir.Pair{Key: p.Key, KeyPos: p.KeyPos, Value: v})
		}
	}
	if out == nil {
		return n
	}
	return out
}

func (e *Evaluator) call(fn string, arg *ir.Node, n *ir.Node) *ir.Node {
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
		a := e.Eval(arg)
		if a.Kind != ir.List || len(a.Items) != 2 || a.Items[0].Kind != ir.String {
			e.errf(p, "Fn::Split takes [delimiter, string]")
			return n
		}
		if a.Items[1].IsScalar() {
			return SplitList(a.Items[1].Text, a.Items[0].Text, p)
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
		a := e.Eval(arg)
		if a.IsScalar() && (a.Text == "" || a.Text == e.Env.Region) {
			l := ir.NewList(p)
			for _, az := range e.Env.AZs {
				l.Items = append(l.Items, ir.Str(az, p))
			}
			return l
		}
		e.errf(p, "Fn::GetAZs can only name the env's region %s", e.Env.Region)
		return n
	case "Fn::Length":
		a := e.Eval(arg)
		if a.Kind == ir.List {
			return ir.Int(len(a.Items), p)
		}
		if IsLiteral(a) {
			e.errf(p, "Fn::Length takes a list")
		} else {
			e.errf(p, "Fn::Length needs a list known at compile time")
		}
		return n
	case "Fn::ToJsonString":
		return e.toJSON(e.Eval(arg), p)
	case "Fn::Base64", "Fn::ImportValue", "Fn::GetStackOutput":
		return ir.Fn(fn, e.Eval(arg), p)
	case source.OutputFn:
		if e.Output == nil {
			e.errf(p, "!Output belongs in a riglet spec; inside a block, take the value as a parameter")
			return ir.Str("", p)
		}
		return e.Output(e.Eval(arg), p)
	case PriorityFn:
		return n
	case "Fn::Transform":
		e.errf(p, "Fn::Transform (macros) cannot be expanded offline")
		return n
	}
	e.errf(p, "unknown function %s", fn)
	return n
}

func (e *Evaluator) ref(arg *ir.Node, p ir.Pos) *ir.Node {
	a := e.Eval(arg)
	if a.Kind != ir.String {
		e.errf(p, "Ref takes a name")
		return ir.Ref("", p)
	}
	name := a.Text
	switch name {
	case "AWS::NoValue":
		return Removed
	case "AWS::Region":
		return ir.Str(e.Env.Region, p)
	case "AWS::AccountId":
		return ir.Str(e.Env.Account, p)
	case "AWS::Partition":
		return ir.Str(partition(e.Env.Region), p)
	case "AWS::URLSuffix":
		if strings.HasPrefix(e.Env.Region, "cn-") {
			return ir.Str("amazonaws.com.cn", p)
		}
		return ir.Str("amazonaws.com", p)
	case "AWS::StackName":
		return ir.Str(e.Stack, p)
	case "AWS::StackId", "AWS::NotificationARNs":
		return ir.Ref(name, p)
	}
	if v, ok := e.Names.Ref(name, p); ok {
		return v
	}
	e.errf(a.Pos, "Ref to unknown name %s%s", name, suggest.DidYouMean(name, e.Names.RefNames()))
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

func (e *Evaluator) getAtt(arg *ir.Node, p ir.Pos) *ir.Node {
	a := e.Eval(arg)
	if a.Kind == ir.String {
		res, attr, _ := strings.Cut(a.Text, ".")
		a = ir.NewList(a.Pos, ir.Str(res, a.Pos), ir.Str(attr, a.Pos))
	}
	if a.Kind != ir.List || len(a.Items) != 2 || a.Items[0].Kind != ir.String || a.Items[1].Kind != ir.String {
		e.errf(p, "Fn::GetAtt takes [Resource, Attribute], both known at compile time")
		return ir.Fn("Fn::GetAtt", a, p)
	}
	if v, ok := e.Names.GetAtt(a.Items[0].Text, a.Items[1].Text, p); ok {
		return v
	}
	return ir.Fn("Fn::GetAtt", a, p)
}

func (e *Evaluator) findInMap(arg *ir.Node, p ir.Pos) *ir.Node {
	a := e.Eval(arg)
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
	m, ok := e.Names.Ref("\x00mapping:"+a.Items[0].Text, p)
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
	if bm, ok := e.Names.(BoundMappings); ok && bm.Bound(a.Items[0].Text) {
		return v.Clone() // evaluated where it was given, like a parameter's value
	}
	return e.Eval(v)
}

// BoundMappings is a Scope some of whose mappings hold values already evaluated in
// another scope (a map parameter's entries): Fn::FindInMap returns them as they are,
// as Ref returns a parameter's value.
type BoundMappings interface {
	Bound(mapping string) bool
}

func (e *Evaluator) cidr(arg *ir.Node, p ir.Pos) *ir.Node {
	a := e.Eval(arg)
	if a.Kind != ir.List || len(a.Items) != 3 || !IsLiteral(a) {
		if IsLiteral(a) {
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
func (e *Evaluator) toJSON(v *ir.Node, p ir.Pos) *ir.Node {
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

func SplitList(s, delim string, p ir.Pos) *ir.Node {
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

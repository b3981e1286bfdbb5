package lint

import (
	"strings"

	"github.com/riglet/riglet/ir"
)

// pseudo are the pseudo-parameters Ref may name.
var pseudo = map[string]bool{
	"AWS::AccountId": true, "AWS::NotificationARNs": true, "AWS::NoValue": true, "AWS::Partition": true,
	"AWS::Region": true, "AWS::StackId": true, "AWS::StackName": true, "AWS::URLSuffix": true,
}

// ref is one reference from a template value to a logical ID.
type ref struct {
	fn     string // Ref, Fn::GetAtt, Fn::Sub
	target string
	attr   string // GetAtt attribute ("" for Ref; "" for ${X} in Sub)
	at     *ir.Node
}

// refs lists the references below n: Ref, Fn::GetAtt and the ${X} / ${X.Y} of
// Fn::Sub (its own variables and ${!literal} excluded), in the order eachRef visits
// them.
func refs(n *ir.Node) []ref {
	var out []ref
	eachRef(n, func(rf ref) { out = append(out, rf) })
	return out
}

// eachRef calls f with each reference below n, in template order (a Fn::GetAtt's
// computed attribute's references before the Fn::GetAtt, a Fn::Sub's variables'
// before its template's). It collects nothing: the reference rules visit every
// resource of every template, so a slice per resource would be most of what they
// allocate.
func eachRef(n *ir.Node, f func(ref)) {
	if n == nil {
		return
	}
	fn, arg, ok := n.Intrinsic()
	if !ok {
		eachRefBelow(n, f)
		return
	}
	switch fn {
	case "Ref":
		if arg.Kind == ir.String {
			f(ref{fn: fn, target: arg.Text, at: n})
		}
	case "Fn::GetAtt":
		switch {
		case arg.Kind == ir.List && len(arg.Items) == 2 && arg.Items[0].Kind == ir.String:
			attr := ""
			if arg.Items[1].Kind == ir.String {
				attr = arg.Items[1].Text
			} else {
				eachRef(arg.Items[1], f)
				attr = "*"
			}
			f(ref{fn: fn, target: arg.Items[0].Text, attr: attr, at: n})
		case arg.Kind == ir.String:
			res, attr, _ := strings.Cut(arg.Text, ".")
			f(ref{fn: fn, target: res, attr: attr, at: n})
		}
	case "Fn::Sub":
		str, vars := arg, (*ir.Node)(nil)
		if arg.Kind == ir.List && len(arg.Items) == 2 {
			str, vars = arg.Items[0], arg.Items[1]
			for _, p := range vars.Pairs {
				eachRef(p.Value, f)
			}
		}
		if str.Kind == ir.String {
			eachSubVar(str.Text, func(v string) {
				if vars.Get(v) != nil {
					return
				}
				res, attr, dotted := strings.Cut(v, ".")
				if dotted {
					f(ref{fn: "Fn::GetAtt", target: res, attr: attr, at: n})
				} else {
					f(ref{fn: "Ref", target: v, at: n})
				}
			})
		}
	default:
		eachRefBelow(n, f)
	}
}

// eachRefBelow visits n's items and values (ir.Walk's order).
func eachRefBelow(n *ir.Node, f func(ref)) {
	for _, it := range n.Items {
		eachRef(it, f)
	}
	for i := range n.Pairs {
		eachRef(n.Pairs[i].Value, f)
	}
}

// eachSubVar calls f with each variable name of a Fn::Sub template, as ir.SubVars
// lists them ("Queue.Arn", "AWS::Region"; no ${!Literal} escapes, no empty ${}),
// without the slice.
func eachSubVar(s string, f func(string)) {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return
		}
		v := strings.TrimSpace(s[i+2 : i+j])
		s = s[i+j+1:]
		if strings.HasPrefix(v, "!") || v == "" {
			continue
		}
		f(v)
	}
}

// dependsOn returns a resource's DependsOn entries.
func dependsOn(r *Resource) []*ir.Node {
	d := r.Node.Get("DependsOn")
	switch {
	case d == nil:
		return nil
	case d.Kind == ir.String:
		return []*ir.Node{d}
	case d.Kind == ir.List:
		return d.Items
	}
	return nil
}

// isIntrinsic reports whether n is a function call whose value the linter cannot see.
func isIntrinsic(n *ir.Node) bool {
	_, _, ok := n.Intrinsic()
	return ok
}

// isCustom reports whether a type is a custom resource, which has any properties and
// attributes its provider likes.
func isCustom(t string) bool {
	return strings.HasPrefix(t, "Custom::") || t == "AWS::CloudFormation::CustomResource"
}

// memo returns the value of key for the stack, computing it once per lint.
func (s *Stack) memo(key string, f func() any) any {
	if s.cache == nil {
		s.cache = map[string]any{}
	}
	if v, ok := s.cache[key]; ok {
		return v
	}
	v := f()
	s.cache[key] = v
	return v
}

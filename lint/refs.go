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
// Fn::Sub (its own variables and ${!literal} excluded).
func refs(n *ir.Node) []ref {
	var out []ref
	ir.Walk(n, func(m *ir.Node) bool {
		fn, arg, ok := m.Intrinsic()
		if !ok {
			return true
		}
		switch fn {
		case "Ref":
			if arg.Kind == ir.String {
				out = append(out, ref{fn: fn, target: arg.Text, at: m})
			}
			return false
		case "Fn::GetAtt":
			switch {
			case arg.Kind == ir.List && len(arg.Items) == 2 && arg.Items[0].Kind == ir.String:
				attr := ""
				if arg.Items[1].Kind == ir.String {
					attr = arg.Items[1].Text
				} else {
					ir.Walk(arg.Items[1], func(x *ir.Node) bool {
						out = append(out, refs(x)...)
						return false
					})
					attr = "*"
				}
				out = append(out, ref{fn: fn, target: arg.Items[0].Text, attr: attr, at: m})
			case arg.Kind == ir.String:
				res, attr, _ := strings.Cut(arg.Text, ".")
				out = append(out, ref{fn: fn, target: res, attr: attr, at: m})
			}
			return false
		case "Fn::Sub":
			str, vars := arg, (*ir.Node)(nil)
			if arg.Kind == ir.List && len(arg.Items) == 2 {
				str, vars = arg.Items[0], arg.Items[1]
				for _, p := range vars.Pairs {
					out = append(out, refs(p.Value)...)
				}
			}
			if str.Kind == ir.String {
				for _, v := range ir.SubVars(str.Text) {
					if vars.Get(v) != nil {
						continue
					}
					res, attr, dotted := strings.Cut(v, ".")
					if dotted {
						out = append(out, ref{fn: "Fn::GetAtt", target: res, attr: attr, at: m})
					} else {
						out = append(out, ref{fn: "Ref", target: v, at: m})
					}
				}
			}
			return false
		}
		return true
	})
	return out
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

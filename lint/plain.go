package lint

import (
	"strings"

	"github.com/riglet/riglet/eval"
	"github.com/riglet/riglet/ir"
)

// What riglet does not expand in a template: transforms other than
// AWS::LanguageExtensions (whose Fn::ForEach it expands, as the compiler does) and
// registry modules. What they make is not checked (one CFN022 finding says so), and
// the names they make are not missing.

const (
	samTransform      = "AWS::Serverless-2016-10-31"
	languageExtension = "AWS::LanguageExtensions"
)

// transforms returns the names of the template's transforms, in order: a string, a
// list of strings, or AWS::Include's {Name, Parameters} maps.
func transforms(t *ir.Node) []*ir.Node {
	tr := t.Get("Transform")
	if tr == nil {
		return nil
	}
	items := []*ir.Node{tr}
	if tr.Kind == ir.List {
		items = tr.Items
	}
	var out []*ir.Node
	for _, it := range items {
		if it.Kind == ir.Map {
			it = it.Get("Name")
		}
		if it != nil && it.Kind == ir.String {
			out = append(out, it)
		}
	}
	return out
}

// hasTransform reports whether the template names transform name.
func (s *Stack) hasTransform(name string) bool {
	for _, t := range transforms(s.Template) {
		if t.Text == name {
			return true
		}
	}
	return false
}

// isModule reports whether a type is a registry module, which CloudFormation expands
// into the resources of its own template.
func isModule(t string) bool { return strings.HasSuffix(t, "::MODULE") }

// unchecked reports whether resources of type t are left to what riglet does not
// expand: SAM's (under the SAM transform), modules, and CDK's own AWS::CDK::Metadata,
// which CloudFormation accepts outside the registry and which holds only analytics.
func (s *Stack) unchecked(t string) bool {
	return isModule(t) || t == "AWS::CDK::Metadata" ||
		strings.HasPrefix(t, "AWS::Serverless::") && s.hasTransform(samTransform)
}

// madeByExpansion reports whether a name the template refers to may be one that a
// transform or module makes: SAM names what it adds after the resource that makes it
// (MyFunctionRole, MyApiStage) or ServerlessRestApi and ServerlessHttpApi, a module
// prefixes its resources with the module's logical ID.
func (s *Stack) madeByExpansion(name string) bool {
	sam := s.hasTransform(samTransform)
	if sam && strings.HasPrefix(name, "Serverless") {
		return true
	}
	for _, r := range s.Resources {
		if (isModule(r.Type) || sam && strings.HasPrefix(r.Type, "AWS::Serverless::")) && strings.HasPrefix(name, r.ID) {
			return true
		}
	}
	return false
}

// unexpanded is a Fn::ForEach entry of a plain template that could not be expanded
// without deploy-time values.
type unexpanded struct {
	key string
	pos ir.Pos
	why string
}

// expandForEach expands the Fn::ForEach entries of a plain template's Resources,
// Outputs and Conditions with eval, the compiler's one expansion, when the template
// declares AWS::LanguageExtensions (without it, CloudFormation takes the keys as
// they are, and the logical ID rule says what is wrong with them). The collection may
// use parameters' defaults and the Mappings. An entry whose collection is only known
// at deploy time is dropped and returned, so that a finding says it was not checked.
func expandForEach(t *ir.Node) (*ir.Node, []unexpanded) {
	has := false
	for _, tr := range transforms(t) {
		has = has || tr.Text == languageExtension
	}
	if !has {
		return t, nil
	}
	sc := &plainScope{t: t}
	var skipped []unexpanded
	out := &ir.Node{Kind: ir.Map, Pos: t.Pos, Pairs: append([]ir.Pair(nil), t.Pairs...)}
	for i, sec := range out.Pairs {
		if sec.Key != "Resources" && sec.Key != "Outputs" && sec.Key != "Conditions" || sec.Value.Kind != ir.Map || !eval.HasForEach(sec.Value) {
			continue
		}
		exp := &ir.Node{Kind: ir.Map, Pos: sec.Value.Pos}
		for _, p := range sec.Value.Pairs {
			if !strings.HasPrefix(p.Key, "Fn::ForEach::") {
				exp.Pairs = append(exp.Pairs, p)
				continue
			}
			var errs ir.Errors
			ev := eval.New(&eval.Env{}, "", sc, &errs)
			got := ev.ExpandKeys(&ir.Node{Kind: ir.Map, Pos: p.KeyPos, Pairs: []ir.Pair{p}})
			if len(errs) > 0 {
				skipped = append(skipped, unexpanded{key: p.Key, pos: p.KeyPos, why: errs[0].Msg})
				continue
			}
			exp.Pairs = append(exp.Pairs, got.Pairs...)
		}
		out.Pairs[i].Value = exp
	}
	return out, skipped
}

// plainScope is what a plain template's Fn::ForEach collection may name: parameters
// with a default, and mappings. Nothing else is known before deploy time.
type plainScope struct{ t *ir.Node }

func (s *plainScope) Ref(name string, _ ir.Pos) (*ir.Node, bool) {
	if m, ok := strings.CutPrefix(name, "\x00mapping:"); ok {
		v := s.t.Get("Mappings").Get(m)
		return v, v != nil
	}
	d := s.t.Get("Parameters").Get(name).Get("Default")
	return d, d != nil
}

func (s *plainScope) GetAtt(string, string, ir.Pos) (*ir.Node, bool) { return nil, false }

func (s *plainScope) RefNames() []string { return nil }

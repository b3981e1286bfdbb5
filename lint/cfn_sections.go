package lint

import (
	"sort"
	"strconv"
	"strings"

	"github.com/riglet/riglet/internal/suggest"
	"github.com/riglet/riglet/ir"
)

// The cloudformation family's rules on a template's own structure (its sections, a
// resource's attributes, an output's keys) and on what riglet leaves unexpanded.

var (
	templateSections = []string{"AWSTemplateFormatVersion", "Conditions", "Description", "Hooks", "Mappings", "Metadata", "Outputs", "Parameters", "Resources", "Rules", "Transform"}
	resourceKeys     = []string{"Condition", "CreationPolicy", "DeletionPolicy", "DependsOn", "Metadata", "Properties", "Type", "UpdatePolicy", "UpdateReplacePolicy"}
	outputKeys       = []string{"Condition", "Description", "Export", "Value"}
	mapSections      = []string{"Conditions", "Mappings", "Outputs", "Parameters", "Resources"}
)

func init() {
	register(
		&Rule{ID: "CFN022", Name: "not-expanded", Family: "cloudformation", Severity: Info, Scope: ScopeTemplate,
			Title: "a transform, module or Fn::ForEach riglet leaves unexpanded, and unchecked",
			Doc: "riglet expands AWS::LanguageExtensions (Fn::ForEach with a collection known before deploy time: literals, parameter defaults, mappings) " +
				"but not the SAM transform, other transforms and macros, or registry modules (Type: ...::MODULE). Their resources, and the names they add " +
				"(a SAM function's Role, ServerlessRestApi, a module's prefixed resources), are not checked, and said so once, instead of being called unknown. " +
				"AWS::CDK::Metadata, which holds only CDK's analytics, is accepted unchecked without a finding.",
			Bad:  "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn: {Type: AWS::Serverless::Function}\n",
			Good: "Resources:\n  Fn: {Type: AWS::Lambda::Function, Properties: {...}}\n",
			Run:  runNotExpanded},
		&Rule{ID: "CFN023", Name: "unknown-template-key", Family: "cloudformation", Severity: Error, Scope: ScopeTemplate,
			CfnLint: []string{"E1001", "E3001", "E3016", "E6001", "E6002"},
			Title:   "an unknown template section, resource attribute or output key",
			Doc: "A template's top level has fixed sections (Parameters, not Parameter), a resource fixed attributes (Type, Properties, DependsOn, Condition, " +
				"Metadata, DeletionPolicy, UpdateReplacePolicy, CreationPolicy, UpdatePolicy; Version on custom resources) and an output fixed keys (Value, " +
				"Description, Export, Condition). CloudFormation refuses any other; a typo would otherwise drop a whole section silently. " +
				"A resource's Type and Condition must be strings, a registry module takes no CreationPolicy or UpdatePolicy, an output must have a Value and an Export a Name, " +
				"AWSTemplateFormatVersion is 2010-09-09, the sections that hold named entries are maps, and a condition holds no null.",
			Bad:  "Parameter:\n  Env: {Type: String}\n",
			Good: "Parameters:\n  Env: {Type: String}\n",
			Run:  runTemplateKeys},
	)
}

func runNotExpanded(p *Pass) {
	s := p.Stack
	for _, t := range transforms(s.Template) {
		if t.Text == languageExtension {
			continue
		}
		what := "what it makes is"
		if t.Text == samTransform {
			n := 0
			for _, r := range s.Resources {
				if strings.HasPrefix(r.Type, "AWS::Serverless::") {
					n++
				}
			}
			what = "its " + strconv.Itoa(n) + " AWS::Serverless " + plural("resource", "resources", n) + " and what it adds are"
		}
		p.ReportAt(t.Pos, "riglet does not expand the transform %s: %s not checked", t.Text, what)
	}
	var modules []*Resource
	for _, r := range s.Resources {
		if isModule(r.Type) {
			modules = append(modules, r)
		}
	}
	if len(modules) > 0 {
		f := p.Report(modules[0], modules[0].Node.Get("Type"), "riglet does not expand registry modules: %d module %s and the resources %s are not checked",
			len(modules), plural("resource", "resources", len(modules)), plural("it makes", "they make", len(modules)))
		for _, r := range modules[1:] {
			relate(f, r, r.ID)
		}
	}
	for _, u := range s.unexpanded {
		p.ReportAt(u.pos, "%s is not expanded (%s): what it makes is not checked", u.key, u.why)
	}
}

func runTemplateKeys(p *Pass) {
	s := p.Stack
	if s.Template.Kind != ir.Map {
		return
	}
	sections := templateSections
	if s.hasTransform(samTransform) {
		sections = append([]string{"Globals"}, sections...)
	}
	for _, pr := range s.Template.Pairs {
		switch {
		case !contains(sections, pr.Key):
			p.ReportAt(pr.KeyPos, "unknown template section %s%s", pr.Key, didYouMean(pr.Key, sections))
		case pr.Key == "AWSTemplateFormatVersion":
			// The only version there is; YAML may read it as a date, which is the same.
			if pr.Value.Kind == ir.Null || pr.Value.Text != "2010-09-09" {
				p.ReportAt(pr.Value.Pos, "AWSTemplateFormatVersion must be 2010-09-09, not %s", describe(pr.Value))
			}
		case contains(mapSections, pr.Key) && pr.Value.Kind != ir.Map:
			p.ReportAt(pr.Value.Pos, "section %s must be a map, not %s", pr.Key, describe(pr.Value))
		}
	}
	var conds []ir.Pair
	if cs := s.Template.Get("Conditions"); cs != nil {
		conds = cs.Pairs
	}
	for _, c := range conds {
		ir.Walk(c.Value, func(n *ir.Node) bool {
			if n.Kind == ir.Null {
				p.ReportAt(n.Pos, "condition %s holds a null, which is no condition", c.Key)
			}
			return true
		})
	}
	for _, r := range s.Resources {
		if isModule(r.Type) && r.Node.Kind == ir.Map {
			// A module is expanded by CloudFormation, which takes neither policy on it.
			for _, k := range []string{"CreationPolicy", "UpdatePolicy"} {
				if pr := r.Node.Pair(k); pr != nil {
					p.Report(r, &ir.Node{Pos: pr.KeyPos}, "module %s takes no %s", r.ID, k)
				}
			}
		}
		if s.unchecked(r.Type) || r.Node.Kind != ir.Map {
			continue
		}
		for _, pr := range r.Node.Pairs {
			if !contains(resourceKeys, pr.Key) && !(pr.Key == "Version" && isCustom(r.Type)) {
				p.Report(r, &ir.Node{Pos: pr.KeyPos}, "unknown attribute %s of resource %s%s", pr.Key, r.ID, didYouMean(pr.Key, resourceKeys))
			}
		}
		for _, k := range []string{"Type", "Condition"} {
			if v := r.Node.Get(k); v != nil && v.Kind != ir.String {
				p.Report(r, v, "the %s of resource %s must be a string, not %s", k, r.ID, describe(v))
			}
		}
	}
	if s.Outputs == nil {
		return
	}
	for _, op := range s.Outputs.Pairs {
		name, o := op.Key, op.Value
		if o.Kind != ir.Map {
			continue
		}
		for _, pr := range o.Pairs {
			if !contains(outputKeys, pr.Key) {
				p.ReportAt(pr.KeyPos, "unknown key %s of output %s%s", pr.Key, name, didYouMean(pr.Key, outputKeys))
			}
		}
		if o.Get("Value") == nil {
			p.ReportAt(op.KeyPos, "output %s has no Value", name)
		}
		if ex := o.Pair("Export"); ex != nil && ex.Value.Kind == ir.Map && ex.Value.Get("Name") == nil {
			p.ReportAt(ex.KeyPos, "the Export of output %s has no Name", name)
		}
	}
}

// didYouMean suggests the closest of names, ignoring case first ("parameters").
func didYouMean(k string, names []string) string {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	for _, n := range sorted {
		if strings.EqualFold(n, k) {
			return " (did you mean " + strconv.Quote(n) + "?)"
		}
	}
	return suggest.DidYouMean(k, sorted)
}

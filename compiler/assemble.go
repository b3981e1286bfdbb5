package compiler

import (
	"sort"
	"strings"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// assemble builds each stack's template, in deploy order.
func (ec *envCompile) assemble() []*StackResult {
	var stacks []*StackResult
	for _, s := range ec.c.spec.Stacks {
		out := ec.outs[s.Name]
		if out == nil {
			continue
		}
		sr := &StackResult{Name: s.Name, StackName: out.name, Pos: s.Pos, Shared: s.Shared, Origins: out.origins}
		for _, in := range ec.present(s) {
			sr.Instances = append(sr.Instances, in.Name+" ("+in.Block+")")
		}
		for n := range ec.needs[s.Name] {
			if n != s.Name {
				sr.Needs = append(sr.Needs, n)
			}
		}
		sort.Strings(sr.Needs)
		p := s.Pos
		t := ir.NewMap(p)
		t.Set("AWSTemplateFormatVersion", ir.Str("2010-09-09", p))
		t.Set("Description", ir.Str(ec.description(s), p))
		if len(out.params) > 0 {
			params := ir.NewMap(p)
			params.Pairs = out.params
			t.Set("Parameters", params)
			for _, dp := range out.params {
				dep := DeployParam{Name: dp.Key, Required: true}
				if d := dp.Value.Get("Default"); d != nil {
					dep.Default, dep.Required = d.Text, false
				}
				sr.DeployParams = append(sr.DeployParams, dep)
			}
		}
		res := ir.NewMap(p)
		res.Pairs = out.resources
		t.Set("Resources", res)
		if outs := ec.outputs(s); len(outs.Pairs) > 0 {
			t.Set("Outputs", outs)
		}
		sr.Template = t
		sr.Capabilities = capabilities(out.resources)
		// An empty stack after another error (an unknown block, a failed instance) is
		// that error's cascade, not news.
		if len(out.resources) == 0 && len(*ec.errs) == 0 && len(ec.c.errs) == 0 {
			ec.errs.AddCode(ir.CodeEmptyStack, s.Pos, "stack %s has no resources", s.Name)
		}
		stacks = append(stacks, sr)
	}
	return sortStacks(stacks, ec.errs)
}

func (ec *envCompile) description(s *model.Stack) string {
	var parts []string
	for _, in := range ec.present(s) {
		parts = append(parts, in.Name+" ("+in.Block+")")
	}
	where := "env " + ec.label()
	if ec.envName == "" {
		where = "shared"
	}
	return ec.c.spec.Name + " " + s.Name + " stack, " + where + ": " + strings.Join(parts, ", ")
}

// outputs lists every instance output of the stack; those other stacks import get
// an Export.
func (ec *envCompile) outputs(s *model.Stack) *ir.Node {
	outs := ir.NewMap(s.Pos)
	exports := ec.exports[s.Name]
	shared := ec.c.export[ec.envName]
	for _, in := range s.Instances {
		ex := ec.exps[in]
		if ex == nil {
			continue
		}
		for _, name := range ex.order {
			v := ex.outputs[name]
			if v.IsScalar() && v.Text == "" {
				continue // CloudFormation rejects empty output values
			}
			if fn, _, _ := v.Intrinsic(); fn == "Fn::ImportValue" && exports[model.Pascal(in.Name)+name] == nil {
				continue // a pass-through of another stack's export: the modifications read it in memory
			}
			id := model.Pascal(in.Name) + name
			o := ir.NewMap(ex.outPos[name])
			if d := ex.block.Outputs.Get(name).Get("Description"); d != nil && d.IsScalar() {
				o.Set("Description", ir.Str(d.Text, d.Pos))
			}
			o.Set("Value", v)
			exp := exports[id]
			if exp == nil && shared[s.Name+"."+in.Name+"."+name] {
				exp = ir.Str(exportName(ec.outs[s.Name].name, in.Name, name), s.Pos)
			}
			if exp != nil {
				if len(exp.Text) > 255 {
					ec.errs.AddCode(ir.CodeExportName, in.Pos, "export name %s is %d characters; CloudFormation allows 255 (shorten the owner, riglet, stack or instance name)", exp.Text, len(exp.Text))
				}
				o.Set("Export", ir.Fn("Name", exp, exp.Pos))
			}
			outs.Pairs = append(outs.Pairs, ir.Pair{Key: id, KeyPos: ex.outPos[name], Value: o})
		}
	}
	if ec.envName != "" {
		for key := range shared {
			st, rest, _ := strings.Cut(key, ".")
			inst, out, _ := strings.Cut(rest, ".")
			if st == s.Name && outs.Get(model.Pascal(inst)+out) == nil {
				ec.errs.AddCode(ir.CodeWiring, s.Pos, "a shared stack imports %s from env %s, which has no such output", key, ec.envName)
			}
		}
	}
	return outs
}

// namedIAM are the IAM properties that give a resource a custom name, which needs
// CAPABILITY_NAMED_IAM.
var namedIAM = map[string]string{"AWS::IAM::Role": "RoleName", "AWS::IAM::User": "UserName", "AWS::IAM::Group": "GroupName",
	"AWS::IAM::ManagedPolicy": "ManagedPolicyName", "AWS::IAM::InstanceProfile": "InstanceProfileName"}

func capabilities(resources []ir.Pair) []string {
	iam, named := false, false
	for _, r := range resources {
		t := r.Value.Get("Type").Text
		if strings.HasPrefix(t, "AWS::IAM::") {
			iam = true
			if k, ok := namedIAM[t]; ok && r.Value.Get("Properties").Get(k) != nil {
				named = true
			}
		}
	}
	switch {
	case named:
		return []string{"CAPABILITY_NAMED_IAM"}
	case iam:
		return []string{"CAPABILITY_IAM"}
	}
	return nil
}

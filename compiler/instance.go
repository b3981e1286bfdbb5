package compiler

import (
	"strings"

	"github.com/riglet/riglet/eval"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/netplan"
	"github.com/riglet/riglet/source"
)

func subnetOf(plan *netplan.Plan, tier, az string) string {
	for _, s := range plan.Subnets {
		if s.Tier == tier && s.AZ == az {
			return s.CIDR.String()
		}
	}
	return ""
}

// specScope resolves names in the spec's own values: ${Env::Name} and friends.
type specScope struct{ ec *envCompile }

func (s specScope) Ref(name string, p ir.Pos) (*ir.Node, bool) {
	spec := s.ec.c.spec
	vals := map[string]string{"Riglet::Name": spec.Name, "Riglet::Owner": spec.Owner}
	if e := s.ec.env; e != nil && s.ec.envName != "" {
		vals["Env::Name"] = e.Name
		vals["Env::Account"] = e.Account
		vals["Env::Region"] = e.Region
		vals["Env::Domain"] = e.Domain
		vals["Env::Certificate"] = e.Certificate
		vals["Env::AlarmEmail"] = e.Alarms.Email
		if plan := s.ec.c.plans[e.Name]; plan != nil {
			vals["Env::Cidr"] = plan.CIDR.String()
		}
	}
	if v, ok := vals[name]; ok {
		return ir.Str(v, p), true
	}
	// ${Env::<env>::Account}: another env's account, in any stack, for what one account
	// grants another (the pipeline's deploy roles, cross-account image pulls); the env
	// files stay the one place that says which account an env is.
	if rest, ok := strings.CutPrefix(name, "Env::"); ok {
		if envName, field, ok := strings.Cut(rest, "::"); ok && field == "Account" {
			if e := s.ec.c.envs[envName]; e != nil {
				return ir.Str(e.Account, p), true
			}
		}
	}
	return nil, false
}

func (specScope) GetAtt(res, attr string, p ir.Pos) (*ir.Node, bool) { return nil, false }

func (s specScope) RefNames() []string {
	names := []string{"Env::Name", "Env::Account", "Env::Region", "Env::Domain", "Env::Certificate", "Env::AlarmEmail", "Env::Cidr", "Riglet::Name", "Riglet::Owner"}
	for _, e := range s.ec.c.spec.Envs {
		names = append(names, "Env::"+e+"::Account")
	}
	return names
}

// specEvaluator evaluates values written in the spec or env file, for an instance in stack.
func (ec *envCompile) specEvaluator(stack *model.Stack) *eval.Evaluator {
	ev := eval.New(ec.ctx, ec.outs[stack.Name].name, specScope{ec}, ec.errs)
	ev.Output = func(arg *ir.Node, p ir.Pos) *ir.Node { return ec.resolveOutput(stack, arg, p) }
	return ev
}

// resolveOutput turns !Output into the producer's value (same stack) or an import of
// its export (another stack), recording the export and the stack order.
func (ec *envCompile) resolveOutput(consumer *model.Stack, arg *ir.Node, p ir.Pos) *ir.Node {
	if arg.Kind != ir.String {
		ec.errs.AddCode(ir.CodeWiring, p, "!Output takes stack.instance.Output")
		return ir.Str("", p)
	}
	prod, envName, output := ec.findOutput(arg.Text, p, true)
	if envName != "" {
		if !consumer.Shared {
			ec.errs.AddCode(ir.CodeWiring, p, "!Output %s: only shared stacks read another env's outputs", arg.Text)
			return ir.Str("", p)
		}
		if _, ok := ec.c.envs[envName]; !ok {
			ec.errs.AddCode(ir.CodeWiring, p, "!Output %s: unknown env %s%s", arg.Text, envName, didYouMean(envName, ec.c.spec.Envs))
			return ir.Str("", p)
		}
		_, rest, _ := strings.Cut(arg.Text, ":")
		parts := strings.Split(rest, ".")
		if len(parts) != 3 {
			ec.errs.AddCode(ir.CodeWiring, p, "!Output %s: across envs, name the output as env:stack.instance.Output", arg.Text)
			return ir.Str("", p)
		}
		return ir.Fn("Fn::ImportValue", ir.Str(exportName(ec.c.stackName(envName, parts[0]), parts[1], parts[2]), p), p)
	}
	if prod == nil {
		return ir.Str("", p)
	}
	if prod.Stack.Shared && !consumer.Shared {
		ec.errs.AddCode(ir.CodeWiring, p, "!Output %s: a per-env stack cannot read a shared stack's outputs", arg.Text)
		return ir.Str("", p)
	}
	if ec.expsMu != nil {
		ec.expsMu.Lock()
	}
	ex := ec.exps[prod]
	if ec.expsMu != nil {
		ec.expsMu.Unlock()
	}
	if ex == nil {
		return ir.Str("", p) // the producer failed; its errors are reported
	}
	v, ok := ex.outputs[output]
	if !ok {
		ec.errs.AddCode(ir.CodeWiring, p, "!Output %s: block %s has no output %s in env %s%s", arg.Text, prod.Block, output, ec.label(), didYouMean(output, ex.order))
		return ir.Str("", p)
	}
	if prod.Stack == consumer {
		return v.Clone()
	}
	if ec.outs[prod.Stack.Name] == nil {
		ec.errs.AddCode(ir.CodeWiring, p, "!Output %s: stack %s is not compiled with %s", arg.Text, prod.Stack.Name, consumer.Name)
		return ir.Str("", p)
	}
	id := model.Pascal(prod.Name) + output
	name := exportName(ec.outs[prod.Stack.Name].name, prod.Name, output)
	x := exportWrite{stack: prod.Stack.Name, id: id, export: ir.Str(name, p), carries: prod.Stack.Name + "." + prod.Name + "." + output}
	if ec.exportLog != nil {
		*ec.exportLog = append(*ec.exportLog, x) // applied in order once the stacks' alarms are made
	} else {
		ec.setExport(x)
	}
	ec.needs[consumer.Name][prod.Stack.Name] = true
	return ir.Fn("Fn::ImportValue", ir.Str(name, p), p)
}

// exportWrite is an output another stack imports: stack's output id, exported under
// the name export holds, carrying stack.instance.Output.
type exportWrite struct {
	stack, id string
	export    *ir.Node
	carries   string
}

func (ec *envCompile) setExport(x exportWrite) {
	if ec.exports[x.stack] == nil {
		ec.exports[x.stack] = map[string]*ir.Node{}
	}
	ec.exports[x.stack][x.id] = x.export
	ec.exportIDs[x.export.Text] = x.carries
}

func (ec *envCompile) label() string {
	if ec.envName == "" {
		return "shared"
	}
	return ec.envName
}

// expandInstance expands a top-level instance and its modifications.
func (ec *envCompile) expandInstance(in *model.Instance, vals map[string]layered) {
	b, _ := ec.c.lib.Get(in.Block)
	out := ec.outs[in.Stack.Name]
	ev := ec.specEvaluator(in.Stack)
	values := ir.NewMap(in.Pos)
	var origins map[string]ParamOrigin // only plan --explain reads where values came from
	if !ec.c.opts.RenderOnly && !ec.c.opts.NoParamOrigins {
		origins = map[string]ParamOrigin{}
	}
	for _, p := range b.Params {
		if l, ok := vals[p.Name]; ok {
			v := ev.Eval(l.v)
			if v == eval.Removed {
				continue
			}
			values.Pairs = append(values.Pairs, ir.Pair{Key: p.Name, KeyPos: l.pos, Value: v})
			if origins != nil {
				origins[p.Name] = l.origin(p, v)
			}
		} else if p.Default != nil && origins != nil {
			origins[p.Name] = ParamOrigin{Layer: "default", Pos: p.Default.Pos, Value: p.Default}
		}
	}
	for k, l := range vals { // unknown names: let bindParams report them
		if b.Param(k) == nil && l.layer != "env" {
			values.Pairs = append(values.Pairs, ir.Pair{Key: k, KeyPos: l.pos, Value: l.v})
		}
	}
	path := in.Stack.Name + "." + in.Name
	if origins != nil {
		ec.origins[path] = origins
	}
	x := &expander{c: ec.c, env: ec.ctx, out: out, errs: ec.errs, derive: ec.derived, top: in}
	if origins != nil {
		x.origins = ec.origins
	}
	ex := x.expand(b, model.Pascal(in.Name), path, values, in.Pos)
	if ec.expsMu != nil {
		ec.expsMu.Lock()
	}
	ec.exps[in] = ex
	if ec.expsMu != nil {
		ec.expsMu.Unlock()
	}
	// a modification reads the target's outputs and those of the modifications before
	// it in with (sqs-threshold reads autoscale's ScalableTargetId); the target's win
	var avail map[string]*ir.Node
	var availPos map[string]ir.Pos
	if len(in.With) > 0 {
		avail, availPos = make(map[string]*ir.Node, len(ex.outputs)), make(map[string]ir.Pos, len(ex.outputs))
		for k, v := range ex.outputs {
			avail[k], availPos[k] = v, ex.outPos[k]
		}
	}
	for _, m := range requiresFirst(ec.c.lib, in.With) {
		mb, _ := ec.c.lib.Get(m.Block)
		if mb == nil || ec.c.badMods[m] {
			continue
		}
		mvals := ir.NewMap(m.Pos)
		var morigins map[string]ParamOrigin
		if origins != nil {
			morigins = map[string]ParamOrigin{}
		}
		var d decide // what plan --explain shows (nil records nothing)
		if morigins != nil {
			d = decide{}
		}
		set := func(name string, v *ir.Node, layer string, p ir.Pos) {
			mvals.Set(name, v)
			mvals.Pair(name).KeyPos = p
			d.offer(name, v, layer, p)
			if morigins != nil {
				morigins[name] = d[name].origin(mb.Param(name), v)
			}
		}
		for _, p := range mb.Params {
			if v, ok := avail[p.Name]; ok {
				set(p.Name, v.Clone(), "target", availPos[p.Name])
			}
			if ec.env != nil {
				if v := ec.env.Params.Get(p.Name); v != nil {
					set(p.Name, ev.Eval(v), "env", v.Pos)
				}
			}
		}
		if m.Params != nil {
			for _, pr := range m.Params.Pairs {
				if mb.Param(pr.Key) == nil {
					mvals.Pairs = append(mvals.Pairs, pr)
					continue
				}
				set(pr.Key, ev.Eval(pr.Value), "instance", pr.KeyPos)
			}
		}
		mpath := path + "+" + m.Block
		if morigins != nil {
			ec.origins[mpath] = morigins
		}
		mex := x.expand(mb, model.Pascal(in.Name)+model.Pascal(m.Block), mpath, mvals, m.Pos)
		for _, k := range mex.order {
			if _, taken := avail[k]; !taken {
				avail[k], availPos[k] = mex.outputs[k], mex.outPos[k]
			}
		}
	}
	_ = source.OutputFn
}

// requiresFirst orders modifications so that each comes after those it requires
// (sqs-threshold after autoscale), keeping the spec's order otherwise.
func requiresFirst(lib *model.Library, with []*model.Modification) []*model.Modification {
	byName := map[string]*model.Modification{}
	for _, m := range with {
		byName[m.Block] = m
	}
	var out []*model.Modification
	done := map[string]bool{}
	var visit func(m *model.Modification, depth int)
	visit = func(m *model.Modification, depth int) {
		if done[m.Block] || depth > len(with) {
			return
		}
		done[m.Block] = true
		if b, _ := lib.Get(m.Block); b != nil {
			for _, r := range b.Requires {
				if dep, ok := byName[r]; ok {
					visit(dep, depth+1)
				}
			}
		}
		out = append(out, m)
	}
	for _, m := range with {
		visit(m, 0)
	}
	return out
}

package compiler

import (
	"strconv"
	"strings"

	"github.com/riglet/riglet/alarms"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// AlarmRow is one catalogue alarm in an env, for the plan.
type AlarmRow struct {
	Stack     string
	Resource  string // logical ID of the watched resource
	Instance  string // instance path that made the resource
	Alarm     string // catalogue entry name
	Threshold string
	From      string // catalogue, env, instance
	Critical  bool
	Metrics   int // metrics billed
	Disabled  string
}

const alarmType = "AWS::CloudWatch::Alarm"

// addAlarms applies the catalogue to every resource of the env's stacks.
func (ec *envCompile) addAlarms() []AlarmRow {
	if ec.env == nil {
		return nil
	}
	cat := ec.c.catalogue()
	if cat == nil {
		return nil
	}
	ec.checkAlarmNames(cat)
	if ec.env.Alarms.Profile == "none" {
		return nil
	}
	dlqs := ec.deadLetterQueues()
	var stacks []*model.Stack
	for _, s := range ec.c.spec.Stacks {
		if ec.outs[s.Name] != nil {
			stacks = append(stacks, s)
		}
	}
	// Each stack's alarms read that stack's resources, the env's expansions and the
	// export names expansion recorded, and write only that stack: the stacks are
	// shared out to the idle cores (helpWith). What they would write beside their
	// stack, the problems, their blame and the exports the alarm actions and load
	// balancer dimensions import, is kept per stack and applied here in spec order,
	// as one loop over the stacks would have: the same rows, problems and exports.
	lanes := make([]alarmLane, len(stacks))
	ec.opsTopic(cat) // before the workers copy ec
	ec.c.helpWith(len(stacks), func() func(int) {
		w := *ec
		w.consts = nil // each worker's own cache of shared nodes
		return func(i int) {
			l := &lanes[i]
			w.errs, w.blamed, w.exportLog = &l.errs, nil, &l.exports
			l.rows = w.stackAlarms(cat, stacks[i], dlqs)
			l.blamed = w.blamed
		}
	})
	var rows []AlarmRow
	for i := range lanes {
		l := &lanes[i]
		rows = append(rows, l.rows...)
		*ec.errs = append(*ec.errs, l.errs...)
		for e, s := range l.blamed {
			ec.blameStack(e, s)
		}
		for _, x := range l.exports {
			ec.setExport(x)
		}
	}
	return rows
}

// alarmLane is what one stack's alarms make beside the stack's own resources.
type alarmLane struct {
	rows    []AlarmRow
	errs    ir.Errors
	blamed  map[*ir.Error]string
	exports []exportWrite
}

// stackAlarms applies the catalogue to every resource of stack s.
func (ec *envCompile) stackAlarms(cat *alarms.Catalogue, s *model.Stack, dlqs map[string]bool) []AlarmRow {
	ec.balancers = map[string]*ir.Node{}
	var rows []AlarmRow
	out := ec.outs[s.Name]
	resources := append([]ir.Pair(nil), out.resources...)
	var actions *ir.Node
	for _, r := range resources {
		typ := r.Value.Get("Type").Text
		for _, e := range cat.ForType(typ) {
			if ec.env.Alarms.Profile == "critical" && !e.Critical {
				continue
			}
			if !ec.alarmApplies(e, s.Name, r, dlqs) {
				continue
			}
			row, alarm := ec.alarm(cat, e, s, r)
			if row == nil {
				continue
			}
			rows = append(rows, *row)
			if alarm == nil {
				continue
			}
			if actions == nil {
				actions = ec.alarmActions(cat, s)
			}
			if actions != nil {
				props := alarm.Get("Properties")
				// one list serves both: output trees are never changed in place
				list := ir.NewList(e.Pos, actions)
				props.Set("AlarmActions", list)
				props.Set("OKActions", list)
			}
			o := &Origin{Instance: row.Instance, Block: "alarm catalogue", Pos: e.Pos, Builtin: ec.c.lib.IsBuiltin(e.Pos.File.String())}
			if ro := out.origins[r.Key]; ro != nil {
				o.Chain, o.Top = ro.Chain, ro.Top
			}
			out.addResource(r.Key+e.Name, alarm, o, ec.errs)
		}
	}
	return rows
}

// catalogue is the library's alarm catalogue, loaded once per compile (before the
// envs compile in parallel): nil when there is none or it does not load, which is
// reported once.
func (c *compilation) catalogue() *alarms.Catalogue {
	c.catLoaded.Do(func() {
		cat, err := c.lib.Catalogue()
		if err != nil {
			c.errs.Merge(err)
			return
		}
		c.cat = cat
	})
	return c.cat
}

// alarmActions is the ops topic, wired into stack s like any output.
func (ec *envCompile) alarmActions(cat *alarms.Catalogue, s *model.Stack) *ir.Node {
	ref := ec.opsTopic(cat)
	if ref == "" {
		return nil
	}
	return ec.resolveOutput(s, ir.Str(ref, cat.ActPos), cat.ActPos)
}

// opsTopic is the env's output the alarms act on (stack.instance.Output), or "" when
// the catalogue names none or the env has no or several instances of its block:
// found once per env, not once per stack.
func (ec *envCompile) opsTopic(cat *alarms.Catalogue) string {
	if ec.opsTopicRef != nil {
		return *ec.opsTopicRef
	}
	ref := ""
	if blk, out, ok := strings.Cut(cat.Actions, "."); ok {
		var found []*model.Instance
		for _, in := range ec.instances {
			if in.Block == blk && !in.Stack.Shared {
				found = append(found, in)
			}
		}
		if len(found) == 1 { // else the linter reports alarms without actions
			p := found[0]
			ref = p.Stack.Name + "." + p.Name + "." + out
		}
	}
	ec.opsTopicRef = &ref
	return ref
}

// alarm builds one alarm for resource r, or reports why it cannot.
func (ec *envCompile) alarm(cat *alarms.Catalogue, e *alarms.Entry, s *model.Stack, r ir.Pair) (*AlarmRow, *ir.Node) {
	path := ""
	o := ec.outs[s.Name].origins[r.Key]
	if o != nil {
		path = o.Instance
	}
	row := &AlarmRow{Stack: s.Name, Resource: r.Key, Instance: path, Alarm: e.Name, From: "catalogue", Critical: e.Critical, Metrics: e.Metrics()}
	threshold := e.Threshold
	// env-wide, then per instance (keyed by the resource's name inside the instance)
	if v := ec.env.Alarms.Thresholds.Get(e.Name); v != nil {
		threshold, row.From = v, "env"
	}
	inst, rel := instanceOf(o, r.Key)
	if inst != nil {
		if v := inst.Alarms.Get(rel).Get(e.Name); v != nil {
			threshold, row.From = v, "instance"
		}
	}
	if threshold != nil && threshold.Kind == ir.Map && threshold.Get("disabled") != nil {
		reason := threshold.Get("disabled")
		if strings.TrimSpace(reason.Text) == "" || reason.Kind != ir.String {
			ec.addAbout(s.Name, r.Key, ir.Errorf(ir.CodeAlarm, reason.Pos, "turning off alarm %s needs a reason: {disabled: \"why\"}", e.Name))
		}
		row.Disabled = reason.Text
		row.Threshold = "off"
		return row, nil
	}
	if threshold == nil {
		if e.Optional {
			return nil, nil
		}
		at := s.Pos
		if inst != nil {
			at = inst.Pos
		}
		if inst == nil {
			at, _ = ec.place(s.Name, r.Key, r.KeyPos)
		}
		err := ir.Errorf(ir.CodeAlarm, at, "alarm %s of %s (%s) needs a threshold: %s; set alarms: {%s: {%s: N}} on the instance or alarms.thresholds.%s in %s",
			e.Name, r.Key, e.Description, "the catalogue gives none on purpose", rel, e.Name, e.Name, ec.env.File)
		err.Related = []ir.Related{{Pos: e.Pos, Msg: "catalogue entry " + e.Name}}
		if o := ec.outs[s.Name].origins[r.Key]; o != nil {
			err.Related = append(err.Related, o.Related()...)
		}
		ec.errs.Add(err)
		return nil, nil
	}
	props := r.Value.Get("Properties")
	if threshold.Kind == ir.Map {
		if threshold.Get("Riglet::Value").Text == "timeout-ms-90" {
			timeout := 3.0
			if t := props.Get("Timeout"); t != nil {
				if f, err := strconv.ParseFloat(t.Text, 64); err == nil {
					timeout = f
				}
			}
			threshold = &ir.Node{Kind: ir.Number, Text: strconv.FormatFloat(timeout*900, 'f', -1, 64), Pos: e.Pos}
		} else {
			ec.addAbout(s.Name, r.Key, ir.Errorf(ir.CodeAlarm, threshold.Pos, "alarm %s: a threshold is a number or {disabled: reason}", e.Name))
			return nil, nil
		}
	}
	if _, err := strconv.ParseFloat(threshold.Text, 64); err != nil || !threshold.IsScalar() {
		ec.addAbout(s.Name, r.Key, ir.Errorf(ir.CodeAlarm, threshold.Pos, "alarm %s: threshold %q is not a number", e.Name, threshold.Text))
		return nil, nil
	}
	row.Threshold = threshold.Text
	p := e.Pos
	// room for every property set below, and no more: thousands of alarms
	room := 14
	if e.Math != nil {
		room = 10
	}
	a := ir.NewMapCap(p, room)
	a.Set("AlarmName", ir.Str(truncate(ec.outs[s.Name].name+"-"+r.Key+"-"+e.Name, 255), p))
	k := ec.alarmConsts(e)
	a.Set("AlarmDescription", k.description(e, row.From))
	if e.Math != nil {
		metrics := ir.NewList(p)
		var ids []string
		for i, op := range e.Math.Operations {
			id := "m" + strconv.Itoa(i+1)
			ids = append(ids, id)
			dims := ec.dimensions(e.Math.Dimensions, 1, s, r, p)
			if dims == nil {
				return nil, nil
			}
			dims.Items = append(dims.Items, dim("Operation", ir.Str(op, p), p))
			metric := ir.NewMap(p)
			metric.Set("Namespace", ir.Str(e.Math.Namespace, p))
			metric.Set("MetricName", ir.Str(e.Math.Metric, p))
			metric.Set("Dimensions", dims)
			stat := ir.NewMap(p)
			stat.Set("Metric", metric)
			stat.Set("Period", ir.Int(e.Period, p))
			stat.Set("Stat", ir.Str(e.Math.Statistic, p))
			m := ir.NewMap(p)
			m.Set("Id", ir.Str(id, p))
			m.Set("MetricStat", stat)
			m.Set("ReturnData", ir.Boolean(false, p))
			metrics.Items = append(metrics.Items, m)
		}
		expr := ir.NewMap(p)
		expr.Set("Id", ir.Str("e1", p))
		expr.Set("Expression", ir.Str(strings.Replace(e.Math.Expression, "METRICS()", "["+strings.Join(ids, ",")+"]", 1), p))
		expr.Set("Label", ir.Str(e.Name, p))
		expr.Set("ReturnData", ir.Boolean(true, p))
		metrics.Items = append(metrics.Items, expr)
		a.Set("Metrics", metrics)
	} else {
		a.Set("Namespace", k.namespace)
		a.Set("MetricName", k.metric)
		dims := ec.dimensions(e.Dimensions, 0, s, r, p)
		if dims == nil {
			return nil, nil
		}
		a.Set("Dimensions", dims)
		a.Set(k.statKey, k.stat)
		a.Set("Period", k.period)
	}
	a.Set("EvaluationPeriods", k.evaluation)
	if e.Datapoints > 0 {
		a.Set("DatapointsToAlarm", k.datapoints)
	}
	a.Set("ComparisonOperator", k.comparison)
	a.Set("Threshold", &ir.Node{Kind: ir.Number, Text: threshold.Text, Pos: threshold.Pos})
	a.Set("TreatMissingData", k.missing)
	res := ir.NewMapCap(p, 3)
	res.Set("Type", k.typ)
	md := ir.NewMapCap(p, 1)
	tag := ir.NewMapCap(p, 3)
	tag.Set("source", k.source)
	tag.Set("instance", ir.Str(path, p))
	tag.Set("alarm", k.name)
	md.Set("riglet", tag)
	res.Set("Metadata", md)
	res.Set("Properties", a)
	return row, res
}

func dim(name string, v *ir.Node, p ir.Pos) *ir.Node {
	d := ir.NewMapCap(p, 2)
	d.Set("Name", ir.Str(name, p))
	d.Set("Value", v)
	return d
}

// dimensions instantiates a catalogue dimension list for resource r, with room for
// more dimensions after.
func (ec *envCompile) dimensions(ds []alarms.Dimension, more int, s *model.Stack, r ir.Pair, p ir.Pos) *ir.Node {
	out := ir.NewListCap(p, len(ds)+more)
	for _, d := range ds {
		v := ec.dimensionValue(d.Value, s, r, p)
		if v == nil {
			return nil
		}
		out.Items = append(out.Items, dim(d.Name, v, p))
	}
	return out
}

func (ec *envCompile) dimensionValue(v *ir.Node, s *model.Stack, r ir.Pair, p ir.Pos) *ir.Node {
	if fn, a, ok := v.Intrinsic(); ok && fn == "Riglet::Value" {
		switch {
		case a.Text == "account":
			return ir.Str(ec.env.Account, p)
		case a.Text == "load-balancer":
			// Found once per target group, however many alarms it has: a search of
			// the stack's listeners, and one subtree the alarms share (output trees
			// are never changed in place).
			lb, ok := ec.balancers[r.Key]
			if !ok {
				lb = ec.loadBalancerOf(s, r)
				ec.balancers[r.Key] = lb
			}
			return lb
		case a.Text == "cluster-name":
			return ec.clusterName(s.Name, r, p)
		case strings.HasPrefix(a.Text, "property:"):
			pv := r.Value.Get("Properties").Get(strings.TrimPrefix(a.Text, "property:"))
			if pv == nil {
				ec.addAbout(s.Name, r.Key, ir.Errorf(ir.CodeAlarm, r.KeyPos, "%s has no %s, which its alarm dimensions need", r.Key, strings.TrimPrefix(a.Text, "property:")))
				return nil
			}
			return pv.Clone()
		}
		ec.addAbout(s.Name, r.Key, ir.Errorf(ir.CodeAlarm, a.Pos, "unknown Riglet::Value %q", a.Text))
		return nil
	}
	return substResource(v, r.Key)
}

// substResource replaces ${Resource} in every string of n.
func substResource(n *ir.Node, id string) *ir.Node {
	c := n.Clone()
	ir.Walk(c, func(m *ir.Node) bool {
		if m.Kind == ir.String {
			m.Text = strings.ReplaceAll(m.Text, "${Resource}", id)
		}
		return true
	})
	return c
}

// loadBalancerOf finds the full name of the load balancer a target group serves:
// through the listener rules (or listener default actions) that forward to it.
func (ec *envCompile) loadBalancerOf(s *model.Stack, tg ir.Pair) *ir.Node {
	out := ec.outs[s.Name]
	forwardsTo := func(actions *ir.Node) bool {
		found := false
		ir.Walk(actions, func(m *ir.Node) bool {
			if fn, a, ok := m.Intrinsic(); ok && fn == "Ref" && a.Text == tg.Key {
				found = true
			}
			return !found
		})
		return found
	}
	var foreign *ir.Node // a listener riglet does not own that forwards to tg
	for _, r := range out.resources {
		t := r.Value.Get("Type").Text
		props := r.Value.Get("Properties")
		var listener *ir.Node
		switch {
		case t == listenerRuleType && forwardsTo(props.Get("Actions")):
			listener = props.Get("ListenerArn")
		case t == "AWS::ElasticLoadBalancingV2::Listener" && forwardsTo(props.Get("DefaultActions")):
			listener = ir.Ref(r.Key, r.KeyPos)
		default:
			continue
		}
		if listener != nil && listener.Kind == ir.String && foreign == nil {
			foreign = listener
		}
		if fn, a, ok := listener.Intrinsic(); ok {
			switch fn {
			case "Fn::ImportValue":
				id, ok := ec.exportIDs[a.Text]
				if !ok {
					if foreign == nil {
						foreign = listener
					}
					break
				}
				prod := id[:strings.LastIndexByte(id, '.')]
				return ec.resolveOutput(s, ir.Str(prod+".LoadBalancerFullName", tg.KeyPos), tg.KeyPos)
			case "Ref":
				for _, l := range out.resources {
					if l.Key == a.Text {
						if fn2, lb, ok := l.Value.Get("Properties").Get("LoadBalancerArn").Intrinsic(); ok && fn2 == "Ref" {
							return ir.GetAtt(lb.Text, "LoadBalancerFullName", tg.KeyPos)
						}
					}
				}
			}
		}
	}
	// A listener riglet does not own (a literal ARN, an import) says nothing of its load
	// balancer: the instance's LoadBalancerFullName output, where it passes one, does.
	if inst, _ := instanceOf(out.origins[tg.Key], tg.Key); inst != nil {
		if ex := ec.exps[inst]; ex != nil {
			if v := ex.outputs["LoadBalancerFullName"]; v != nil && !(v.IsScalar() && v.Text == "") {
				return v.Clone()
			}
		}
	}
	if v := loadBalancerOfListener(foreign, tg.KeyPos); v != nil {
		return v
	}
	ec.addAbout(s.Name, tg.Key, ir.Errorf(ir.CodeAlarm, tg.KeyPos, "target group %s: riglet cannot tell which load balancer it serves, which its alarms need (the LoadBalancer dimension); forward to it from a listener rule or listener, or pass LoadBalancerFullName", tg.Key))
	return nil
}

// loadBalancerOfListener reads a load balancer's full name (app/name/id) out of the
// ARN of one of its listeners (arn:...:listener/app/name/id/listener-id): at compile
// time for a literal ARN, at deploy time (Fn::Split and Fn::Select) for an import
// from outside the riglet. nil for anything else (a dynamic reference resolves only
// where it stands whole).
func loadBalancerOfListener(l *ir.Node, p ir.Pos) *ir.Node {
	switch {
	case l == nil:
		return nil
	case l.Kind == ir.String:
		_, rest, ok := strings.Cut(l.Text, ":listener/")
		parts := strings.Split(rest, "/")
		if !ok || len(parts) != 4 || strings.HasPrefix(l.Text, "{{") {
			return nil
		}
		return ir.Str(strings.Join(parts[:3], "/"), p)
	}
	if fn, _, ok := l.Intrinsic(); !ok || fn != "Fn::ImportValue" {
		return nil
	}
	part := func(i int) *ir.Node {
		return ir.Fn("Fn::Select", ir.NewList(p, ir.Int(i, p), ir.Fn("Fn::Split", ir.NewList(p, ir.Str("/", p), l.Clone()), p)), p)
	}
	return ir.Fn("Fn::Join", ir.NewList(p, ir.Str("/", p), ir.NewList(p, part(1), part(2), part(3))), p)
}

// instanceOf finds the spec instance that made a resource, and the resource's name
// inside it.
func instanceOf(o *Origin, logicalID string) (*model.Instance, string) {
	if o == nil || o.Top == nil {
		return nil, logicalID
	}
	return o.Top, strings.TrimPrefix(logicalID, model.Pascal(o.Top.Name))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// alarmConst holds the nodes every alarm of one catalogue entry shares: evaluated
// trees are never changed in place, so one node can stand in many alarms.
type alarmConst struct {
	namespace, metric, stat, period, evaluation, datapoints, comparison, missing *ir.Node
	statKey                                                                      string
	// typ, source and name are the resource's Type and its Metadata's source and
	// alarm; described is the AlarmDescription by where the threshold came from (3 x
	// 800 services make 14,000 alarms: 8 MB of these nodes).
	typ, source, name *ir.Node
	described         map[string]*ir.Node
}

// description is the AlarmDescription of an alarm whose threshold came from.
func (k *alarmConst) description(e *alarms.Entry, from string) *ir.Node {
	if d, ok := k.described[from]; ok {
		return d
	}
	d := ir.Str(e.Description+" (riglet alarm catalogue: "+e.Name+", threshold from "+from+")", e.Pos)
	k.described[from] = d
	return d
}

func (ec *envCompile) alarmConsts(e *alarms.Entry) *alarmConst {
	if k, ok := ec.consts[e]; ok {
		return k
	}
	p := e.Pos
	k := &alarmConst{namespace: ir.Str(e.Namespace, p), metric: ir.Str(e.Metric, p), period: ir.Int(e.Period, p),
		evaluation: ir.Int(e.Evaluation, p), datapoints: ir.Int(e.Datapoints, p), comparison: ir.Str(e.Comparison, p),
		missing: ir.Str(e.Missing, p), statKey: "Statistic", stat: ir.Str(e.Statistic, p),
		typ: ir.Str(alarmType, p), source: ir.Str(ir.Pos{File: p.File, Line: p.Line}.String(), p), name: ir.Str(e.Name, p),
		described: map[string]*ir.Node{}}
	if e.Extended != "" {
		k.statKey, k.stat = "ExtendedStatistic", ir.Str(e.Extended, p)
	}
	if ec.consts == nil {
		ec.consts = map[*alarms.Entry]*alarmConst{}
	}
	ec.consts[e] = k
	return k
}

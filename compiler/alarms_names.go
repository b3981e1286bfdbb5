package compiler

import (
	"sort"
	"strings"

	"github.com/riglet/riglet/alarms"
	"github.com/riglet/riglet/ir"
)

// checkAlarmNames refuses threshold settings that name nothing: an env's
// alarms.thresholds key that is no catalogue alarm, an instance's alarms key that is
// no resource of the instance, and an alarm the catalogue does not give that
// resource's type. Ignored, a typo would leave the default in force unseen.
func (ec *envCompile) checkAlarmNames(cat *alarms.Catalogue) {
	if th := ec.env.Alarms.Thresholds; th != nil && th.Kind == ir.Map {
		for _, p := range th.Pairs {
			if cat.Entry(p.Key) == nil {
				ec.errs.AddCode(ir.CodeAlarm, p.KeyPos, "alarms.thresholds: no catalogue alarm is called %s%s", p.Key, didYouMean(p.Key, cat.Names()))
			}
		}
	}
	// the resources of each instance, by their name inside it, with their types
	types := map[string]map[string]string{}
	for _, s := range ec.c.spec.Stacks {
		out := ec.outs[s.Name]
		if out == nil {
			continue
		}
		for _, r := range out.resources {
			inst, rel := instanceOf(out.origins[r.Key], r.Key)
			if inst == nil {
				continue
			}
			k := inst.Stack.Name + "." + inst.Name
			if types[k] == nil {
				types[k] = map[string]string{}
			}
			types[k][rel] = r.Value.Get("Type").Text
		}
	}
	for _, in := range ec.instances {
		if in.Alarms == nil || in.Alarms.Kind != ir.Map || ec.exps[in] == nil || ec.failed[in] {
			continue // absent from this env, or failed: nothing to check against
		}
		rs := types[in.Stack.Name+"."+in.Name]
		var alarmable []string
		for rel, t := range rs {
			if len(cat.ForType(t)) > 0 {
				alarmable = append(alarmable, rel)
			}
		}
		sort.Strings(alarmable)
		for _, p := range in.Alarms.Pairs {
			t, ok := rs[p.Key]
			if !ok {
				ec.errs.AddCode(ir.CodeAlarm, p.KeyPos, "alarms: instance %s has no resource %s%s", in.Name, p.Key, orList(p.Key, alarmable, "its alarmable resources"))
				continue
			}
			entries := cat.ForType(t)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name)
			}
			if p.Value.Kind != ir.Map {
				ec.errs.AddCode(ir.CodeAlarm, p.Value.Pos, "alarms: %s maps alarm names to thresholds", p.Key)
				continue
			}
			for _, a := range p.Value.Pairs {
				if contains(names, a.Key) {
					continue
				}
				if e := cat.Entry(a.Key); e != nil {
					ec.errs.AddCode(ir.CodeAlarm, a.KeyPos, "alarms: %s is an alarm of %s; %s is %s%s", a.Key, e.Type, p.Key, t, orList(a.Key, names, "its alarms"))
					continue
				}
				ec.errs.AddCode(ir.CodeAlarm, a.KeyPos, "alarms: %s (%s) has no catalogue alarm %s%s", p.Key, t, a.Key, orList(a.Key, names, "its alarms"))
			}
		}
	}
}

// orList is the "did you mean" of s among the candidates, or else the candidates
// themselves, so that the message always says what would be right.
func orList(s string, candidates []string, what string) string {
	if d := didYouMean(s, candidates); d != "" {
		return d
	}
	if len(candidates) == 0 {
		return "; it has none"
	}
	return "; " + what + ": " + strings.Join(candidates, ", ")
}

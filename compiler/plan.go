package compiler

import (
	"math"
	"sort"
	"strings"

	"github.com/riglet/riglet/alarms"
	"github.com/riglet/riglet/emit"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/netplan"
)

// Plan is what riglet plan shows of one env: stacks in deploy order, the CIDR plan,
// listener rules with their priorities, alarms with their monthly cost, and (explained)
// where every parameter value came from. It is data: the CLI formats it as text or json.
type Plan struct {
	Version int         `json:"version"` // PlanVersion
	Riglet  string      `json:"riglet"`
	Env     string      `json:"env"`
	Account string      `json:"account,omitempty"`
	Region  string      `json:"region,omitempty"`
	Stacks  []PlanStack `json:"stacks"`
	// Retired are stacks removed from the spec that may still be deployed, in the order
	// to delete them (make delete-retired, then riglet lock prune).
	Retired []PlanRetired `json:"retiredStacks"`
	// Presence lists every only: of the spec, saying whether it keeps its stack or
	// instance in this env: what a limited stack's absence means is visible here.
	Presence []PlanPresence `json:"presence,omitempty"`
	Network  *PlanNetwork   `json:"network,omitempty"`
	Params   []PlanParam    `json:"parameters,omitempty"`
	Rules    []PlanRule     `json:"listenerRules"`
	Alarms   []PlanAlarm    `json:"alarms"`
	// AlarmCount and AlarmMonthlyCost: standard alarms are billed per alarm metric-month.
	AlarmCount       int     `json:"alarmCount"`
	AlarmMonthlyCost float64 `json:"alarmMonthlyCostUSD"`
}

// PlanVersion is the version of the plan's JSON shape: a change a reader must know
// of (a field renamed, its meaning changed) raises it; a field added does not.
const PlanVersion = 1

type PlanRule struct {
	Listener   string `json:"listener"`
	Priority   int    `json:"priority"`
	Stack      string `json:"stack"`
	Service    string `json:"service"`
	Conditions string `json:"conditions"`
	Source     string `json:"source"` // explicit, derived, locked, retired
}

type PlanAlarm struct {
	Stack     string `json:"stack"`
	Resource  string `json:"resource"`
	Alarm     string `json:"alarm"`
	Threshold string `json:"threshold"`
	From      string `json:"from"`
	Critical  bool   `json:"critical"`
	Disabled  string `json:"disabled,omitempty"`
}

type PlanStack struct {
	Name      string   `json:"name"`
	StackName string   `json:"stackName"`
	Needs     []string `json:"needs"`
	Blocks    []string `json:"blocks"`
	Resources int      `json:"resources"`
}

// PlanPresence is a stack or instance limited to some envs by only:.
type PlanPresence struct {
	Stack    string   `json:"stack"`
	Instance string   `json:"instance,omitempty"` // empty for the stack's own only:
	Only     []string `json:"only"`
	Here     bool     `json:"here"` // it exists in this env (an instance: its stack's only: keeps it too)
	Source   string   `json:"source"`
}

// PlanRetired is a stack removed from the spec.
type PlanRetired struct {
	Name      string   `json:"name"`
	StackName string   `json:"stackName"`
	Needs     []string `json:"needs"`
}

type PlanNetwork struct {
	CIDR    string       `json:"cidr"`
	Source  string       `json:"source"`
	Subnets []PlanSubnet `json:"subnets"`
}

type PlanSubnet struct {
	Tier   string `json:"tier"`
	AZ     string `json:"az"`
	CIDR   string `json:"cidr"`
	Usable int    `json:"usable"`
	Source string `json:"source"`
}

type PlanParam struct {
	Instance string `json:"instance"`
	Name     string `json:"name"`
	Value    string `json:"value"`
	Layer    string `json:"layer"`
	Source   string `json:"source"`
	// Overrides are the weaker layers this value overrode, weakest first.
	Overrides []PlanLayer `json:"overrides,omitempty"`
}

// PlanLayer is a value a weaker layer held for a parameter.
type PlanLayer struct {
	Layer  string `json:"layer"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

func (res *Result) Plan(er *EnvResult, explain bool) *Plan {
	p := &Plan{Version: PlanVersion, Riglet: res.Spec.Name, Env: er.Env}
	if er.EnvFile != nil {
		p.Account, p.Region = er.EnvFile.Account, er.EnvFile.Region
	}
	for _, s := range er.Stacks {
		p.Stacks = append(p.Stacks, PlanStack{Name: s.Name, StackName: s.StackName, Needs: nonNil(s.Needs),
			Blocks: s.Instances, Resources: len(s.Template.Get("Resources").Pairs)})
	}
	p.Retired = []PlanRetired{}
	for _, r := range er.Retired {
		p.Retired = append(p.Retired, PlanRetired{Name: r.Name, StackName: r.StackName, Needs: nonNil(r.Needs)})
	}
	if er.EnvFile != nil {
		p.Presence = presence(res.Spec, er.Env)
	}
	if n := er.Network; n != nil && makesSubnets(er) {
		pn := &PlanNetwork{CIDR: n.CIDR.String(), Source: n.CIDRSource}
		for _, s := range n.Subnets {
			pn.Subnets = append(pn.Subnets, PlanSubnet{Tier: s.Tier, AZ: s.AZ, CIDR: s.CIDR.String(), Usable: netplan.Usable(s.CIDR), Source: s.Source})
		}
		p.Network = pn
	}
	p.Rules = []PlanRule{}
	for _, a := range er.Priorities {
		p.Rules = append(p.Rules, PlanRule{Listener: a.Listener, Priority: a.Priority, Stack: a.Stack, Service: a.Name,
			Conditions: describeConditions(a.Hosts, a.Paths, a.Other), Source: a.Source})
	}
	for listener, rules := range res.Lock.Priorities[er.Env] {
		for key, e := range rules {
			if e.Retired {
				p.Rules = append(p.Rules, PlanRule{Listener: listener, Priority: e.Priority, Service: key, Source: "retired"})
			}
		}
	}
	sort.Slice(p.Rules, func(i, j int) bool {
		if p.Rules[i].Listener != p.Rules[j].Listener {
			return p.Rules[i].Listener < p.Rules[j].Listener
		}
		return p.Rules[i].Priority < p.Rules[j].Priority
	})
	p.Alarms = []PlanAlarm{}
	for _, a := range er.Alarms {
		p.Alarms = append(p.Alarms, PlanAlarm{Stack: a.Stack, Resource: a.Resource, Alarm: a.Alarm, Threshold: a.Threshold,
			From: a.From, Critical: a.Critical, Disabled: a.Disabled})
		if a.Disabled == "" {
			p.AlarmCount++
			p.AlarmMonthlyCost += float64(a.Metrics) * alarms.MonthlyCost
		}
	}
	p.AlarmMonthlyCost = math.Round(p.AlarmMonthlyCost*100) / 100
	if explain {
		for _, inst := range sortedKeys(er.Params) {
			params := er.Params[inst]
			for _, name := range sortedKeys(params) {
				o := params[name]
				pp := PlanParam{Instance: inst, Name: name, Value: emit.Value(o.Value), Layer: o.Layer, Source: o.Pos.String()}
				for _, u := range o.Under {
					pp.Overrides = append(pp.Overrides, PlanLayer{Layer: u.Layer, Value: emit.Value(u.Value), Source: u.Pos.String()})
				}
				p.Params = append(p.Params, pp)
			}
		}
	}
	return p
}

// presence is every only: of the spec, in spec order, as env sees it.
func presence(spec *model.Spec, env string) []PlanPresence {
	var out []PlanPresence
	for _, s := range spec.Stacks {
		if s.Only.Set {
			out = append(out, PlanPresence{Stack: s.Name, Only: nonNil(s.Only.Envs), Here: s.In(env), Source: s.Only.KeyPos.String()})
		}
		for _, in := range s.Instances {
			if in.Only.Set {
				out = append(out, PlanPresence{Stack: s.Name, Instance: in.Name, Only: nonNil(in.Only.Envs), Here: in.In(env), Source: in.Only.KeyPos.String()})
			}
		}
	}
	return out
}

func describeConditions(hosts, paths []string, other bool) string {
	var parts []string
	if len(hosts) > 0 {
		parts = append(parts, "host "+strings.Join(hosts, " | "))
	}
	if len(paths) > 0 {
		parts = append(parts, "path "+strings.Join(paths, " | "))
	}
	if other {
		parts = append(parts, "+ other conditions")
	}
	return strings.Join(parts, ", ")
}

// makesSubnets says an env's stacks create subnets: only then is its CIDR plan a
// network that exists. A riglet with no VPC (serverless) still gets a plan from its
// env files' cidr, which plan and graph would otherwise show as if it were deployed.
func makesSubnets(er *EnvResult) bool {
	for _, s := range er.Stacks {
		for _, r := range s.Template.Get("Resources").Pairs {
			if t := r.Value.Get("Type"); t != nil && t.Text == "AWS::EC2::Subnet" {
				return true
			}
		}
	}
	return false
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/riglet/riglet/alarms"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/emit"
	"github.com/riglet/riglet/netplan"
)

type planCmd struct {
	Riglet  string `arg:"" name:"riglet" help:"Riglet name or spec path."`
	Env     string `short:"e" required:"" help:"The env to show (or shared)."`
	Explain bool   `help:"Show every parameter value and the layer that set it."`
	Format  string `default:"text" enum:"text,json" help:"Output format: text or json."`
}

func (c *planCmd) Run(g *globals) error {
	files, err := specFiles(g.Dir, []string{c.Riglet})
	if err != nil {
		return err
	}
	var envs []string
	if c.Env != "shared" {
		envs = []string{c.Env}
	}
	res, err := compiler.Compile(os.DirFS(g.Dir), builtinBlocks(), files[0], compiler.Options{Envs: envs})
	if err != nil {
		return printErrors(g.Stderr, err)
	}
	var er *compiler.EnvResult
	for _, e := range res.Envs {
		if e.Env == c.Env {
			er = e
		}
	}
	if er == nil {
		return usageError{fmt.Errorf("riglet %s has no env %s", res.Spec.Name, c.Env)}
	}
	p := buildPlan(res, er, c.Explain)
	if c.Format == "json" {
		enc := json.NewEncoder(g.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	p.text(g.Stdout)
	return nil
}

type plan struct {
	Riglet  string       `json:"riglet"`
	Env     string       `json:"env"`
	Account string       `json:"account,omitempty"`
	Region  string       `json:"region,omitempty"`
	Stacks  []planStack  `json:"stacks"`
	Network *planNetwork `json:"network,omitempty"`
	Params  []planParam  `json:"parameters,omitempty"`
	Rules   []planRule   `json:"listenerRules"`
	Alarms  []planAlarm  `json:"alarms"`
	// AlarmCount and AlarmMonthlyCost: standard alarms are billed per alarm metric-month.
	AlarmCount       int     `json:"alarmCount"`
	AlarmMonthlyCost float64 `json:"alarmMonthlyCostUSD"`
}

type planRule struct {
	Listener   string `json:"listener"`
	Priority   int    `json:"priority"`
	Stack      string `json:"stack"`
	Service    string `json:"service"`
	Conditions string `json:"conditions"`
	Source     string `json:"source"` // explicit, derived, locked, retired
}

type planAlarm struct {
	Stack     string `json:"stack"`
	Resource  string `json:"resource"`
	Alarm     string `json:"alarm"`
	Threshold string `json:"threshold"`
	From      string `json:"from"`
	Critical  bool   `json:"critical"`
	Disabled  string `json:"disabled,omitempty"`
}

type planStack struct {
	Name      string   `json:"name"`
	StackName string   `json:"stackName"`
	Needs     []string `json:"needs"`
	Blocks    []string `json:"blocks"`
	Resources int      `json:"resources"`
}

type planNetwork struct {
	CIDR    string       `json:"cidr"`
	Source  string       `json:"source"`
	Subnets []planSubnet `json:"subnets"`
}

type planSubnet struct {
	Tier   string `json:"tier"`
	AZ     string `json:"az"`
	CIDR   string `json:"cidr"`
	Usable int    `json:"usable"`
	Source string `json:"source"`
}

type planParam struct {
	Instance string `json:"instance"`
	Name     string `json:"name"`
	Value    string `json:"value"`
	Layer    string `json:"layer"`
	Source   string `json:"source"`
}

func buildPlan(res *compiler.Result, er *compiler.EnvResult, explain bool) *plan {
	p := &plan{Riglet: res.Spec.Name, Env: er.Env}
	if er.EnvFile != nil {
		p.Account, p.Region = er.EnvFile.Account, er.EnvFile.Region
	}
	for _, s := range er.Stacks {
		p.Stacks = append(p.Stacks, planStack{Name: s.Name, StackName: s.StackName, Needs: nonNilS(s.Needs),
			Blocks: s.Instances, Resources: len(s.Template.Get("Resources").Pairs)})
	}
	if n := er.Network; n != nil {
		pn := &planNetwork{CIDR: n.CIDR.String(), Source: n.CIDRSource}
		for _, s := range n.Subnets {
			pn.Subnets = append(pn.Subnets, planSubnet{Tier: s.Tier, AZ: s.AZ, CIDR: s.CIDR.String(), Usable: netplan.Usable(s.CIDR), Source: s.Source})
		}
		p.Network = pn
	}
	p.Rules = []planRule{}
	for _, a := range er.Priorities {
		p.Rules = append(p.Rules, planRule{Listener: a.Listener, Priority: a.Priority, Stack: a.Stack, Service: a.Name,
			Conditions: describeConditions(a.Hosts, a.Paths, a.Other), Source: a.Source})
	}
	for listener, rules := range res.Lock.Priorities[er.Env] {
		for key, e := range rules {
			if e.Retired {
				p.Rules = append(p.Rules, planRule{Listener: listener, Priority: e.Priority, Service: key, Source: "retired"})
			}
		}
	}
	sort.Slice(p.Rules, func(i, j int) bool {
		if p.Rules[i].Listener != p.Rules[j].Listener {
			return p.Rules[i].Listener < p.Rules[j].Listener
		}
		return p.Rules[i].Priority < p.Rules[j].Priority
	})
	p.Alarms = []planAlarm{}
	for _, a := range er.Alarms {
		p.Alarms = append(p.Alarms, planAlarm{Stack: a.Stack, Resource: a.Resource, Alarm: a.Alarm, Threshold: a.Threshold,
			From: a.From, Critical: a.Critical, Disabled: a.Disabled})
		if a.Disabled == "" {
			p.AlarmCount++
			p.AlarmMonthlyCost += float64(a.Metrics) * alarms.MonthlyCost
		}
	}
	p.AlarmMonthlyCost = math.Round(p.AlarmMonthlyCost*100) / 100
	if explain {
		for _, inst := range sortedMapKeys(er.Params) {
			params := er.Params[inst]
			for _, name := range sortedMapKeys(params) {
				o := params[name]
				p.Params = append(p.Params, planParam{Instance: inst, Name: name, Value: emit.Value(o.Value), Layer: o.Layer, Source: o.Pos.String()})
			}
		}
	}
	return p
}

func (p *plan) text(w io.Writer) {
	fmt.Fprintf(w, "riglet %s, env %s", p.Riglet, p.Env)
	if p.Account != "" {
		fmt.Fprintf(w, " (account %s, %s)", p.Account, p.Region)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "\nStacks, in deploy order:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  #\tSTACK\tCLOUDFORMATION NAME\tNEEDS\tRESOURCES\tBLOCKS")
	for i, s := range p.Stacks {
		needs := strings.Join(s.Needs, ", ")
		if needs == "" {
			needs = "-"
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%d\t%s\n", i+1, s.Name, s.StackName, needs, s.Resources, strings.Join(s.Blocks, ", "))
	}
	tw.Flush()
	if n := p.Network; n != nil {
		fmt.Fprintf(w, "\nNetwork: VPC %s (%s)\n", n.CIDR, n.Source)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  TIER\tAZ\tCIDR\tUSABLE\tSOURCE")
		for _, s := range n.Subnets {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\n", s.Tier, s.AZ, s.CIDR, s.Usable, s.Source)
		}
		tw.Flush()
	}
	if len(p.Rules) > 0 {
		fmt.Fprintln(w, "\nListener rules (narrower rules first; explicit numbers as written, the rest derived and kept in the lock):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  LISTENER\tPRIORITY\tSTACK\tSERVICE\tCONDITIONS\tSOURCE")
		for _, r := range p.Rules {
			fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\t%s\t%s\n", r.Listener, r.Priority, dash(r.Stack), r.Service, dash(r.Conditions), r.Source)
		}
		tw.Flush()
	}
	if len(p.Alarms) > 0 {
		fmt.Fprintf(w, "\nAlarms: %d, about $%.2f a month (standard alarms, billed per alarm metric)\n", p.AlarmCount, p.AlarmMonthlyCost)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  STACK\tRESOURCE\tALARM\tTHRESHOLD\tSET BY\tCRITICAL")
		for _, a := range p.Alarms {
			th := a.Threshold
			if a.Disabled != "" {
				th = "off: " + a.Disabled
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%v\n", a.Stack, a.Resource, a.Alarm, th, a.From, a.Critical)
		}
		tw.Flush()
	}
	if len(p.Params) > 0 {
		fmt.Fprintln(w, "\nParameters (weakest layer first: default < derived/wired < env < instance < instance env):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  INSTANCE\tPARAMETER\tVALUE\tSET BY\tAT")
		for _, pp := range p.Params {
			v := pp.Value
			if len(v) > 60 {
				v = v[:57] + "..."
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", pp.Instance, pp.Name, strings.ReplaceAll(v, "\n", " "), pp.Layer, pp.Source)
		}
		tw.Flush()
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
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

func nonNilS(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sortedMapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

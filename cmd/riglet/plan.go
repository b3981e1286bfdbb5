package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/riglet/riglet/compiler"
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
	p := res.Plan(er, c.Explain)
	if c.Format == "json" {
		enc := json.NewEncoder(g.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	planText(g.Stdout, p)
	return nil
}

func planText(w io.Writer, p *compiler.Plan) {
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
	if len(p.Retired) > 0 {
		fmt.Fprintf(w, "\nRetired stacks (removed from the spec or, by only:, from this env; perhaps still deployed), in delete order:\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  #\tSTACK\tCLOUDFORMATION NAME\tNEEDS")
		for i, s := range p.Retired {
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", i+1, s.Name, s.StackName, dash(strings.Join(s.Needs, ", ")))
		}
		tw.Flush()
		fmt.Fprintf(w, "  update the stacks that imported from them, then: make delete-retired ENV=%s RIGLET=%s; then riglet lock prune %s\n", p.Env, p.Riglet, p.Riglet)
	}
	if len(p.Presence) > 0 {
		fmt.Fprintf(w, "\nLimited to some envs (only:):\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  STACK\tINSTANCE\tONLY\tIN "+strings.ToUpper(p.Env)+"\tSOURCE")
		for _, o := range p.Presence {
			here := "no"
			if o.Here {
				here = "yes"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", o.Stack, dash(o.Instance), strings.Join(o.Only, ", "), here, o.Source)
		}
		tw.Flush()
	}
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
		fmt.Fprintln(tw, "  INSTANCE\tPARAMETER\tVALUE\tSET BY\tAT\tOVERRIDES")
		for _, pp := range p.Params {
			var over []string
			for _, o := range pp.Overrides {
				over = append(over, o.Layer+" "+short(o.Value, 24))
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", pp.Instance, pp.Name, short(pp.Value, 60), pp.Layer, pp.Source, dash(strings.Join(over, "; ")))
		}
		tw.Flush()
	}
}

// short shortens a value to n bytes on one line.
func short(v string, n int) string {
	v = strings.ReplaceAll(v, "\n", " ")
	if len(v) > n {
		v = v[:n-3] + "..."
	}
	return v
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

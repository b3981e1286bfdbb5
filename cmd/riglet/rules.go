package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/riglet/riglet/lint"
)

type rulesCmd struct {
	ID string `arg:"" optional:"" predictor:"rule" help:"A rule ID: print its doc."`
}

func (c *rulesCmd) Run(g *globals) error {
	if c.ID != "" {
		r := lint.Lookup(c.ID)
		if r == nil {
			return usageError{fmt.Errorf("no rule %s (riglet rules lists them)", c.ID)}
		}
		fmt.Fprint(g.Stdout, lint.HelpText(r))
		fmt.Fprintf(g.Stdout, "\nName: %s\nFamily: %s\nSeverity: %s\nScope: %s\n", r.Name, r.Family, r.Severity, r.Scope)
		if len(r.CfnLint) > 0 {
			fmt.Fprintf(g.Stdout, "cfn-lint: %s\n", strings.Join(r.CfnLint, ", "))
		}
		if len(r.Scanners) > 0 {
			fmt.Fprintf(g.Stdout, "Other scanners: %s\n", strings.Join(r.Scanners, ", "))
		}
		return nil
	}
	tw := tabwriter.NewWriter(g.Stdout, 0, 4, 2, ' ', 0)
	family := ""
	for _, r := range byFamily(lint.Rules()) {
		if r.Family != family {
			if family != "" {
				fmt.Fprintln(tw)
			}
			family = r.Family
			fmt.Fprintf(tw, "%s\n", family)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Name, r.Title)
	}
	return tw.Flush()
}

var familyOrder = []string{"source", "cloudformation", "network", "load-balancing", "observability", "security", "reliability", "lint"}

func byFamily(rs []*lint.Rule) []*lint.Rule {
	var out []*lint.Rule
	for _, f := range familyOrder {
		for _, r := range rs {
			if r.Family == f {
				out = append(out, r)
			}
		}
	}
	return out
}

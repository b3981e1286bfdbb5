package diff

import (
	"fmt"
	"io"
	"strings"
)

// writeMarkdown writes a pull-request comment: per env a summary table with the
// highest risk first, the details folded in <details>, and the affected stacks as a
// mermaid graph (GitHub renders it).
func writeMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	b.WriteString("## riglet diff\n\n")
	if r.Empty() {
		b.WriteString("No changes to what is deployed.\n")
	}
	for _, rg := range r.Riglets {
		for _, e := range rg.Envs {
			if len(e.Changes) == 0 {
				continue
			}
			fmt.Fprintf(&b, "### %s: %s\n\n", strings.Replace(heading(rg, e), " ", " / ", 1), summary(e))
			b.WriteString("| risk | stack | change | source |\n| --- | --- | --- | --- |\n")
			for _, c := range e.Changes {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(classList(c.Classes)), cell(c.Stack), cell(c.Message), code(c.SourceText))
			}
			if e.Alarms.Before != e.Alarms.After || e.Alarms.CostBefore != e.Alarms.CostAfter {
				fmt.Fprintf(&b, "\nAlarms: %d -> %d, $%s -> $%s a month.\n", e.Alarms.Before, e.Alarms.After, money(e.Alarms.CostBefore), money(e.Alarms.CostAfter))
			}
			writeSecurity(&b, e)
			b.WriteString("\n<details><summary>Details</summary>\n\n")
			for _, c := range e.Changes {
				fmt.Fprintf(&b, "- **%s** %s", classList(c.Classes), mdEscape(qualified(c)))
				if c.SourceText != "" {
					fmt.Fprintf(&b, " (%s", code(c.SourceText))
					if c.TemplateText != "" {
						fmt.Fprintf(&b, ", generated %s", code(c.TemplateText))
					}
					b.WriteString(")")
				}
				b.WriteString("\n")
				for _, p := range c.Props {
					fmt.Fprintf(&b, "  - %s\n", mdEscape(propLine(p)))
				}
			}
			b.WriteString("\n</details>\n\n")
			writeMermaid(&b, e)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeSecurity(b *strings.Builder, e *EnvDiff) {
	first := true
	for _, c := range e.Changes {
		for _, s := range c.Security {
			if first {
				b.WriteString("\nSecurity changes:\n\n| | area | resource | change |\n| --- | --- | --- | --- |\n")
				first = false
			}
			sign := "-"
			if s.Direction == "widened" {
				sign = "+"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", sign, s.Area, cell(c.Stack+"."+c.ID), cell(s.What))
		}
	}
}

// writeMermaid draws the stacks with changes, coloured by their riskiest class, and
// the stacks they need or are needed by.
func writeMermaid(b *strings.Builder, e *EnvDiff) {
	risk := map[string]Class{}
	for _, c := range e.Changes {
		if c.Stack == "" || len(c.Classes) == 0 {
			continue
		}
		if k, ok := risk[c.Stack]; !ok || c.Classes[0].Risk() > k.Risk() {
			risk[c.Stack] = c.Classes[0]
		}
	}
	if len(risk) == 0 {
		return
	}
	shown := map[string]bool{}
	for _, s := range e.stacks {
		if risk[s.name] != "" {
			shown[s.name] = true
			for _, n := range s.needs {
				shown[n] = true
			}
		}
		for _, n := range s.needs {
			if risk[n] != "" {
				shown[s.name] = true
			}
		}
	}
	b.WriteString("```mermaid\ngraph LR\n")
	for _, s := range e.stacks {
		if !shown[s.name] {
			continue
		}
		label := s.name
		if k := risk[s.name]; k != "" {
			label += ": " + string(k)
		}
		fmt.Fprintf(b, "  %s[\"%s\"]\n", nodeID(s.name), label)
		if k := risk[s.name]; k != "" {
			fmt.Fprintf(b, "  class %s %s\n", nodeID(s.name), styleOf(k))
		}
	}
	for _, s := range e.stacks {
		for _, n := range s.needs {
			if shown[s.name] && shown[n] {
				fmt.Fprintf(b, "  %s --> %s\n", nodeID(n), nodeID(s.name))
			}
		}
	}
	b.WriteString("  classDef danger fill:#f8d7da,stroke:#c00\n  classDef warn fill:#fff3cd,stroke:#b80\n  classDef change fill:#e7f1ff,stroke:#36c\n```\n\n")
}

func styleOf(k Class) string {
	switch k {
	case Blocked, DataLoss:
		return "danger"
	case Replace, MayReplace, Security, Remove:
		return "warn"
	}
	return "change"
}

// nodeID is a stack name as a mermaid node ID: letters, digits and underscores.
func nodeID(s string) string {
	return "s_" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}

func cell(s string) string { return strings.ReplaceAll(mdEscape(s), "|", "\\|") }

func mdEscape(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", "\n", " ").Replace(s)
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}

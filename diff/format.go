package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Write prints the report in format text, markdown or json.
func Write(w io.Writer, format string, r *Report) error {
	switch format {
	case "json":
		// Not HTML-escaped: "->" and "<" stay readable; nothing renders this as HTML.
		e := json.NewEncoder(w)
		e.SetEscapeHTML(false)
		e.SetIndent("", "  ")
		return e.Encode(r)
	case "markdown":
		return writeMarkdown(w, r)
	case "text", "":
		return writeText(w, r)
	}
	return fmt.Errorf("unknown format %q (text, markdown or json)", format)
}

func classList(cs []Class) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ",")
}

func writeText(w io.Writer, r *Report) error {
	var b strings.Builder
	if r.Empty() {
		b.WriteString("no changes\n")
	}
	for _, rg := range r.Riglets {
		for _, e := range rg.Envs {
			if len(e.Changes) == 0 {
				continue
			}
			fmt.Fprintf(&b, "%s: %s\n", heading(rg, e), summary(e))
			for _, c := range e.Changes {
				at := c.SourceText
				if at == "" {
					at = c.TemplateText
				}
				fmt.Fprintf(&b, "%s: %s: %s\n", orDash(at), classList(c.Classes), qualified(c))
				if c.TemplateText != "" && c.TemplateText != at {
					fmt.Fprintf(&b, "\t%s: generated\n", c.TemplateText)
				}
				for _, p := range c.Props {
					fmt.Fprintf(&b, "\t%s\n", propLine(p))
				}
				for _, s := range c.Security {
					fmt.Fprintf(&b, "\tsecurity %s %s: %s\n", s.Area, s.Direction, s.What)
				}
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func qualified(c Change) string {
	if c.Stack == "" {
		return c.Message
	}
	return c.Stack + ": " + c.Message
}

func propLine(p Prop) string {
	s := p.Action + " " + p.Path
	switch p.Action {
	case "modified":
		s += ": " + p.Old + " -> " + p.New
	case "added":
		s += ": " + p.New
	case "removed":
		s += " (was " + p.Old + ")"
	}
	if p.Replace != "" {
		s += " [" + string(p.Replace) + "]"
	}
	if p.SourceText != "" {
		s += " (" + p.SourceText + ")"
	}
	return s
}

// summary counts an env's changes by class, highest risk first.
func summary(e *EnvDiff) string {
	var parts []string
	for _, k := range Classes {
		n := 0
		for i := range e.Changes {
			if e.Changes[i].Has(k) {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	return strings.Join(parts, ", ")
}

// heading names a riglet's env, or only the stack when two template files were given.
func heading(rg *Riglet, e *EnvDiff) string {
	if rg.Name == "" {
		if len(e.stacks) == 1 {
			return e.stacks[0].name
		}
		return e.Env
	}
	return rg.Name + " " + e.Env
}

package lint

import (
	"fmt"
	"strings"

	"github.com/riglet/riglet/model"
)

// WithConfig returns opts with the repository's .riglet.yaml folded in: its ignored
// rules beside --ignore, its severities under --severity (the command line wins), and
// the findings the configuration itself deserves, as a suppression comment would: an
// ignore without a reason (it still applies), a rule that does not exist.
func WithConfig(opts Options, c *model.Config) (Options, []Finding) {
	if c == nil {
		return opts, nil
	}
	var out []Finding
	finding := func(id string, e model.ConfigEntry, format string, args ...any) {
		out = append(out, Finding{Rule: id, Severity: Lookup(id).Severity, Pos: e.Pos, Msg: fmt.Sprintf(format, args...)})
	}
	opts.Ignore = append([]string(nil), opts.Ignore...)
	for _, e := range c.Ignore {
		if Lookup(e.Rule) == nil {
			finding(idUnknown, e, "%s ignores unknown rule %s%s", model.ConfigFile, e.Rule, suggestRule(e.Rule))
			continue
		}
		if strings.TrimSpace(e.Value) == "" {
			finding(idNoReason, e, "%s ignores %s without a reason: say why its findings do not apply", model.ConfigFile, e.Rule)
		}
		opts.Ignore = append(opts.Ignore, e.Rule)
	}
	sev := map[string]Severity{}
	for _, e := range c.Severity {
		if Lookup(e.Rule) == nil {
			finding(idUnknown, e, "%s sets the severity of unknown rule %s%s", model.ConfigFile, e.Rule, suggestRule(e.Rule))
			continue
		}
		s, _ := ParseSeverity(e.Value) // the model checked it
		sev[strings.ToUpper(e.Rule)] = s
	}
	for id, s := range opts.Severity {
		sev[strings.ToUpper(id)] = s
	}
	opts.Severity = sev
	return opts, out
}

// Sorted orders findings as every report is ordered: by position, rule and message.
func Sorted(fs []Finding) []Finding { return sortFindings(fs) }

// Package lint checks a riglet's sources and generated templates in one pass. A rule
// is a value (Rule) with a stable ID, a title, a doc with a bad and a good example, a
// default severity, a scope and a run function; findings point at the line of the
// riglet spec, env file or block that caused them, with the generated template line
// as a related position. See DESIGN section 8.
package lint

import (
	"fmt"
	"sort"
	"strings"

	"github.com/riglet/riglet/ir"
)

// Severity is how bad a finding is.
type Severity = ir.Severity

const (
	Info    = ir.Info
	Warning = ir.Warning
	Error   = ir.SeverityError
)

// ParseSeverity reads "error", "warning" or "info".
func ParseSeverity(s string) (Severity, error) {
	switch s {
	case "error":
		return Error, nil
	case "warning":
		return Warning, nil
	case "info":
		return Info, nil
	}
	return 0, fmt.Errorf("severity %q is not one of error, warning, info", s)
}

// Scope is what a rule looks at.
type Scope uint8

const (
	// ScopeSource rules report what the compiler found in the sources; they have no
	// Run: compile errors of the rule's Code become its findings.
	ScopeSource Scope = iota
	// ScopeTemplate rules run once per generated template.
	ScopeTemplate
	// ScopeRiglet rules run once per riglet, over every env and stack.
	ScopeRiglet
)

func (s Scope) String() string {
	switch s {
	case ScopeSource:
		return "sources"
	case ScopeTemplate:
		return "generated templates"
	}
	return "whole riglet"
}

// Rule is one check.
type Rule struct {
	ID       string // stable, never reused: FAMNNN
	Name     string // kebab-case
	Title    string // one line, lower case, no period
	Doc      string // what it checks and why
	Bad      string // an example that triggers it
	Good     string // the same example fixed
	Severity Severity
	Scope    Scope
	Family   string   // source, cloudformation, network, load-balancing, observability, security, reliability, lint
	Code     ir.Code  // the code whose compile errors are this rule's findings (any scope: the compiler may make a template rule's check first)
	CfnLint  []string // cfn-lint rules that check the same thing, if any
	// Scanners are the rules of other scanners that this one corresponds to, each
	// "tool ID" (cdk-nag AwsSolutions-IAM5, cfn-nag F38, checkov CKV_AWS_111), so that
	// a team moving from those tools recognises it.
	Scanners []string
	Run      func(*Pass)
}

// Finding is one problem at one place: the same value as a compile error, with its
// rule and severity filled in, so that compile and lint print a mistake alike.
type Finding = ir.Error

// Related is a secondary position of a finding.
type Related = ir.Related

var (
	registry []*Rule
	byID     = map[string]*Rule{}
)

// register adds rules to the registry; IDs must be unique (checked by a test too,
// but a duplicate is a programming error worth failing loudly on at start-up).
func register(rs ...*Rule) {
	for _, r := range rs {
		if byID[r.ID] != nil {
			panic("lint: duplicate rule ID " + r.ID)
		}
		byID[r.ID] = r
		registry = append(registry, r)
	}
}

// Rules returns every rule, sorted by ID.
func Rules() []*Rule {
	out := append([]*Rule(nil), registry...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup returns the rule with the given ID (case-insensitive), or nil.
func Lookup(id string) *Rule { return byID[strings.ToUpper(id)] }

// Retired lists IDs of rules that were removed; they are never given to a new rule.
var Retired = []string{}

// sortFindings orders findings by position, rule and message, and drops exact
// duplicates (a finding can be reached twice, through two paths to one node).
func sortFindings(fs []Finding) []Finding {
	for i := range fs {
		sortRelated(&fs[i])
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.Pos != b.Pos {
			return a.Pos.Before(b.Pos)
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Msg < b.Msg
	})
	w := 0
	for i := range fs {
		if w > 0 && fs[w-1].Pos == fs[i].Pos && fs[w-1].Rule == fs[i].Rule && fs[w-1].Msg == fs[i].Msg {
			continue
		}
		fs[w] = fs[i]
		w++
	}
	return fs[:w]
}

func sortRelated(f *Finding) {
	rs := f.Related
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Pos != rs[j].Pos {
			return rs[i].Pos.Before(rs[j].Pos)
		}
		return rs[i].Msg < rs[j].Msg
	})
	w := 0
	for i := range rs {
		if w > 0 && rs[w-1] == rs[i] || rs[i].Pos == f.Pos && rs[i].Msg == "" {
			continue
		}
		rs[w] = rs[i]
		w++
	}
	f.Related = rs[:w]
}

package model

import (
	"fmt"
	"regexp"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// Pattern is a parameter's AllowedPattern. CloudFormation reads it as a Java regular
// expression that must match the whole value. Go's RE2 runs most real patterns, in
// linear time; those it cannot run (lookahead such as AWS's bucket-name and password
// patterns, possessive quantifiers, atomic groups) go to regexp2, a backtracking
// engine with Java's (and .NET's) syntax, bounded by patternTimeout.
type Pattern struct {
	Text string
	re2  *regexp.Regexp
	bt   *regexp2.Regexp
}

// patternTimeout bounds one backtracking match, so that a pattern that backtracks
// without end makes an error, not a hung compile.
const patternTimeout = time.Second

// CompilePattern compiles an AllowedPattern.
func CompilePattern(s string) (*Pattern, error) {
	if re, err := regexp.Compile(`^(?:` + s + `)$`); err == nil {
		return &Pattern{Text: s, re2: re}, nil
	}
	// \z, not $: in regexp2 (as in Java) $ also matches before a final line break
	bt, err := regexp2.Compile(`^(?:` + s + `)\z`)
	if err != nil {
		return nil, err
	}
	bt.MatchTimeout = patternTimeout
	return &Pattern{Text: s, bt: bt}, nil
}

// Match reports whether the whole of s matches; an error when the match cannot be
// decided in time.
func (p *Pattern) Match(s string) (bool, error) {
	if p.re2 != nil {
		return p.re2.MatchString(s), nil
	}
	ok, err := p.bt.MatchString(s)
	if err != nil {
		return false, fmt.Errorf("AllowedPattern %s took longer than %v to match %q: simplify it", p.Text, patternTimeout, s)
	}
	return ok, nil
}

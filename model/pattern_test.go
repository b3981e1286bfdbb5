package model_test

import (
	"strings"
	"testing"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

func irStr(s string) *ir.Node { return ir.Str(s, ir.Pos{}) }

// The AllowedPatterns of AWS's own published templates and docs that Go's RE2 cannot
// run: each compiles, and matches as CloudFormation's Java engine does, whole values
// only.
func TestAllowedPatternsOfAWSSamples(t *testing.T) {
	for _, tc := range []struct {
		name, pattern string
		match, refuse []string
	}{
		{"S3 bucket name (AWS Well-Architected labs)",
			`(?=^.{3,63}$)(?!^(\d+\.)+\d+$)(^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])$)`,
			[]string{"my-bucket", "a.b.c", "abc", strings.Repeat("a", 63)},
			[]string{"1.2.3.4", "ab", "My-Bucket", "-bucket", "bucket-", strings.Repeat("a", 64), "my-bucket\n"}},
		{"domain admin password (AWS docs, Directory Service join)",
			`(?=^.{6,255}$)((?=.*\d)(?=.*[A-Z])(?=.*[a-z])|(?=.*\d)(?=.*[^A-Za-z0-9])(?=.*[a-z])|(?=.*[^A-Za-z0-9])(?=.*[A-Z])(?=.*[a-z])|(?=.*\d)(?=.*[A-Z])(?=.*[^A-Za-z0-9]))^.*`,
			[]string{"Passw0rd", "pass-w0rd", "PASS-W0RD", "Pa$$word"},
			[]string{"password", "Pa1", "PASSWORD1", "12345678"}},
		{"AD password with no blanks (AWS ParallelCluster)",
			`(?=^.{8,64}$)((?=.*\d)(?=.*[A-Z])(?=.*[a-z])|(?=.*\d)(?=.*[^A-Za-z0-9\s])(?=.*[a-z])|(?=.*[^A-Za-z0-9\s])(?=.*[A-Z])(?=.*[a-z])|(?=.*\d)(?=.*[A-Z])(?=.*[^A-Za-z0-9\s]))^.*`,
			[]string{"Passw0rd", "pass_w0rd"},
			[]string{"pass w0rd", "Passw0r"}},
		{"possessive quantifier (cfn-lint's fixtures)", `[a-z0-9]{6,16}+`,
			[]string{"abc123", "abcdefgh"}, []string{"abc12", "ABC123"}},
		{"RE2 syntax stays RE2", `[a-zA-Z][-a-zA-Z0-9]*`, []string{"Stack-1"}, []string{"1stack", "stack\n"}},
	} {
		p, err := model.CompilePattern(tc.pattern)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		for _, s := range tc.match {
			if ok, err := p.Match(s); !ok || err != nil {
				t.Errorf("%s: %q does not match (%v)", tc.name, s, err)
			}
		}
		for _, s := range tc.refuse {
			if ok, err := p.Match(s); ok || err != nil {
				t.Errorf("%s: %q matches (%v)", tc.name, s, err)
			}
		}
	}
}

// A parameter with such a pattern loads, and its default is checked by it.
func TestLookaheadPatternChecksTheDefault(t *testing.T) {
	const block = "Parameters:\n  Bucket:\n    Type: String\n    AllowedPattern: (?=^.{3,63}$)(?!^(\\d+\\.)+\\d+$)[a-z0-9.-]+\n    Default: %s\nResources: {}\n"
	if _, err := model.ParseBlock("b", "blocks/b/block.yaml", []byte(strings.ReplaceAll(block, "%s", "my-bucket"))); err != nil {
		t.Fatalf("valid default: %v", err)
	}
	_, err := model.ParseBlock("b", "blocks/b/block.yaml", []byte(strings.ReplaceAll(block, "%s", "1.2.3.4")))
	if err == nil || !strings.Contains(err.Error(), "blocks/b/block.yaml:5:14: default of parameter Bucket: \"1.2.3.4\" does not match AllowedPattern") {
		t.Fatalf("default 1.2.3.4: err = %v", err)
	}
}

// A pattern that backtracks without end is an error in bounded time, not a hang.
func TestBacktrackingPatternIsBounded(t *testing.T) {
	p, err := model.CompilePattern(`(?=x*)(a+)+b`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Match(strings.Repeat("a", 40) + "!"); err == nil || !strings.Contains(err.Error(), "took longer than") {
		t.Fatalf("err = %v", err)
	}
}

// A dynamic reference resolves at deploy time: the constraints of the parameter it
// is given to cannot judge it at compile time (and a NoEcho value must be one).
func TestDynamicReferenceIsNotCheckedAtCompileTime(t *testing.T) {
	b, err := model.ParseBlock("b", "blocks/b/block.yaml", []byte("Parameters:\n  Pw:\n    Type: String\n    NoEcho: true\n    MinLength: 8\n    AllowedPattern: '[a-zA-Z0-9]*'\nResources: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := b.Param("Pw")
	for v, want := range map[string]bool{"{{resolve:ssm-secure:/db/pw}}": true, "{{resolve:secretsmanager:db:SecretString:pw}}": true, "short": false, "has space!": false} {
		if msg := p.Check(irStr(v)); (msg == "") != want {
			t.Errorf("Check(%q) = %q", v, msg)
		}
	}
}

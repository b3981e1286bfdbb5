package source

import (
	"strings"
	"testing"

	"github.com/riglet/riglet/ir"
)

// Each case reads the same as its explicit twin: a bare tag is an empty value (and a
// bare !GetAZs the region's AZs), a key's block list may sit at the key's column, and
// JSON's "k":"v" needs no space after the colon. The twin is the form that loaded
// before, so the property is "means the same", not only "loads".
func TestYAMLFormsMeanTheirTwin(t *testing.T) {
	for _, tc := range []struct{ src, twin string }{
		{"a: !GetAZs\nb: 1\n", "a: !GetAZs ''\nb: 1\n"},
		{"a:\n  x: !GetAZs\n  y: 1\nb: 2\n", "a:\n  x: !GetAZs ''\n  y: 1\nb: 2\n"},
		{"l:\n  - !GetAZs\n  - x\n", "l:\n  - !GetAZs ''\n  - x\n"},
		{"l:\n- !GetAZs # the region's\n\n- x\n", "l:\n- !GetAZs ''\n- x\n"},
		{"a: !Select\n- 0\n- !GetAZs\nb: 1\n", "a: !Select [0, !GetAZs '']\nb: 1\n"},
		{"a: [0, !GetAZs ]\n", "a: [0, !GetAZs '']\n"},
		{"a: [!GetAZs, 1, !GetAZs , !GetAZs]\n", "a: [!GetAZs '', 1, !GetAZs '', !GetAZs '']\n"},
		{"a: {x: !GetAZs, y: [\n  !GetAZs\n  # c\n  ]}\n", "a: {x: !GetAZs '', y: [!GetAZs '']}\n"},
		{"- - !GetAZs\n  - 2\n", "- [!GetAZs '', 2]\n"},
		{"a: !!str\nb: 1\n", "a: ''\nb: 1\n"},
		{"r:\n  p: !If\n  - C\n  - a\n  - b\n  n: !Not\n  - !Condition X\nz: 1\n",
			"r:\n  p: !If [C, a, b]\n  n: !Not [!Condition X]\nz: 1\n"},
		{"r:\n  p: !Select\n  - 0\n  - !GetAZs\n  q: 1\n", "r:\n  p: !Select [0, !GetAZs '']\n  q: 1\n"},
		{`{"Resources":{"Q":{"Type":"AWS::SQS::Queue","Properties":{"Tags":[{"Key":"k","Value":"v"}],"DelaySeconds":5}}}}`,
			"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags: [{Key: k, Value: v}]\n      DelaySeconds: 5\n"},
		{`a: {"k":"v", 'x':[1,"y"], "m":{"n":null}}`, "a: {k: v, x: [1, y], m: {n: null}}\n"},
		{`a: [x, ! "Ref": "AWS::AccountId"]`, "a: [x, {Ref: AWS::AccountId}]\n"},
		{"a:\n  !!str Ref: x\n", "a: {Ref: x}\n"},
		// In a flow collection a colon not followed by a blank or a flow indicator is
		// part of a plain scalar, after a tag and in a list inside a map as anywhere.
		{"Tags: [{Key: a, Value: !Ref AWS::Region}]\n", "Tags:\n- Key: a\n  Value: !Ref AWS::Region\n"},
		{"Tags: {Key: a, Value: !Ref AWS::Region}\n", "Tags:\n  Key: a\n  Value: !Ref AWS::Region\n"},
		{`C: {StringEquals: {"kms:CallerAccount": !Ref AWS::AccountId}}`, "C:\n  StringEquals:\n    kms:CallerAccount: !Ref AWS::AccountId\n"},
		{"X: {a: [!Ref AWS::Region]}\n", "X:\n  a:\n  - !Ref AWS::Region\n"},
		{"P: {AWS: !Ref AWS::AccountId}\n", "P:\n  AWS: !Ref AWS::AccountId\n"},
		{`T: [{Key: Name, Value: !Sub "${AWS::StackName}-x"}]`, "T:\n- Key: Name\n  Value: !Sub \"${AWS::StackName}-x\"\n"},
		{"X: {Action: [iam:PassRole]}\n", "X:\n  Action:\n  - iam:PassRole\n"},
		{"X: {Fn::Length: !Ref L}\n", "X:\n  Fn::Length: !Ref L\n"},
		{"a: {aws:SourceAccount: x}\n", "a:\n  aws:SourceAccount: x\n"},
		{"l: !ImportValue {Fn::Sub: x}\n", "l: !ImportValue\n  Fn::Sub: x\n"},
		{"X: {a: !GetAtt R.Arn, b: [!ImportValue 'x', !ImportValue x::y, ::1]}\n",
			"X:\n  a: !GetAtt R.Arn\n  b:\n  - !ImportValue x\n  - !ImportValue x::y\n  - '::1'\n"},
		{"X: [a:b, {c: d:e}, http://h:80/p]\n", "X:\n- a:b\n- c: d:e\n- http://h:80/p\n"},
		{"X: {a:b}\n", "X:\n  a:b: null\n"},
	} {
		got, err := Parse("x.yaml", []byte(tc.src))
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.src, err)
			continue
		}
		want, err := Parse("x.yaml", []byte(tc.twin))
		if err != nil {
			t.Fatalf("twin %q: %v", tc.twin, err)
		}
		if g, w := compact(got), compact(want); g != w {
			t.Errorf("Parse(%q) = %s, want %s", tc.src, g, w)
		}
	}
}

// TestPositionsAfterTags: goccy counts a column short after each tag on a line, and
// the prescan's fillings add text; every scalar must still be placed where the file
// has it, whatever tags come before it on its line and whatever lines come before it
// (block scalars, a quoted scalar over two lines, comments: the prescan counting a
// block scalar's lines twice once moved every later line's column fixes).
func TestPositionsAfterTags(t *testing.T) {
	mapBefore := []string{"", "p: |\n  t\n  u\n", "p: >-\n  t\n\n  u\n", "p: \"q\n  r\"\n", "# c\np: 1 # d\n", "p: |\n  t\nq: >\n  u\n  v\n"}
	for _, line := range []string{
		`a: [!Ref x1, !Ref x2, x3]`,
		`a: [!GetAZs , x1, !GetAZs, !Sub "x2", !GetAZs, x3]`,
		`a: {k: !GetAtt x1.Arn, j: !Join ["", [x2, !Ref x3]], l: x4}`,
		`a: !Sub   "x1"`,
		`- !If [x1, !Ref x2, !GetAZs ]`,
		`a: {k: !Ref x1::R, j: [x2:y, !Sub "x3"], l: x4::k, m: [!GetAZs , !Ref x5:z]}`,
	} {
		before := mapBefore
		if strings.HasPrefix(line, "- ") {
			before = []string{"", "- |\n  t\n  u\n", "- !Ref p\n- >\n  t\n  u\n"}
		}
		for _, b := range before {
			checkPositionsAfterTags(t, b, line)
		}
	}
}

func checkPositionsAfterTags(t *testing.T, before, line string) {
	t.Helper()
	{
		n, err := Parse("x.yaml", []byte(before+line+"\n"))
		if err != nil {
			t.Errorf("Parse(%q): %v", before+line, err)
			return
		}
		at := int32(strings.Count(before, "\n")) + 1
		seen := 0
		walk(n, func(s *ir.Node) {
			if s.Kind != ir.String || !strings.HasPrefix(s.Text, "x") {
				return
			}
			seen++
			name := strings.TrimSuffix(s.Text, ".Arn")
			want := int32(strings.Index(line, name)) + 1
			if line[want-2] == '"' {
				want-- // a quoted scalar starts at its quote
			}
			if s.Pos.Line != at || s.Pos.Col != want {
				t.Errorf("%q after %q: %s at %s, want %d:%d", line, before, s.Text, s.Pos, at, want)
			}
		})
		if seen == 0 {
			t.Errorf("%q: no scalar checked", line)
		}
	}
}

func walk(n *ir.Node, f func(*ir.Node)) {
	f(n)
	for _, it := range n.Items {
		walk(it, f)
	}
	for _, p := range n.Pairs {
		walk(p.Value, f)
	}
}

package lint

import (
	"strings"
	"testing"
)

// findingsOf lints a plain template and returns "line RULE" of every finding.
func findingsOf(t *testing.T, src string) []string {
	t.Helper()
	rep, err := Template("t.yaml", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range rep.Findings {
		out = append(out, strings.Join([]string{itoa(int(f.Pos.Line)), f.Rule, f.Msg}, " "))
	}
	return out
}

// hasRule reports whether a finding of rule is at line (0: anywhere).
func hasRule(fs []string, line int, rule string) bool {
	for _, f := range fs {
		if strings.HasPrefix(f, itoa(line)+" "+rule+" ") || line == 0 && strings.Contains(f, " "+rule+" ") {
			return true
		}
	}
	return false
}

// What a transform or module riglet does not expand makes is neither an unknown
// type nor a missing name: only CFN022 speaks of it, once.
func TestNotExpandedIsNotUnknown(t *testing.T) {
	sam := `Transform: [AWS::Serverless-2016-10-31]
Globals:
  Function: {Timeout: 3}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Handler: index.handler, Runtime: nodejs18.x, CodeUri: ./src, AutoPublishAlias: live}
  Perm:
    Type: AWS::Lambda::Permission
    DependsOn: FnAliaslive
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref FnAliaslive
      Principal: !GetAtt FnRole.Arn
      SourceArn: !Sub "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${ServerlessRestApi}/*"
Outputs:
  Arn: {Value: !GetAtt Fn.Arn}
`
	fs := findingsOf(t, sam)
	for _, rule := range []string{"CFN001", "CFN006", "CFN007", "CFN008", "CFN009", "CFN023"} {
		if hasRule(fs, 0, rule) {
			t.Errorf("SAM template: a %s finding: %q", rule, fs)
		}
	}
	if n := strings.Count(strings.Join(fs, "\n"), " CFN022 "); n != 1 {
		t.Errorf("SAM template: %d CFN022 findings, want 1: %q", n, fs)
	}
	// Without the transform, AWS::Serverless types are unknown and Globals is no section.
	fs = findingsOf(t, strings.TrimPrefix(sam, "Transform: [AWS::Serverless-2016-10-31]\n"))
	if !hasRule(fs, 5, "CFN001") || !hasRule(fs, 1, "CFN023") {
		t.Errorf("without the SAM transform: want CFN001 at line 5 and CFN023 at line 1, got %q", fs)
	}
	// A name that no expansion makes is still missing.
	fs = findingsOf(t, strings.Replace(sam, "!GetAtt FnRole.Arn", "!GetAtt Other.Arn", 1))
	if !hasRule(fs, 14, "CFN007") {
		t.Errorf("GetAtt of a name nothing makes: want CFN007 at line 14, got %q", fs)
	}
}

// Plain-template lint expands Fn::ForEach with eval, as compile does, and checks what
// it makes at the lines of the loop's body.
func TestForEachExpanded(t *testing.T) {
	src := `Transform: AWS::LanguageExtensions
Parameters:
  Names: {Type: CommaDelimitedList, Default: "a,b"}
Resources:
  Fn::ForEach::Topics:
    - Name
    - !Ref Names
    - Topic${Name}:
        Type: AWS::SNS::Topic
        Properties:
          DisplayNme: !Ref Name
          KmsMasterKeyId: alias/x
Outputs:
  Fn::ForEach::Out:
    - Name
    - !Ref Names
    - Arn${Name}:
        Value: !GetAtt Topic${Name}.TopicArn
`
	fs := findingsOf(t, src)
	if !hasRule(fs, 11, "CFN002") {
		t.Errorf("want CFN002 in the loop's body at line 11, got %q", fs)
	}
	for _, rule := range []string{"CFN001", "CFN006", "CFN007", "CFN017", "CFN022"} {
		if hasRule(fs, 0, rule) {
			t.Errorf("a %s finding on an expandable Fn::ForEach: %q", rule, fs)
		}
	}
	// Without AWS::LanguageExtensions, CloudFormation takes the keys as they are.
	fs = findingsOf(t, strings.TrimPrefix(src, "Transform: AWS::LanguageExtensions\n"))
	if !hasRule(fs, 4, "CFN017") {
		t.Errorf("without the transform: want CFN017 at line 4, got %q", fs)
	}
}

package lint

import (
	"regexp"
	"testing"
)

// TestScanners checks each rule's mapping to other scanners' rules: well-formed
// "tool ID" entries of the three tools riglet maps to, and a mapping on every
// security rule of issue 12 (SEC009 on, and the production reliability rules
// REL006-REL008), so that `riglet rules ID` always shows it for them.
func TestScanners(t *testing.T) {
	entry := regexp.MustCompile(`^(cdk-nag (AwsSolutions|HIPAA\.Security|NIST\.800\.53\.R5)-[A-Za-z0-9]+|cfn-nag [FW][0-9]+|checkov CKV2?_AWS_[0-9]+)$`)
	mapped := regexp.MustCompile(`^(SEC(009|0[1-9][0-9])|REL00[6-8])$`)
	for _, r := range Rules() {
		seen := map[string]bool{}
		for _, s := range r.Scanners {
			if !entry.MatchString(s) {
				t.Errorf("%s: scanner rule %q is not \"cdk-nag <Pack>-<ID>\", \"cfn-nag <ID>\" or \"checkov <ID>\"", r.ID, s)
			}
			if seen[s] {
				t.Errorf("%s: scanner rule %s twice", r.ID, s)
			}
			seen[s] = true
		}
		if mapped.MatchString(r.ID) && len(r.Scanners) == 0 {
			t.Errorf("%s: no mapping to cdk-nag, cfn-nag or checkov rules", r.ID)
		}
	}
}

//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// TestDiffDeployed: make diff-<stack> ENV= fetches the template CloudFormation holds
// and compares the sources compiled now with it: nothing after a deploy, then a rename
// in the spec said as the delete and create it is, at the spec's line.
func TestDiffDeployed(t *testing.T) {
	w := newWorld(t, "twig")
	w.certificate("staging")
	w.mustMake("create-foundation", "ENV=staging")

	n := w.callCount()
	out := w.mustMake("diff-foundation", "ENV=staging")
	if !strings.Contains(out, "no changes") {
		t.Errorf("diff right after the deploy: want no changes")
	}
	fetched := false
	for _, c := range w.callsSince(n) {
		if strings.Contains(c, "cloudformation get-template") && flag(c, "--stack-name") == "buildit-twig-staging-foundation" {
			fetched = true
		}
	}
	if !fetched {
		t.Errorf("no get-template call for buildit-twig-staging-foundation: %q", w.callsSince(n))
	}

	w.edit("riglets/twig.yaml", "ops: {block: ops-topic}", "alerts: {block: ops-topic}")
	out = w.mustMake("diff-foundation", "ENV=staging", "FORMAT=text")
	for _, want := range []string{
		"riglets/twig.yaml:18:7: add: foundation: AlertsTopic (AWS::SNS::Topic) is created; looks like a rename of OpsTopic",
		"remove: foundation: OpsTopic (AWS::SNS::Topic) is deleted; looks like a rename to AlertsTopic",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("diff after the rename lacks %q", want)
		}
	}
}

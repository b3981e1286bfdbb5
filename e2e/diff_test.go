//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
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
		fmt.Sprintf("riglets/twig.yaml:%d:7: add: foundation: AlertsTopic (AWS::SNS::Topic) is created; looks like a rename of OpsTopic", w.lineOf("riglets/twig.yaml", "alerts: {block: ops-topic}")),
		"remove: foundation: OpsTopic (AWS::SNS::Topic) is deleted; looks like a rename to AlertsTopic",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("diff after the rename lacks %q", want)
		}
	}
}

// lineOf is the 1-based line of the first line of the repository's file holding text.
func (w *world) lineOf(file, text string) int {
	w.t.Helper()
	data, err := os.ReadFile(filepath.Join(w.repo, file)) // the copy make runs in, as edited
	if err != nil {
		w.t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, text) {
			return i + 1
		}
	}
	w.t.Fatalf("%s has no line holding %q", file, text)
	return 0
}

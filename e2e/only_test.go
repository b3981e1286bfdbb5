//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnly deploys an env that an only: leaves a stack out of: make create-environment
// deploys every other stack and never that one; widening the only: gives the lock back
// as it was (nothing allocated moved), and the stack then deploys beside the others,
// its listener rule at the priority the lock keeps.
func TestOnly(t *testing.T) {
	w := newWorld(t, "twig")
	m := w.manifest("twig", "staging")
	w.certificate("staging")
	locked, err := os.ReadFile(filepath.Join(w.repo, "riglets", "twig.lock"))
	if err != nil {
		t.Fatal(err)
	}
	w.mustMake("create-bootstrap", "ENV=shared")

	w.edit("riglets/twig.yaml", "  app-twig:\n    blocks:", "  app-twig:\n    only: [integration, production]\n    blocks:")
	w.compileCommit("app-twig leaves staging")
	if _, err := os.Stat(filepath.Join(w.repo, "out", "twig", "staging", "app-twig.yaml")); err == nil {
		t.Fatalf("out/twig/staging/app-twig.yaml is still there")
	}
	n := w.callCount()
	w.mustMake("create-environment", "ENV=staging", "IMAGE_TAG=1.0.0")
	for _, c := range w.callsSince(n) {
		if flag(c, "--stack-name") == m.stackName("app-twig") && !strings.Contains(c, "describe-stacks") {
			t.Errorf("create-environment touched the stack staging does not have: %q", c)
		}
	}
	stacks := w.stacks()
	if _, ok := stacks[m.stackName("app-twig")]; ok {
		t.Errorf("%s was deployed to staging", m.stackName("app-twig"))
	}
	for _, s := range []string{"foundation", "compute", "db", "app-twig-api"} {
		if _, ok := stacks[m.stackName(s)]; !ok {
			t.Errorf("%s is not deployed", m.stackName(s))
		}
	}

	w.edit("riglets/twig.yaml", "    only: [integration, production]\n", "")
	w.compileCommit("app-twig back in staging")
	if got, _ := os.ReadFile(filepath.Join(w.repo, "riglets", "twig.lock")); string(got) != string(locked) {
		t.Errorf("after the only: is widened back, the lock is not the one before it:\n%s", got)
	}
	w.mustMake("create-app-twig", "ENV=staging", "IMAGE_TAG=1.0.0")
	if _, ok := w.stacks()[m.stackName("app-twig")]; !ok {
		t.Errorf("%s is not deployed after the widening", m.stackName("app-twig"))
	}
	w.checkPriorities(m, "twig", "staging")
}

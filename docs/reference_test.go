package docs_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riglet/riglet/docs"
	"github.com/riglet/riglet/lint"
	"github.com/riglet/riglet/model"
)

// checkDir fails for every file of dir (of the generated extensions) that differs
// from want, is missing, or is not generated any more.
func checkDir(t *testing.T, dir string, want map[string][]byte) {
	t.Helper()
	for name, data := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s/%s is missing: run go generate ./...", dir, name)
			continue
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s/%s is stale: run go generate ./... (-committed +generated):\n%s", dir, name, cmp.Diff(string(got), string(data)))
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if _, ok := want[e.Name()]; !ok && strings.HasSuffix(e.Name(), ".md") {
			t.Errorf("%s/%s is generated no more: run go generate ./...", dir, e.Name())
		}
	}
}

// TestCommittedReferenceIsCurrent: docs/reference and docs/rules are what the key
// tables, the JSON types and the rules' docs give today.
func TestCommittedReferenceIsCurrent(t *testing.T) {
	ref, rules, err := docs.Reference()
	if err != nil {
		t.Fatal(err)
	}
	checkDir(t, "reference", ref)
	checkDir(t, "rules", rules)
}

// TestReferenceCoversEverything: every key of every table, every lint rule and every
// JSON field is on a page, so that nothing a user writes or reads is undocumented.
func TestReferenceCoversEverything(t *testing.T) {
	ref, rules, err := docs.Reference()
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, d := range ref {
		all.Write(d)
	}
	for _, tb := range model.Tables() {
		for _, k := range tb.Keys {
			if !strings.Contains(all.String(), "| `"+k.Name+"` |") {
				t.Errorf("key %s of %s is on no reference page", k.Name, tb.Name)
			}
		}
	}
	for _, r := range lint.Rules() {
		page, ok := rules[r.ID+".md"]
		if !ok || !bytes.Contains(page, []byte(strings.TrimSpace(r.Doc))) {
			t.Errorf("rule %s has no page with its doc", r.ID)
		}
		if !bytes.Contains(rules["README.md"], []byte("("+r.ID+".md)")) {
			t.Errorf("rule %s is not in the index", r.ID)
		}
	}
	for _, field := range []string{"`version`", "`stacks[].overBodyLimit`", "`findings[].related[].line`", "`listenerRules[].priority`"} {
		if !strings.Contains(all.String(), field) {
			t.Errorf("JSON field %s is on no page", field)
		}
	}
}

//go:build oracle

// The oracle test: @aws-cdk/cloudformation-diff (npm, AWS's own service spec) judges
// riglet's replacement verdicts. It runs under `make check` (go test -tags oracle)
// and fails, never skips, when the oracle is missing.

package diff

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReplacementsAgreeWithCDK builds a corpus from the committed example templates
// (out/): for every resource type and top-level property the examples use, one pair
// with a scalar inside the property changed and one with the property removed. Each
// pair's verdict (replace, may replace, update) from riglet and from cdk's diff must
// agree, or be listed in testdata/oracle/disagreements.txt with which side is right
// and why; a listed disagreement that no longer occurs fails too.
func TestReplacementsAgreeWithCDK(t *testing.T) {
	root := filepath.Join("..", "oracles", "npm", "cfn-diff", "node_modules")
	if _, err := os.Stat(filepath.Join(root, "@aws-cdk", "cloudformation-diff")); err != nil {
		t.Fatalf("@aws-cdk/cloudformation-diff is not installed: run npm ci --prefix oracles/npm/cfn-diff (%v)", err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not installed: apt-get install nodejs")
	}
	cases := corpus(t)
	if len(cases) < 100 {
		t.Fatalf("corpus of %d pairs: the examples should give hundreds", len(cases))
	}
	var in bytes.Buffer
	for _, c := range cases {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		in.Write(append(b, '\n'))
	}
	cmd := exec.Command("node", filepath.Join("testdata", "oracle", "cfn-diff.js"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+root)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cfn-diff.js: %v\n%s", err, stderr.String())
	}
	cdk := map[string]map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r struct {
			Name    string            `json:"name"`
			Impacts map[string]string `json:"impacts"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		cdk[r.Name] = r.Impacts
	}
	got := map[string]bool{}
	agree := 0
	for _, c := range cases {
		mine := verdictOf(c)
		theirs := cdk[c.Name][c.id]
		if theirs == "" {
			theirs = "NO_CHANGE"
		}
		if mine == theirs {
			agree++
			continue
		}
		got[fmt.Sprintf("%s riglet=%s cdk=%s", c.key, mine, theirs)] = true
	}
	listed := readDisagreements(t)
	for _, k := range sortedKeys(got) {
		if _, ok := listed[k]; !ok {
			t.Errorf("disagreement not in testdata/oracle/disagreements.txt: %s", k)
		}
	}
	for _, k := range sortedKeys(listed) {
		if !got[k] {
			t.Errorf("testdata/oracle/disagreements.txt lists %s, which no longer occurs: drop it", k)
		}
	}
	t.Logf("%d pairs: %d agree, %d disagree (listed)", len(cases), agree, len(got))
}

// readDisagreements reads "KEY | right: SIDE | why" lines, # comments.
func readDisagreements(t *testing.T) map[string]string {
	b, err := os.ReadFile(filepath.Join("testdata", "oracle", "disagreements.txt"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for i, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		parts := strings.Split(l, " | ")
		if len(parts) != 3 || !strings.HasPrefix(parts[1], "right: ") || len(parts[2]) < 10 {
			t.Errorf("disagreements.txt:%d: want KEY | right: riglet|cdk | why", i+1)
			continue
		}
		out[parts[0]] = parts[2]
	}
	return out
}

// verdictOf is riglet's verdict on a pair in cdk's words.
func verdictOf(c oracleCase) string {
	o := &Side{Envs: []*Env{{Name: "x", Stacks: []*Stack{{Name: "s", File: "old.yaml", Data: []byte("old"), Template: c.old}}}}}
	n := &Side{Envs: []*Env{{Name: "x", Stacks: []*Stack{{Name: "s", File: "new.yaml", Data: []byte("new"), Template: c.new}}}}}
	for _, ch := range Compare(o, n).Envs[0].Changes {
		if ch.Kind != "resource" || ch.ID != c.id {
			continue
		}
		switch {
		case ch.Has(Replace):
			return "WILL_REPLACE"
		case ch.Has(MayReplace):
			return "MAY_REPLACE"
		}
		return "WILL_UPDATE"
	}
	return "NO_CHANGE"
}

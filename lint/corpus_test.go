//go:build oracle

package lint

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// corpusDir is cfn-lint's own good/bad fixtures with cfn-lint 1.51's findings on
// each, read in place beside the repository (../shared/corpus from its root, see the
// corpus README): never copied into the project, so the figures are over material
// riglet's team did not write.
var corpusDir = filepath.Join("..", "..", "shared", "corpus", "cfn-lint")

// cfnFinding is one of cfn-lint's findings as the corpus stores them.
type cfnFinding struct {
	Rule    string `json:"rule"`
	Level   string `json:"level"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// corpusList reads testdata/corpus/<name>: one "file:line RULE reason" (or, for
// not-claimed, "RULE regexp reason") a line, the reason required; # starts a comment.
// Keyed by the first two words.
func corpusList(t *testing.T, name string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "corpus", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		at, rest, _ := strings.Cut(line, " ")
		rule, reason, _ := strings.Cut(strings.TrimSpace(rest), " ")
		if strings.TrimSpace(reason) == "" {
			t.Fatalf("testdata/corpus/%s:%d: want \"file:line RULE reason\", the reason is missing", name, n)
		}
		out[at+" "+rule] = strings.TrimSpace(reason)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// notClaimed is testdata/corpus/not-claimed: cfn-lint findings that carry the ID of a
// kind riglet claims but are of another kind, told by their message ("RULE regexp
// reason", the regexp without spaces).
type notClaimed struct {
	res     map[string]*regexp.Regexp // key -> message pattern
	reasons map[string]string
}

func notClaimedList(t *testing.T) notClaimed {
	t.Helper()
	nc := notClaimed{res: map[string]*regexp.Regexp{}, reasons: corpusList(t, "not-claimed")}
	for k := range nc.reasons {
		_, pat, _ := strings.Cut(k, " ")
		re, err := regexp.Compile(pat)
		if err != nil {
			t.Fatalf("testdata/corpus/not-claimed: %s: %v", k, err)
		}
		nc.res[k] = re
	}
	return nc
}

// match returns the entry that excludes c, or "".
func (nc notClaimed) match(c cfnFinding) string {
	for k, re := range nc.res {
		if strings.HasPrefix(k, c.Rule+" ") && re.MatchString(c.Message) {
			return k
		}
	}
	return ""
}

// TestCorpus measures riglet lint on plain templates against cfn-lint on cfn-lint's
// own fixtures. On good/, every riglet error of the cloudformation family (or a
// refusal to parse) must sit within a line of an error cfn-lint reports there too,
// unless testdata/corpus/good-by-design lists it with its reason. On bad/, every
// cfn-lint error of a kind riglet claims (a cfn-lint ID some rule's CfnLint names)
// must be found by one of those rules within a line, unless testdata/corpus/bad-misses
// lists it with its reason, and at least 95% must be found. Stale list entries fail
// too, so the lists say what is true today.
func TestCorpus(t *testing.T) {
	abs, _ := filepath.Abs(corpusDir)
	raw, err := os.ReadFile(filepath.Join(corpusDir, "cfn-lint-1.51-findings.json"))
	if err != nil {
		t.Fatalf("the cfn-lint corpus must be at ../shared/corpus/cfn-lint from the repository's root (%s), with cfn-lint-1.51-findings.json: %v", abs, err)
	}
	var theirs map[string][]cfnFinding
	if err := json.Unmarshal(raw, &theirs); err != nil {
		t.Fatalf("%s: %v", filepath.Join(abs, "cfn-lint-1.51-findings.json"), err)
	}
	mapped := map[string][]string{} // cfn-lint ID -> riglet rules
	for _, r := range Rules() {
		for _, id := range r.CfnLint {
			mapped[id] = append(mapped[id], r.ID)
		}
	}
	byDesign := corpusList(t, "good-by-design")
	misses := corpusList(t, "bad-misses")
	notClaimed := notClaimedList(t)
	used := map[string]bool{}

	var files []string
	err = filepath.WalkDir(corpusDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && p != filepath.Join(corpusDir, "cfn-lint-1.51-findings.json") {
			rel, _ := filepath.Rel(corpusDir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) < 100 {
		t.Fatalf("%s holds %d templates: is the corpus complete?", abs, len(files))
	}

	var problems []string
	goodFiles, goodFP, claimed, found, unclaimed := 0, 0, 0, 0, 0
	for _, file := range files {
		data, err := os.ReadFile(filepath.Join(corpusDir, file))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Template(file, data, Options{})
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		// Lines where each side reports an error, by rule.
		mine := map[string]map[int]bool{}
		var myErrs []Finding
		for _, f := range rep.Findings {
			if f.Severity != Error {
				continue
			}
			if mine[f.Rule] == nil {
				mine[f.Rule] = map[int]bool{}
			}
			mine[f.Rule][int(f.Pos.Line)] = true
			myErrs = append(myErrs, f)
		}
		near := func(lines map[int]bool, l int) bool { return lines[l-1] || lines[l] || lines[l+1] }
		switch {
		case strings.HasPrefix(file, "good/"):
			goodFiles++
			their := map[int]bool{}
			for _, c := range theirs[file] {
				if c.Level == "Error" {
					their[c.Line] = true
				}
			}
			for _, f := range myErrs {
				if !strings.HasPrefix(f.Rule, "CFN") && f.Rule != "SRC001" && f.Rule != "SRC002" {
					continue
				}
				if near(their, int(f.Pos.Line)) {
					continue
				}
				key := file + ":" + strconv.Itoa(int(f.Pos.Line)) + " " + f.Rule
				if _, ok := byDesign[key]; ok {
					used[key] = true
					continue
				}
				goodFP++
				problems = append(problems, fmt.Sprintf("false positive %s: %s (cfn-lint reports no error there; fix it or list it in testdata/corpus/good-by-design)", key, f.Msg))
			}
		case strings.HasPrefix(file, "bad/"):
			for _, c := range theirs[file] {
				rs := mapped[c.Rule]
				if c.Level != "Error" || len(rs) == 0 {
					continue
				}
				if nc := notClaimed.match(c); nc != "" {
					used[nc] = true
					unclaimed++
					continue
				}
				claimed++
				hit := false
				for _, r := range rs {
					hit = hit || near(mine[r], c.Line)
				}
				key := file + ":" + strconv.Itoa(c.Line) + " " + c.Rule
				if hit {
					found++
					if _, ok := misses[key]; ok {
						problems = append(problems, "listed as a miss in testdata/corpus/bad-misses, now found: "+key)
						used[key] = true
					}
					continue
				}
				if _, ok := misses[key]; ok {
					used[key] = true
					continue
				}
				problems = append(problems, fmt.Sprintf("missed %s: cfn-lint says %q; riglet reports none of %s within a line (fix it or list it in testdata/corpus/bad-misses)", key, c.Message, strings.Join(rs, ", ")))
			}
		}
	}
	for _, l := range []map[string]string{byDesign, misses, notClaimed.reasons} {
		for k := range l {
			if !used[k] {
				problems = append(problems, "stale entry in testdata/corpus: "+k+" no longer happens")
			}
		}
	}
	recall := 100 * float64(found) / float64(max(claimed, 1))
	t.Logf("good/: %d templates, %d unexplained cloudformation errors where cfn-lint reports none (%d listed in testdata/corpus/good-by-design)", goodFiles, goodFP, len(byDesign))
	t.Logf("bad/: %d of cfn-lint's %d errors of the kinds riglet claims found at the same line (±1): %.1f%% (%d more under those IDs are of kinds riglet does not claim, see testdata/corpus/not-claimed)", found, claimed, recall, unclaimed)
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
	if recall < 95 {
		t.Errorf("recall %.1f%% on bad/ is below 95%%", recall)
	}
}

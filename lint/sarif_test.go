package lint

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

type sarifOut struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID         string         `json:"id"`
					HelpURI    string         `json:"helpUri"`
					Properties map[string]any `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
		} `json:"results"`
	} `json:"runs"`
}

func sarifOf(t *testing.T, fs []Finding, o Output) sarifOut {
	t.Helper()
	var b bytes.Buffer
	if err := WriteTo(&b, "sarif", fs, o); err != nil {
		t.Fatal(err)
	}
	var out sarifOut
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSARIFFingerprintsSurviveLineShifts: lines added above a finding (its line, and
// the lines its message quotes, move) keep its fingerprint; another rule, file or
// message, or a second finding of the same, gets another.
func TestSARIFFingerprintsSurviveLineShifts(t *testing.T) {
	at := func(line uint32, msg string) Finding {
		return Finding{Rule: "LB001", Severity: Error, Pos: posOf("riglets/x.yaml", int(line), 7), Msg: msg}
	}
	fp := func(fs ...Finding) []string {
		var out []string
		for _, r := range sarifOf(t, fs, Output{}).Runs[0].Results {
			out = append(out, r.PartialFingerprints["rigletFinding/v1"])
		}
		return out
	}
	before := fp(at(10, "priority 100 also at riglets/x.yaml:20:7"), at(30, "priority 300 twice"))
	after := fp(at(14, "priority 100 also at riglets/x.yaml:24:7"), at(34, "priority 300 twice"))
	if before[0] == "" || before[0] != after[0] || before[1] != after[1] {
		t.Errorf("fingerprints moved with the lines: %v, then %v", before, after)
	}
	if before[0] == before[1] {
		t.Error("two findings share a fingerprint")
	}
	other := fp(at(10, "priority 101 also at riglets/x.yaml:20:7"))
	twice := fp(at(10, "same"), at(12, "same"))
	if other[0] == before[0] || twice[0] == twice[1] {
		t.Errorf("distinct findings share a fingerprint: %v %v", other, twice)
	}
}

// TestSARIFRulesForCodeScanning: every rule links to its committed page, and the
// security rules, and only they, carry a security-severity that code scanning reads.
func TestSARIFRulesForCodeScanning(t *testing.T) {
	out := sarifOf(t, nil, Output{})
	rules := out.Runs[0].Tool.Driver.Rules
	if len(rules) != len(Rules()) {
		t.Fatalf("%d rules in the log, %d registered", len(rules), len(Rules()))
	}
	for _, r := range rules {
		page := strings.TrimPrefix(r.HelpURI, RulesURL)
		if page == r.HelpURI || page != r.ID+".md" {
			t.Errorf("%s: helpUri %s", r.ID, r.HelpURI)
		}
		if _, err := os.Stat("../docs/rules/" + page); err != nil {
			t.Errorf("%s: helpUri names a page not committed: %v", r.ID, err)
		}
		sev, ok := r.Properties["security-severity"].(string)
		if sec := Lookup(r.ID).Family == "security"; sec != ok || ok && sev == "" {
			t.Errorf("%s: security-severity %q on a rule of family %s", r.ID, sev, Lookup(r.ID).Family)
		}
	}
}

// TestRootRelativePaths: with riglet run in a folder of the repository, sarif (with
// its base) and github name files from the repository's root; text and json keep
// them relative to where riglet ran.
func TestRootRelativePaths(t *testing.T) {
	fs := []Finding{{Rule: "SEC004", Severity: Warning, Pos: posOf("riglets/x.yaml", 3, 5), Msg: "m",
		Related: []Related{{Pos: posOf("out/x/dev/app.yaml", 9, 3)}}}}
	o := Output{Root: "infra/aws"}
	res := sarifOf(t, fs, o).Runs[0].Results[0]
	if loc := res.Locations[0].PhysicalLocation.ArtifactLocation; loc.URI != "infra/aws/riglets/x.yaml" || loc.URIBaseID != "%SRCROOT%" {
		t.Errorf("sarif location %+v", loc)
	}
	var gh, text bytes.Buffer
	WriteTo(&gh, "github", fs, o)
	WriteTo(&text, "text", fs, o)
	if !strings.Contains(gh.String(), "file=infra/aws/riglets/x.yaml,") || !strings.Contains(gh.String(), "%0Ainfra/aws/out/x/dev/app.yaml:9:3") {
		t.Errorf("github: %s", gh.String())
	}
	if !strings.HasPrefix(text.String(), "riglets/x.yaml:3:5:") {
		t.Errorf("text: %s", text.String())
	}
}

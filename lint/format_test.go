package lint

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// brokenReport lints a case with findings of several severities and related
// positions, for the format tests.
func brokenReport(t *testing.T) *Report {
	fsys, specs, _ := loadCase(t, "testdata/whole/envs.txtar")
	return lintCase(t, fsys, specs)
}

func TestFormatText(t *testing.T) {
	rep := brokenReport(t)
	var b bytes.Buffer
	if err := Write(&b, "text", rep.Findings); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	want := "blocks/b/block.yaml:2:3: error: AWS::EFS::FileSystem XFiles has no DeletionPolicy Retain or Snapshot in production (in env production) (REL004)"
	if lines[0] != want {
		t.Errorf("first line:\n got %s\nwant %s", lines[0], want)
	}
	if !strings.HasPrefix(lines[1], "\tout/demo/production/app.yaml:") {
		t.Errorf("related position not indented below: %q", lines[1])
	}
}

func TestFormatGitHub(t *testing.T) {
	var b bytes.Buffer
	fs := []Finding{{Rule: "SEC004", Severity: Warning, Pos: posOf("blocks/a,b.yaml", 3, 5), Msg: "100% bad\nreally",
		Related: []Related{{Pos: posOf("out/x.yaml", 9, 3), Msg: "generated X"}}}}
	if err := Write(&b, "github", fs); err != nil {
		t.Fatal(err)
	}
	want := "::warning file=blocks/a%2Cb.yaml,line=3,col=5,title=SEC004::100%25 bad%0Areally%0Aout/x.yaml:9:3: generated X\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
}

func TestFormatJSON(t *testing.T) {
	rep := brokenReport(t)
	var b bytes.Buffer
	if err := Write(&b, "json", rep.Findings); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Findings []struct {
			Rule, Severity, File string
			Line                 int
			Envs                 []string
			Related              []struct{ File string }
		}
		Errors, Warnings int
	}
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Findings) != len(rep.Findings) || out.Errors != rep.Count(Error) || out.Warnings != rep.Count(Warning) {
		t.Fatalf("json holds %d findings (%d errors), report %d (%d)", len(out.Findings), out.Errors, len(rep.Findings), rep.Count(Error))
	}
	f := out.Findings[0]
	if f.Rule != "REL004" || f.File != "blocks/b/block.yaml" || f.Line != 2 || len(f.Envs) != 1 || f.Envs[0] != "production" || len(f.Related) == 0 {
		t.Errorf("first finding: %+v", f)
	}
}

func TestFormatUnknown(t *testing.T) {
	err := Write(new(bytes.Buffer), "xml", nil)
	if _, ok := err.(*UsageError); !ok {
		t.Fatalf("unknown format: %v, want a UsageError", err)
	}
}

// TestSARIF validates the SARIF log against the required structure of the SARIF
// 2.1.0 schema (no copy of the schema JSON is available offline): version, $schema,
// runs[].tool.driver.name and rules with id and descriptions and help, results with
// ruleId, a level from the schema's enum, message.text, physical locations with an
// artifact URI and a region whose startLine/startColumn are >= 1, related locations
// likewise, and ruleIndex pointing at the result's rule.
func TestSARIF(t *testing.T) {
	rep := brokenReport(t)
	var b bytes.Buffer
	if err := Write(&b, "sarif", rep.Findings); err != nil {
		t.Fatal(err)
	}
	var log map[string]any
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	errs := validateSARIF(log)
	for _, e := range errs {
		t.Error(e)
	}
	runs := log["runs"].([]any)
	results := runs[0].(map[string]any)["results"].([]any)
	if len(results) != len(rep.Findings) {
		t.Errorf("%d results for %d findings", len(results), len(rep.Findings))
	}
	// The validator must catch a broken log, or it proves nothing.
	results[0].(map[string]any)["level"] = "fatal"
	delete(runs[0].(map[string]any)["tool"].(map[string]any)["driver"].(map[string]any), "name")
	if n := len(validateSARIF(log)); n < 2 {
		t.Errorf("validator found %d problems in a broken log, want 2", n)
	}
}

func validateSARIF(log map[string]any) []string {
	var errs []string
	bad := func(f string, a ...any) { errs = append(errs, sprintf(f, a...)) }
	str := func(m map[string]any, k string) string {
		s, _ := m[k].(string)
		return s
	}
	obj := func(v any) map[string]any { m, _ := v.(map[string]any); return m }
	arr := func(v any) []any { a, _ := v.([]any); return a }
	if str(log, "version") != "2.1.0" {
		bad("version %v", log["version"])
	}
	if !strings.Contains(str(log, "$schema"), "sarif") {
		bad("$schema %v", log["$schema"])
	}
	runs := arr(log["runs"])
	if len(runs) == 0 {
		bad("no runs")
	}
	for _, r := range runs {
		drv := obj(obj(obj(r)["tool"])["driver"])
		if str(drv, "name") == "" {
			bad("tool.driver.name missing")
		}
		rules := arr(drv["rules"])
		ids := map[string]int{}
		for i, ru := range rules {
			m := obj(ru)
			ids[str(m, "id")] = i
			for _, k := range []string{"shortDescription", "fullDescription", "help"} {
				if str(obj(m[k]), "text") == "" {
					bad("rule %s: %s.text missing", str(m, "id"), k)
				}
			}
		}
		for _, re := range arr(obj(r)["results"]) {
			m := obj(re)
			id := str(m, "ruleId")
			if i, ok := ids[id]; !ok || int(m["ruleIndex"].(float64)) != i {
				bad("result %s: ruleId/ruleIndex do not name a rule", id)
			}
			switch str(m, "level") {
			case "none", "note", "warning", "error":
			default:
				bad("result %s: level %v", id, m["level"])
			}
			if str(obj(m["message"]), "text") == "" {
				bad("result %s: message.text missing", id)
			}
			locs := append(arr(m["locations"]), arr(m["relatedLocations"])...)
			if len(arr(m["locations"])) == 0 {
				bad("result %s: no locations", id)
			}
			for _, l := range locs {
				pl := obj(obj(l)["physicalLocation"])
				if str(obj(pl["artifactLocation"]), "uri") == "" {
					bad("result %s: artifactLocation.uri missing", id)
				}
				if reg := obj(pl["region"]); reg != nil {
					if v, _ := reg["startLine"].(float64); v < 1 {
						bad("result %s: startLine %v", id, reg["startLine"])
					}
					if v, ok := reg["startColumn"].(float64); ok && v < 1 {
						bad("result %s: startColumn %v", id, v)
					}
				}
			}
		}
	}
	return errs
}

package lint

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"regexp"
	"strconv"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// SARIF 2.1.0, the parts code scanning reads.
type (
	sarifLog struct {
		Version string     `json:"version"`
		Schema  string     `json:"$schema"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool    sarifTool     `json:"tool"`
		Results []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri,omitempty"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string         `json:"id"`
		Name                 string         `json:"name"`
		ShortDescription     sarifText      `json:"shortDescription"`
		FullDescription      sarifText      `json:"fullDescription"`
		Help                 sarifText      `json:"help"`
		HelpURI              string         `json:"helpUri"`
		DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
		Properties           map[string]any `json:"properties,omitempty"`
	}
	sarifText struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown,omitempty"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifResult struct {
		RuleID           string          `json:"ruleId"`
		RuleIndex        int             `json:"ruleIndex"`
		Level            string          `json:"level"`
		Message          sarifText       `json:"message"`
		Locations        []sarifLocation `json:"locations"`
		RelatedLocations []sarifLocation `json:"relatedLocations,omitempty"`
		// PartialFingerprints let code scanning follow an alert across commits.
		PartialFingerprints map[string]string `json:"partialFingerprints"`
	}
	sarifLocation struct {
		ID               *int          `json:"id,omitempty"`
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
		Message          *sarifText    `json:"message,omitempty"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
)

// SARIFSchema is the schema URI written into SARIF logs.
const SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"

func sarifLevel(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "note"
}

// srcRoot is the base of every path: the repository's root, where code scanning
// checked the sources out.
const srcRoot = "%SRCROOT%"

func sarifLoc(p ir.Pos, o Output) sarifPhysical {
	ph := sarifPhysical{ArtifactLocation: sarifArtifact{URI: o.path(p.File.String()), URIBaseID: srcRoot}}
	if ph.ArtifactLocation.URI == "" {
		ph.ArtifactLocation.URI = o.path(".")
		if o.Root == "" {
			ph.ArtifactLocation.URI = "."
		}
	}
	if p.Line > 0 {
		ph.Region = &sarifRegion{StartLine: int(p.Line), StartColumn: int(p.Col)}
	}
	return ph
}

// DocURL is a rule's page, docs/rules/ID.md, where code scanning links to it.
func DocURL(r *Rule) string { return RulesURL + r.ID + ".md" }

// RulesURL is where the rule pages are published.
const RulesURL = "https://github.com/riglet/riglet/blob/main/docs/rules/"

// securitySeverity is the score code scanning ranks a security rule's alerts by
// (critical 9+, high 7+, medium 4+, low): from the rule's default severity, as the
// rules of the security family declare one severity each.
func securitySeverity(r *Rule) string {
	switch r.Severity {
	case Error:
		return "8.0"
	case Warning:
		return "5.0"
	}
	return "2.0"
}

// lineNumbers are the positions a message may quote (a related place); they move
// with every edit above them, so a fingerprint leaves them out.
var lineNumbers = regexp.MustCompile(`:[0-9]+(:[0-9]+)?\b`)

// fingerprint identifies a finding by what it is, not where: the rule, the file and
// the message without positions, and which of the same it is in the file (in order),
// so that an alert keeps its identity when lines are added above it.
func fingerprint(f Finding, file string, seen map[string]int) string {
	h := sha256.Sum256([]byte(f.Rule + "\x00" + file + "\x00" + lineNumbers.ReplaceAllString(f.Message(), "")))
	key := hex.EncodeToString(h[:16])
	seen[key]++
	return key + ":" + strconv.Itoa(seen[key])
}

func writeSARIF(w io.Writer, fs []Finding, o Output) error {
	rules := Rules()
	index := map[string]int{}
	drv := sarifDriver{Name: "riglet", Version: model.Version, InformationURI: "https://github.com/riglet/riglet"}
	for i, r := range rules {
		index[r.ID] = i
		drv.Rules = append(drv.Rules, sarifRule{ID: r.ID, Name: r.Name,
			ShortDescription: sarifText{Text: r.Title}, FullDescription: sarifText{Text: r.Doc},
			Help:                 sarifText{Text: HelpText(r), Markdown: HelpMarkdown(r)},
			HelpURI:              DocURL(r),
			DefaultConfiguration: sarifConfig{Level: sarifLevel(r.Severity)},
			Properties:           map[string]any{"tags": []string{r.Family}}})
		if r.Family == "security" {
			drv.Rules[i].Properties["security-severity"] = securitySeverity(r)
		}
	}
	seen := map[string]int{}
	run := sarifRun{Tool: sarifTool{Driver: drv}, Results: []sarifResult{}}
	for _, f := range fs {
		res := sarifResult{RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
			Message: sarifText{Text: f.Message()}, Locations: []sarifLocation{{PhysicalLocation: sarifLoc(f.Pos, o)}},
			PartialFingerprints: map[string]string{"rigletFinding/v1": fingerprint(f, o.path(f.Pos.File.String()), seen)}}
		for i, r := range f.Related {
			id := i + 1
			loc := sarifLocation{ID: &id, PhysicalLocation: sarifLoc(r.Pos, o)}
			if r.Msg != "" {
				loc.Message = &sarifText{Text: r.Msg}
			}
			res.RelatedLocations = append(res.RelatedLocations, loc)
		}
		run.Results = append(run.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Version: "2.1.0", Schema: SARIFSchema, Runs: []sarifRun{run}})
}

package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// Formats lists the output formats Write knows.
var Formats = []string{"text", "json", "sarif", "github"}

// Write prints findings in a format: text, json, sarif or github.
func Write(w io.Writer, format string, fs []Finding) error {
	switch format {
	case "", "text":
		return writeText(w, fs)
	case "json":
		return writeJSON(w, fs)
	case "sarif":
		return writeSARIF(w, fs)
	case "github":
		return writeGitHub(w, fs)
	}
	return &UsageError{fmt.Sprintf("unknown format %q: use one of %s", format, strings.Join(Formats, ", "))}
}

// writeText prints `path:line:col: severity: message (ID)`, related positions
// indented below.
func writeText(w io.Writer, fs []Finding) error {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s: %s: %s (%s)\n", f.Pos, f.Severity, f.Message(), f.Rule)
		for _, r := range f.Related {
			if r.Msg != "" {
				fmt.Fprintf(&b, "\t%s: %s\n", r.Pos, r.Msg)
			} else {
				fmt.Fprintf(&b, "\t%s\n", r.Pos)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// JSONPos is a position in --format json.
type JSONPos struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Message string `json:"message,omitempty"`
}

// JSONFinding is one finding in --format json.
type JSONFinding struct {
	Rule     string `json:"rule"`
	Name     string `json:"name"`
	Severity string `json:"severity"`
	JSONPos
	Envs    []string  `json:"envs,omitempty"`
	Related []JSONPos `json:"related,omitempty"`
}

// JSONVersion is the version of --format json's shape: a change a reader must know
// of (a field renamed, its meaning changed) raises it; a field added does not.
const JSONVersion = 1

// JSONReport is what --format json prints.
type JSONReport struct {
	Version  int           `json:"version"`
	Findings []JSONFinding `json:"findings"`
	Errors   int           `json:"errors"`
	Warnings int           `json:"warnings"`
	Infos    int           `json:"infos"`
}

func writeJSON(w io.Writer, fs []Finding) error {
	out := JSONReport{Version: JSONVersion, Findings: []JSONFinding{}}
	for _, f := range fs {
		jf := JSONFinding{Rule: f.Rule, Severity: f.Severity.String(), JSONPos: JSONPos{f.Pos.File, int(f.Pos.Line), int(f.Pos.Col), f.Msg}, Envs: f.Envs}
		if r := Lookup(f.Rule); r != nil {
			jf.Name = r.Name
		}
		for _, r := range f.Related {
			jf.Related = append(jf.Related, JSONPos{r.Pos.File, int(r.Pos.Line), int(r.Pos.Col), r.Msg})
		}
		out.Findings = append(out.Findings, jf)
		switch f.Severity {
		case Error:
			out.Errors++
		case Warning:
			out.Warnings++
		default:
			out.Infos++
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

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
		URI string `json:"uri"`
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

func sarifLoc(p ir.Pos) sarifPhysical {
	ph := sarifPhysical{ArtifactLocation: sarifArtifact{URI: p.File}}
	if ph.ArtifactLocation.URI == "" {
		ph.ArtifactLocation.URI = "."
	}
	if p.Line > 0 {
		ph.Region = &sarifRegion{StartLine: int(p.Line), StartColumn: int(p.Col)}
	}
	return ph
}

func writeSARIF(w io.Writer, fs []Finding) error {
	rules := Rules()
	index := map[string]int{}
	drv := sarifDriver{Name: "riglet", Version: model.Version, InformationURI: "https://github.com/riglet/riglet"}
	for i, r := range rules {
		index[r.ID] = i
		drv.Rules = append(drv.Rules, sarifRule{ID: r.ID, Name: r.Name,
			ShortDescription: sarifText{Text: r.Title}, FullDescription: sarifText{Text: r.Doc},
			Help:                 sarifText{Text: HelpText(r), Markdown: HelpMarkdown(r)},
			DefaultConfiguration: sarifConfig{Level: sarifLevel(r.Severity)},
			Properties:           map[string]any{"tags": []string{r.Family}}})
	}
	run := sarifRun{Tool: sarifTool{Driver: drv}, Results: []sarifResult{}}
	for _, f := range fs {
		res := sarifResult{RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
			Message: sarifText{Text: f.Message()}, Locations: []sarifLocation{{PhysicalLocation: sarifLoc(f.Pos)}}}
		for i, r := range f.Related {
			id := i + 1
			loc := sarifLocation{ID: &id, PhysicalLocation: sarifLoc(r.Pos)}
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

// writeGitHub prints workflow commands that annotate the lines of a pull request.
func writeGitHub(w io.Writer, fs []Finding) error {
	var b strings.Builder
	for _, f := range fs {
		cmd := "error"
		switch f.Severity {
		case Warning:
			cmd = "warning"
		case Info:
			cmd = "notice"
		}
		props := []string{}
		if f.Pos.File != "" {
			props = append(props, "file="+ghProp(f.Pos.File))
		}
		if f.Pos.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", f.Pos.Line))
		}
		if f.Pos.Col > 0 {
			props = append(props, fmt.Sprintf("col=%d", f.Pos.Col))
		}
		props = append(props, "title="+ghProp(f.Rule))
		msg := f.Message()
		for _, r := range f.Related {
			msg += "\n" + r.Pos.String()
			if r.Msg != "" {
				msg += ": " + r.Msg
			}
		}
		fmt.Fprintf(&b, "::%s %s::%s\n", cmd, strings.Join(props, ","), ghData(msg))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// HelpText is a rule's doc as plain text: title, doc, examples.
func HelpText(r *Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n\n%s\n", r.ID, r.Title, strings.TrimSpace(r.Doc))
	if r.Bad != "" {
		fmt.Fprintf(&b, "\nBad:\n%s\n", indent(r.Bad))
	}
	if r.Good != "" {
		fmt.Fprintf(&b, "\nGood:\n%s\n", indent(r.Good))
	}
	return b.String()
}

// HelpMarkdown is the same as Markdown, for code scanning's rule help.
func HelpMarkdown(r *Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** %s\n\n%s\n", r.ID, r.Title, strings.TrimSpace(r.Doc))
	if r.Bad != "" {
		fmt.Fprintf(&b, "\nBad:\n\n```yaml\n%s\n```\n", strings.TrimRight(r.Bad, "\n"))
	}
	if r.Good != "" {
		fmt.Fprintf(&b, "\nGood:\n\n```yaml\n%s\n```\n", strings.TrimRight(r.Good, "\n"))
	}
	return b.String()
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}

package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/riglet/riglet/ir"
)

// Formats lists the output formats Write knows.
var Formats = []string{"text", "json", "sarif", "github", "junit"}

// Write prints findings in a format: text, json, sarif, github or junit.
func Write(w io.Writer, format string, fs []Finding) error {
	return WriteTo(w, format, fs, Output{})
}

// Output says how a format names files.
type Output struct {
	// Root is the directory riglet ran in, relative to the repository's root (git's),
	// "" when they are the same: code scanning and workflow annotations place a file
	// by its path from the repository's root, so sarif and github put Root before
	// every path (text and json keep paths relative to where riglet ran).
	Root string
}

// WriteTo is Write with the output's options.
func WriteTo(w io.Writer, format string, fs []Finding, o Output) error {
	switch format {
	case "", "text":
		return writeText(w, fs)
	case "json":
		return writeJSON(w, fs)
	case "sarif":
		return writeSARIF(w, fs, o)
	case "github":
		return writeGitHub(w, fs, o)
	case "junit":
		return writeJUnit(w, fs, o)
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
		jf := JSONFinding{Rule: f.Rule, Severity: f.Severity.String(), JSONPos: JSONPos{f.Pos.File.String(), int(f.Pos.Line), int(f.Pos.Col), f.Msg}, Envs: f.Envs}
		if r := Lookup(f.Rule); r != nil {
			jf.Name = r.Name
		}
		for _, r := range f.Related {
			jf.Related = append(jf.Related, JSONPos{r.Pos.File.String(), int(r.Pos.Line), int(r.Pos.Col), r.Msg})
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

// writeGitHub prints workflow commands that annotate the lines of a pull request.
func writeGitHub(w io.Writer, fs []Finding, o Output) error {
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
		if f.Pos.File != 0 {
			props = append(props, "file="+ghProp(o.path(f.Pos.File.String())))
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
			rp := r.Pos
			rp.File = ir.FileOf(o.path(rp.File.String()))
			msg += "\n" + rp.String()
			if r.Msg != "" {
				msg += ": " + r.Msg
			}
		}
		fmt.Fprintf(&b, "::%s %s::%s\n", cmd, strings.Join(props, ","), ghData(msg))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// path is a finding's file as the repository's root names it.
func (o Output) path(file string) string {
	if o.Root == "" || o.Root == "." || file == "" {
		return file
	}
	return path.Join(o.Root, file)
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

package lint

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

// JUnit XML, as CI systems (GitLab, Jenkins, Azure Pipelines, CircleCI) read test
// reports: one test suite per file, one test case per finding, named by rule and
// position; errors and warnings are failures (of that type), infos pass with their
// message as output. No finding is one passing case, so a report always shows a run.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Cases    []junitCase `xml:"testcase"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		File      string        `xml:"file,attr,omitempty"`
		Line      int           `xml:"line,attr,omitempty"`
		Failure   *junitFailure `xml:"failure"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
)

func writeJUnit(w io.Writer, fs []Finding, o Output) error {
	out := junitSuites{Name: "riglet lint"}
	byFile := map[string]*junitSuite{}
	var files []string
	for _, f := range fs {
		file := o.path(f.Pos.File.String())
		s := byFile[file]
		if s == nil {
			s = &junitSuite{Name: file}
			byFile[file] = s
			files = append(files, file)
		}
		c := junitCase{Name: fmt.Sprintf("%s %s", f.Rule, f.Pos), Classname: "riglet." + f.Rule, File: file, Line: int(f.Pos.Line)}
		if r := Lookup(f.Rule); r != nil {
			c.Name += " " + r.Name
		}
		text := f.Pos.String() + ": " + f.Severity.String() + ": " + f.Message() + " (" + f.Rule + ")"
		for _, r := range f.Related {
			text += "\n\t" + r.Pos.String()
			if r.Msg != "" {
				text += ": " + r.Msg
			}
		}
		if f.Severity == Info {
			c.SystemOut = text
		} else {
			c.Failure = &junitFailure{Message: f.Message(), Type: f.Severity.String(), Text: text}
			s.Failures++
			out.Failures++
		}
		s.Cases = append(s.Cases, c)
		s.Tests++
		out.Tests++
	}
	sort.Strings(files)
	for _, f := range files {
		out.Suites = append(out.Suites, *byFile[f])
	}
	if len(fs) == 0 {
		out.Suites = []junitSuite{{Name: "riglet lint", Tests: 1, Cases: []junitCase{{Name: "no findings", Classname: "riglet"}}}}
		out.Tests = 1
	}
	var b strings.Builder
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

package lint

import (
	"bytes"
	"encoding/xml"
	"testing"
)

// TestFormatJUnit: a suite per file (from the repository's root), a case per finding;
// errors and warnings fail with their type, infos pass with their text as output,
// and the counts add up; no finding is one passing case.
func TestFormatJUnit(t *testing.T) {
	fs := []Finding{
		{Rule: "CFN002", Severity: Error, Pos: posOf("blocks/b/block.yaml", 6, 7), Msg: "unknown property <X> & co"},
		{Rule: "OBS004", Severity: Warning, Pos: posOf("blocks/b/block.yaml", 8, 3), Msg: "no retention"},
		{Rule: "CFN013", Severity: Info, Pos: posOf("riglets/x.yaml", 3, 1), Msg: "big template"},
	}
	var b bytes.Buffer
	if err := WriteTo(&b, "junit", fs, Output{Root: "infra"}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				File    string `xml:"file,attr"`
				Line    int    `xml:"line,attr"`
				Failure *struct {
					Type    string `xml:"type,attr"`
					Message string `xml:"message,attr"`
				} `xml:"failure"`
				Out string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b.String())
	}
	if got.Tests != 3 || got.Failures != 2 || len(got.Suites) != 2 {
		t.Fatalf("tests %d failures %d suites %d:\n%s", got.Tests, got.Failures, len(got.Suites), b.String())
	}
	blk, rig := got.Suites[0], got.Suites[1]
	if blk.Name != "infra/blocks/b/block.yaml" || blk.Tests != 2 || blk.Failures != 2 || rig.Name != "infra/riglets/x.yaml" || rig.Failures != 0 {
		t.Errorf("suites: %+v", got.Suites)
	}
	c := blk.Cases[0]
	if c.Failure == nil || c.Failure.Type != "error" || c.Failure.Message != "unknown property <X> & co" || c.Line != 6 || c.File != "infra/blocks/b/block.yaml" {
		t.Errorf("first case: %+v", c)
	}
	if blk.Cases[1].Failure == nil || blk.Cases[1].Failure.Type != "warning" {
		t.Errorf("a warning is not a failure of type warning: %+v", blk.Cases[1])
	}
	if ic := rig.Cases[0]; ic.Failure != nil || ic.Out == "" {
		t.Errorf("an info fails, or says nothing: %+v", ic)
	}
	b.Reset()
	WriteTo(&b, "junit", nil, Output{})
	if err := xml.Unmarshal(b.Bytes(), &got); err != nil || got.Tests != 1 || got.Failures != 0 {
		t.Errorf("no findings: %s", b.String())
	}
}

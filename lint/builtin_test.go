package lint

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
)

// builtinCases are riglets whose mistakes surface in built-in blocks, files the user
// does not have. Each is a spec over the repository's own env files.
var builtinCases = map[string]func(twig string) (file, spec string){
	// two services on one path with no explicit priorities: a clash of two rules
	// that the built-in ecs-service writes
	"same-path": func(twig string) (string, string) {
		s := strings.Replace(twig, "          ListenerRulePriority: 100\n          PathPattern: /api/*", "          PathPattern: /api/*", 1)
		s = strings.Replace(s, "          ListenerRulePriority: 200\n          PathPattern: /*", "          PathPattern: /api/*", 1)
		return "riglets/twig.yaml", s
	},
	// a catalogue alarm with a required threshold nobody set
	"missing-threshold": func(string) (string, string) {
		return "riglets/q.yaml", "riglet: q\nowner: acme\nenvs: [integration]\nstacks:\n  ops:\n    blocks:\n      ops: {block: ops-topic}\n  app:\n    blocks:\n      queue: {block: sqs-queue}\n"
	},
	// a bad value passed to a built-in block's parameter
	"bad-value": func(string) (string, string) {
		return "riglets/q.yaml", "riglet: q\nowner: acme\nenvs: [integration]\nstacks:\n  ops:\n    blocks:\n      ops: {block: ops-topic}\n  app:\n    blocks:\n      queue:\n        block: sqs-queue\n        params: {VisibilityTimeout: -5}\n        alarms: {Queue: {SqsQueueDepth: 10}}\n"
	},
}

// TestBuiltinFindingsAtUserLines: whatever a built-in block makes go wrong is reported
// at a line and column of a file in the user's repository (the spec or an env file), in
// every output format, with the built-in line as a related position when one is behind it.
func TestBuiltinFindingsAtUserLines(t *testing.T) {
	twig, err := os.ReadFile("../riglets/twig.yaml")
	if err != nil {
		t.Fatal(err)
	}
	userFile := regexp.MustCompile(`^(riglets|envs)/[^/]+\.yaml$`)
	for name, mk := range builtinCases {
		t.Run(name, func(t *testing.T) {
			file, spec := mk(string(twig))
			fsys := fstest.MapFS{file: {Data: []byte(spec)}}
			for _, e := range []string{"integration", "staging", "production"} {
				data, err := os.ReadFile("../envs/" + e + ".yaml")
				if err != nil {
					t.Fatal(err)
				}
				fsys["envs/"+e+".yaml"] = &fstest.MapFile{Data: data}
			}
			rep, err := Lint(fsys, blocks.FS, []string{file}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.HasErrors() {
				t.Fatal("no error found")
			}
			builtinRelated := false
			for _, f := range rep.Findings {
				if !userFile.MatchString(f.Pos.File.String()) || f.Pos.Line == 0 || f.Pos.Col == 0 {
					t.Errorf("%s (%s): primary position not at a line:col of the user's spec or env files", f.Pos, f.Rule)
				}
				for _, r := range f.Related {
					builtinRelated = builtinRelated || strings.HasPrefix(r.Pos.File.String(), "blocks/")
				}
			}
			if name != "bad-value" && !builtinRelated {
				t.Errorf("no finding relates the built-in block line: %v", rep.Findings)
			}
			// The same through compile, and in every format.
			_, cerr := compiler.Compile(fsys, blocks.FS, file, compiler.Options{})
			if cerr == nil {
				t.Fatal("compile succeeded")
			}
			for _, f := range FromErrors(cerr) {
				if !userFile.MatchString(f.Pos.File.String()) {
					t.Errorf("compile: %s: %s (%s) not in the user's files", f.Pos, f.Msg, f.Rule)
				}
			}
			for _, format := range Formats {
				var b bytes.Buffer
				if err := Write(&b, format, rep.Findings); err != nil {
					t.Fatal(err)
				}
				checkFormatFiles(t, format, b.Bytes(), userFile)
			}
		})
	}
}

// checkFormatFiles reads the primary file of every finding out of a format's bytes.
func checkFormatFiles(t *testing.T, format string, out []byte, userFile *regexp.Regexp) {
	t.Helper()
	var files []string
	switch format {
	case "text":
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if !strings.HasPrefix(l, "\t") {
				files = append(files, strings.SplitN(l, ":", 2)[0])
			}
		}
	case "github":
		for _, m := range regexp.MustCompile(`(?m)^::\w+ file=([^,]+),line=\d+,col=\d+,`).FindAllSubmatch(out, -1) {
			files = append(files, string(m[1]))
		}
	case "json":
		var v struct{ Findings []struct{ File string } }
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatal(err)
		}
		for _, f := range v.Findings {
			files = append(files, f.File)
		}
	case "sarif":
		var v struct {
			Runs []struct {
				Results []struct {
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct{ URI string }
							Region           struct{ StartLine, StartColumn int }
						}
					}
				}
			}
		}
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatal(err)
		}
		for _, r := range v.Runs[0].Results {
			l := r.Locations[0].PhysicalLocation
			if l.Region.StartLine == 0 || l.Region.StartColumn == 0 {
				t.Errorf("sarif: %s has no line:col", l.ArtifactLocation.URI)
			}
			files = append(files, l.ArtifactLocation.URI)
		}
	case "junit":
		var v struct {
			Suites []struct {
				Cases []struct {
					File string `xml:"file,attr"`
					Line int    `xml:"line,attr"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal(out, &v); err != nil {
			t.Fatal(err)
		}
		for _, s := range v.Suites {
			for _, c := range s.Cases {
				if c.Line == 0 {
					t.Errorf("junit: %s has no line", c.File)
				}
				files = append(files, c.File)
			}
		}
	}
	if len(files) == 0 {
		t.Errorf("%s: no findings read back", format)
	}
	for _, f := range files {
		if !userFile.MatchString(f) {
			t.Errorf("%s: finding at %s, a file the user does not have", format, f)
		}
	}
}

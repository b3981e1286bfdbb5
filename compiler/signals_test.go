package compiler_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/source"
)

var (
	signalFlagRE  = regexp.MustCompile(`(?:^|[\s"'])--resource(?:=|\s+)([^\s"';]+)`)
	signalShortRE = regexp.MustCompile(`(?:^|[\s"'])-r\s+([^\s"';]+)`)
	signalPathRE  = regexp.MustCompile(`\bResources\.([^.\s]+)\.Metadata`)
)

// TestSignalsNameResourcesOfTheirOutput: in every template riglet compiled (the
// golden cases' and the examples' committed out/), every resource that cfn-signal,
// cfn-init or cfn-hup names (--resource, cfn-init's -r, Resources.X.Metadata)
// is a resource of that template; else a CreationPolicy waits for a signal that
// goes to a resource that does not exist.
func TestSignalsNameResourcesOfTheirOutput(t *testing.T) {
	templates := map[string][]byte{}
	goldens, _ := filepath.Glob("testdata/compile/*.txtar")
	for _, g := range goldens {
		ar, err := txtar.ParseFile(g)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if strings.HasPrefix(f.Name, "want/") && strings.HasSuffix(f.Name, ".yaml") && !strings.HasSuffix(f.Name, ".lock") {
				templates[g+":"+f.Name] = f.Data
			}
		}
	}
	outs, _ := filepath.Glob("../out/*/*/*.yaml")
	if len(outs) == 0 {
		t.Fatal("no committed examples under ../out")
	}
	for _, o := range outs {
		data, err := os.ReadFile(o)
		if err != nil {
			t.Fatal(err)
		}
		templates[o] = data
	}
	checked := 0
	for name, data := range templates {
		root, err := source.Parse(name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		res := root.Get("Resources")
		ir.Walk(root, func(n *ir.Node) bool {
			if n.Kind != ir.String {
				return true
			}
			for _, line := range strings.Split(n.Text, "\n") {
				var names []string
				for _, m := range signalFlagRE.FindAllStringSubmatch(line, -1) {
					names = append(names, m[1])
				}
				if strings.Contains(line, "cfn-init") || strings.Contains(line, "cfn-get-metadata") {
					for _, m := range signalShortRE.FindAllStringSubmatch(line, -1) {
						names = append(names, m[1])
					}
				}
				for _, m := range signalPathRE.FindAllStringSubmatch(line, -1) {
					names = append(names, m[1])
				}
				for _, r := range names {
					checked++
					if res.Get(r) == nil {
						t.Errorf("%s: %q names %s, which is no resource of the template", name, strings.TrimSpace(line), r)
					}
				}
			}
			return true
		})
	}
	if checked < 6 {
		t.Fatalf("only %d names checked: the signals golden case is gone?", checked)
	}
}

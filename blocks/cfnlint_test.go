//go:build oracle

// Oracle tests: cfn-lint, AWS's own linter, judges every template the blocks and the
// examples compile to. They run under `make check` (go test -tags oracle).

package blocks_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// allowedWarnings are the cfn-lint warnings the generated templates may carry, each
// with the reason it is not fixed. Any other warning, and every error, fails the test.
var allowedWarnings = map[string]string{
	// riglet derives subnets per AZ from the env's azs list at compile time, so the
	// output names AZs; Fn::GetAZs would make the subnet plan depend on the account.
	"W3010": "hard-coded availability zones are the env's azs, chosen on purpose",
}

// cfnLint runs cfn-lint over files and reports every finding not allowed.
func cfnLint(t *testing.T, files []string) {
	t.Helper()
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("this oracle test needs cfn-lint on PATH (python3 -m pip install cfn-lint)")
	}
	if len(files) == 0 {
		t.Fatal("no templates to lint")
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, append([]string{"--format", "parseable", "--"}, files...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if _, exit := err.(*exec.ExitError); err != nil && !exit {
		t.Fatalf("run cfn-lint: %v", err)
	}
	if stderr.Len() > 0 {
		t.Errorf("cfn-lint wrote to stderr:\n%s", stderr.String())
	}
	// parseable lines: file:line:col:endline:endcol:RULE:message
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 7)
		if len(parts) < 7 {
			t.Errorf("cfn-lint: %s", sc.Text())
			continue
		}
		if _, ok := allowedWarnings[parts[5]]; ok {
			continue
		}
		t.Errorf("%s:%s:%s: %s %s", parts[0], parts[1], parts[2], parts[5], parts[6])
	}
}

// TestCfnLintExamples lints every template riglet compile wrote for the example
// riglets (out/, committed): run riglet compile first when blocks change.
func TestCfnLintExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "out", "*", "*", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfnLint(t, files)
}

// TestCfnLintBlocks lints the templates of the per-block cases (their golden output).
func TestCfnLintBlocks(t *testing.T) {
	defaultEnv, err := os.ReadFile("testdata/envs/test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases, _ := filepath.Glob("testdata/*.txtar")
	dir := t.TempDir()
	var files []string
	for _, c := range cases {
		got, _ := compileCase(t, c, defaultEnv)
		for path, data := range got {
			if !strings.HasSuffix(path, ".yaml") {
				continue
			}
			dst := filepath.Join(dir, strings.TrimSuffix(filepath.Base(c), ".txtar"), filepath.FromSlash(path))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, dst)
		}
	}
	cfnLint(t, files)
}

package lint

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

const largeTemplate = "testdata/bench/large.yaml"

// BenchmarkLargeTemplate lints one large template (every twig stack three times
// over: ~190 KB, 276 resources) and, when cfn-lint is installed, times cfn-lint
// once on the same file in the same run and reports the ratio.
func BenchmarkLargeTemplate(b *testing.B) {
	data, err := os.ReadFile(largeTemplate)
	if err != nil {
		b.Fatal(err)
	}
	var cfn time.Duration
	if path, err := exec.LookPath("cfn-lint"); err == nil {
		start := time.Now()
		_ = exec.Command(path, largeTemplate).Run() // exit status is the findings, not a failure
		cfn = time.Since(start)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Template(largeTemplate, data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	per := b.Elapsed() / time.Duration(b.N)
	if cfn > 0 && per > 0 {
		b.ReportMetric(float64(cfn.Milliseconds()), "cfnlint-ms")
		b.ReportMetric(float64(cfn)/float64(per), "x-faster")
	}
}

// BenchmarkLargeRiglet lints a riglet whose one block expands to 501 resources:
// compile plus every rule.
func BenchmarkLargeRiglet(b *testing.B) {
	fsys, specs, _ := loadCase(b, "testdata/CFN011/bad.txtar")
	for b.Loop() {
		if _, err := Lint(fsys, builtinAlarms, specs, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

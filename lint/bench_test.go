package lint

import (
	"os"
	"testing"
)

const largeTemplate = "testdata/bench/large.yaml"

// BenchmarkLargeTemplate lints one large template (every twig stack three times
// over: ~190 KB, 276 resources) in process. It says nothing of other tools: a warm loop
// is not a process. make bench (scripts/bench.sh) compares whole processes, riglet lint
// with cfn-lint on this same file, in paired runs.
func BenchmarkLargeTemplate(b *testing.B) {
	data, err := os.ReadFile(largeTemplate)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Template(largeTemplate, data, Options{}); err != nil {
			b.Fatal(err)
		}
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

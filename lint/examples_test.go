package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riglet/riglet/blocks"
)

// openInBlocks are the errors the security rules find in the built-in blocks that
// issue 12's block fixes close (problems 1 and 6), keyed "rule file": each must
// still be found, so that the entry goes when its fix lands and the examples are
// then held to no errors at all.
var openInBlocks = map[string]string{}

// TestExamples lints the repository's riglets with the built-in blocks: they must
// compile and have no errors (but those of openInBlocks).
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
	seen := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Severity != Error {
			continue
		}
		if k := f.Rule + " " + f.Pos.File.String(); openInBlocks[k] != "" {
			seen[k] = true
			continue
		}
		t.Errorf("%s: %s (%s)", f.Pos, f.Message(), f.Rule)
	}
	for k, why := range openInBlocks {
		if !seen[k] {
			t.Errorf("%s is no longer found (%s): remove it from openInBlocks", k, why)
		}
	}
}

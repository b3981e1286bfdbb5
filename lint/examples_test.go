package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riglet/riglet/blocks"
)

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

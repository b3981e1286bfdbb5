package emit

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws-cloudformation/rain/cft/parse"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the out.yaml of testdata/golden/*.txtar")

// TestGolden writes each in.yaml (read with rain's parser) and compares with out.yaml.
// An optional "header" file gives the header lines.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var in, want string
			var header []string
			out := -1
			for i, file := range ar.Files {
				switch file.Name {
				case "in.yaml":
					in = string(file.Data)
				case "out.yaml":
					want, out = string(file.Data), i
				case "header":
					header = strings.Split(strings.TrimSuffix(string(file.Data), "\n"), "\n")
				}
			}
			tmpl, err := parse.String(in)
			if err != nil {
				t.Fatal(err)
			}
			got := Template(header, fromYAML(tmpl.Node))
			if *update {
				if out < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "out.yaml"})
					out = len(ar.Files) - 1
				}
				if !bytes.Equal(ar.Files[out].Data, got) {
					ar.Files[out].Data = got
					if err := os.WriteFile(f, txtar.Format(ar), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			if d := cmp.Diff(want, string(got)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

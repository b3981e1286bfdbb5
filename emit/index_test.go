package emit

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riglet/riglet/source"
)

// TestIndexLines: for every committed example template, the index names the line on
// which each resource and output key was written, and names every one of them.
func TestIndexLines(t *testing.T) {
	files, _ := filepath.Glob("../out/*/*/*.yaml")
	if len(files) < 10 {
		t.Fatalf("only %d example templates under out/", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		root, err := source.Parse(f, data)
		if err != nil {
			t.Fatal(err)
		}
		out, idx := TemplateIndexed([]string{"header one", "header two"}, root)
		if !bytes.Equal(out, Template([]string{"header one", "header two"}, root)) {
			t.Fatalf("%s: indexing changed the bytes", f)
		}
		lines := strings.Split(string(out), "\n")
		for section, m := range map[string]map[string]int{"Resources": idx.Resources, "Outputs": idx.Outputs} {
			n := root.Get(section)
			if n == nil {
				continue
			}
			if len(m) != len(n.Pairs) {
				t.Errorf("%s: %s: indexed %d of %d keys", f, section, len(m), len(n.Pairs))
			}
			for _, p := range n.Pairs {
				l, ok := m[p.Key]
				if !ok || l < 1 || l > len(lines) {
					t.Errorf("%s: %s.%s not indexed (%d)", f, section, p.Key, l)
					continue
				}
				if got := lines[l-1]; !strings.HasPrefix(got, "  "+p.Key+":") {
					t.Errorf("%s: %s.%s indexed at line %d, which is %q", f, section, p.Key, l, got)
				}
			}
		}
	}
}

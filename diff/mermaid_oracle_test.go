//go:build oracle

package diff

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/riglet/riglet/internal/mermaidcheck"
)

// The markdown a pull request comment gets draws the affected stacks as a Mermaid chart:
// every golden case's chart must render (the Mermaid CLI in Debian's chromium).
func TestMarkdownChartsRender(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	var page bytes.Buffer
	for _, file := range files {
		ar := parseArchive(t, file)
		r := &Report{Version: Version, Riglets: []*Riglet{Compare(sideOf(t, ar, "old"), sideOf(t, ar, "new"))}}
		if err := Write(&page, "markdown", r); err != nil {
			t.Fatal(err)
		}
		page.WriteString("\n")
	}
	mermaidcheck.Render(t, "..", page.Bytes())
}

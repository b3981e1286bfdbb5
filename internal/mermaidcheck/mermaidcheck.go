// Package mermaidcheck renders Mermaid charts with the Mermaid CLI in Debian's chromium,
// for the oracle tests of everything riglet writes as Mermaid (riglet graph, docs, the
// markdown of riglet diff). It is test support, never part of riglet's run time.
package mermaidcheck

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// tool finds mmdc under the repository root and writes a puppeteer config for chromium;
// the test fails, saying what to install, when either is missing.
func tool(t testing.TB, root string) (bin, config string) {
	t.Helper()
	bin, _ = filepath.Abs(filepath.Join(root, "oracles/npm/mermaid-cli/node_modules/.bin/mmdc"))
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("the Mermaid CLI is missing (%s): run npm ci --prefix oracles/npm/mermaid-cli (PUPPETEER_SKIP_DOWNLOAD=1)", bin)
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("chromium is missing (%s): apt-get install chromium, or set CHROMIUM", chromium)
	}
	config = filepath.Join(t.TempDir(), "puppeteer.json")
	// The flags keep a headless chromium off the network this machine does not have.
	cfg := fmt.Sprintf(`{"executablePath": %q, "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]}`, chromium)
	if err := os.WriteFile(config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return bin, config
}

// Render renders every ```mermaid block of a markdown page in one chromium start, after
// showing mmdc a broken chart to prove it can say no, and fails the test unless each
// block became an SVG.
func Render(t testing.TB, root string, page []byte) {
	t.Helper()
	bin, config := tool(t, root)
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.mmd")
	os.WriteFile(broken, []byte("flowchart TB\n  n1[\"a\"] --> \n  subgraph\n"), 0o644)
	if out, err := exec.Command(bin, "-p", config, "-i", broken, "-o", filepath.Join(dir, "broken.svg")).CombinedOutput(); err == nil {
		t.Fatalf("mmdc accepted a broken chart, so it judges nothing:\n%s", out)
	}
	charts := bytes.Count(page, []byte("```mermaid"))
	if charts == 0 {
		t.Fatal("the page has no mermaid chart: the check would prove nothing")
	}
	in := filepath.Join(dir, "page.md")
	if err := os.WriteFile(in, page, 0o644); err != nil {
		t.Fatal(err)
	}
	outDir := filepath.Join(dir, "out")
	os.Mkdir(outDir, 0o755)
	if out, err := exec.Command(bin, "-p", config, "-i", in, "-o", filepath.Join(outDir, "page.md")).CombinedOutput(); err != nil {
		t.Fatalf("mmdc failed: %v\n%s", err, out)
	}
	svgs, _ := filepath.Glob(filepath.Join(outDir, "*.svg"))
	if len(svgs) != charts {
		t.Errorf("%d charts, %d rendered", charts, len(svgs))
	}
	for _, s := range svgs {
		b, _ := os.ReadFile(s)
		if !bytes.Contains(b, []byte("<svg")) || bytes.Contains(b, []byte("Syntax error")) {
			t.Errorf("%s is not a rendered chart", filepath.Base(s))
		}
	}
}

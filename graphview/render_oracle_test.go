//go:build oracle

package graphview

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The renderers are the judges of the syntax: every graph of every example riglet must
// render with the Mermaid CLI (in Debian's chromium) and with Graphviz's dot. Each judge
// is first shown a broken graph, to prove it can say no. make check runs this; .ci/run
// installs both (oracles/apt-packages, oracles/npm/mermaid-cli).

func mmdc(t *testing.T) (bin, config string) {
	t.Helper()
	bin, _ = filepath.Abs("../oracles/npm/mermaid-cli/node_modules/.bin/mmdc")
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

func TestMermaidRenders(t *testing.T) {
	t.Parallel()
	bin, config := mmdc(t)
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.mmd")
	os.WriteFile(broken, []byte("flowchart TB\n  n1[\"a\"] --> \n  subgraph\n"), 0o644)
	if out, err := exec.Command(bin, "-p", config, "-i", broken, "-o", filepath.Join(dir, "broken.svg")).CombinedOutput(); err == nil {
		t.Fatalf("mmdc accepted a broken chart, so it judges nothing:\n%s", out)
	}
	// One page of every example's charts: one chromium start for all of them.
	var page []byte
	for _, res := range examples(t) {
		p, err := Markdown(res)
		if err != nil {
			t.Fatal(err)
		}
		page = append(page, p...)
	}
	in := filepath.Join(dir, "examples.md")
	if err := os.WriteFile(in, page, 0o644); err != nil {
		t.Fatal(err)
	}
	outDir := filepath.Join(dir, "out")
	os.Mkdir(outDir, 0o755)
	if out, err := exec.Command(bin, "-p", config, "-i", in, "-o", filepath.Join(outDir, "page.md")).CombinedOutput(); err != nil {
		t.Fatalf("mmdc failed: %v\n%s", err, out)
	}
	charts := bytes.Count(page, []byte("```mermaid"))
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

func TestDotRenders(t *testing.T) {
	t.Parallel()
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Fatal("Graphviz's dot is missing: apt-get install graphviz")
	}
	run := func(src string) ([]byte, error) {
		cmd := exec.Command(dot, "-Tsvg")
		cmd.Stdin = strings.NewReader(src)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		if err != nil || errb.Len() > 0 { // dot warns on stderr about what it could not draw
			return errb.Bytes(), fmt.Errorf("dot: %v: %s", err, errb.String())
		}
		return out.Bytes(), nil
	}
	if _, err := run("digraph x { a -> ; }"); err == nil {
		t.Fatal("dot accepted a broken graph, so it judges nothing")
	}
	for _, res := range examples(t) {
		for _, er := range res.Envs {
			for _, v := range Views {
				if er.Env == "shared" && v != Stacks {
					continue
				}
				g, err := Build(res, er.Env, v)
				if err != nil {
					t.Fatal(err)
				}
				var b strings.Builder
				g.Write(&b, DOT)
				out, err := run(b.String())
				if err != nil {
					t.Errorf("%s/%s/%s: %v\n%s", res.Spec.Name, er.Env, v, err, b.String())
				} else if !bytes.Contains(out, []byte("<svg")) {
					t.Errorf("%s/%s/%s: no svg", res.Spec.Name, er.Env, v)
				}
			}
		}
	}
}

//go:build oracle

package graphview

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/riglet/riglet/internal/mermaidcheck"
)

// The renderers are the judges of the syntax: every graph of every example riglet must
// render with the Mermaid CLI (in Debian's chromium) and with Graphviz's dot. Each judge
// is first shown a broken graph, to prove it can say no. make check runs this; .ci/run
// installs both (oracles/apt-packages, oracles/npm/mermaid-cli).

func TestMermaidRenders(t *testing.T) {
	t.Parallel()
	// One page of every example's charts: one chromium start for all of them.
	var page []byte
	for _, res := range examples(t) {
		p, err := Markdown(res)
		if err != nil {
			t.Fatal(err)
		}
		page = append(page, p...)
	}
	mermaidcheck.Render(t, "..", page)
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

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/docs"
	"github.com/riglet/riglet/graphview"
	"github.com/riglet/riglet/model"
)

type docsCmd struct {
	Block  string `arg:"" optional:"" help:"Only this block (default: every block, and the index, and every riglet's graphs)."`
	Out    string `default:"docs/blocks" help:"Directory the block READMEs are written to."`
	Graphs string `default:"docs/riglets" help:"Directory each riglet's graphs (stacks, network, routes of every env) are written to, when the repository has riglets/."`
}

func (c *docsCmd) Run(g *globals) error {
	fsys := os.DirFS(g.Dir)
	lib := model.NewLibrary(fsys, builtinBlocks())
	cat, err := lib.Catalogue()
	if err != nil {
		printErrors(g.Stderr, err)
		return errorsFound
	}
	files := map[string][]byte{}
	if c.Block != "" {
		data, err := docs.Block(lib, cat, c.Block)
		if err != nil {
			return usageError{err}
		}
		files[c.Block+".md"] = data
	} else if files, err = docs.All(lib, cat); err != nil {
		printErrors(g.Stderr, err)
		return errorsFound
	}
	if err := writeDocs(g, c.Out, files, "block docs"); err != nil {
		return err
	}
	if c.Block != "" {
		return nil
	}
	specs, _ := filepath.Glob(filepath.Join(g.Dir, "riglets", "*.yaml"))
	if len(specs) == 0 {
		return nil
	}
	pages, err := rigletGraphs(g)
	if err != nil {
		return err
	}
	return writeDocs(g, c.Graphs, pages, "riglet graph pages")
}

// rigletGraphs compiles every riglet of the repository (nothing is written) and draws
// its graphs, a page per riglet.
func rigletGraphs(g *globals) (map[string][]byte, error) {
	files, err := specFiles(g.Dir, nil)
	if err != nil {
		return nil, err
	}
	pages := map[string][]byte{}
	for _, f := range files {
		res, err := compiler.Compile(os.DirFS(g.Dir), builtinBlocks(), f, compiler.Options{})
		if err != nil {
			return nil, printErrors(g.Stderr, err)
		}
		page, err := graphview.Markdown(res)
		if err != nil {
			return nil, err
		}
		pages[res.Spec.Name+".md"] = page
	}
	return pages, nil
}

// writeDocs writes files into dir (relative to the repository), each only when changed,
// so that a re-run leaves file times alone.
func writeDocs(g *globals, dir string, files map[string][]byte, what string) error {
	out := dir
	if !filepath.IsAbs(out) {
		out = filepath.Join(g.Dir, out)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	written := 0
	for _, n := range names {
		path := filepath.Join(out, n)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, files[n]) {
			continue
		}
		if err := os.WriteFile(path, files[n], 0o644); err != nil {
			return err
		}
		written++
	}
	rel, err := filepath.Rel(g.Dir, out)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = out
	}
	fmt.Fprintf(g.Stdout, "%d %s in %s (%d changed)\n", len(names), what, filepath.ToSlash(rel), written)
	return nil
}

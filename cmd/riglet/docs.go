package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/riglet/riglet/docs"
	"github.com/riglet/riglet/model"
)

type docsCmd struct {
	Block string `arg:"" optional:"" help:"Only this block (default: every block, and the index)."`
	Out   string `default:"docs/blocks" help:"Directory the READMEs are written to."`
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
	out := c.Out
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
		// written only when changed, so a re-run leaves file times alone
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
	fmt.Fprintf(g.Stdout, "%d block docs in %s (%d changed)\n", len(names), filepath.ToSlash(rel), written)
	return nil
}

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/riglet/riglet/fileschema"
	"github.com/riglet/riglet/model"
)

type schemaCmd struct {
	Out string `default:".riglet/schema" help:"Directory the schemas are written to: env.json, spec.json and block.json."`
}

// Run writes the JSON Schemas of env files, riglet specs and blocks, with the blocks
// of the repository riglet runs in beside the built-in ones, so that an editor
// completes and checks the parameters of the team's own blocks too.
func (c *schemaCmd) Run(g *globals) error {
	lib := model.NewLibrary(os.DirFS(g.Dir), builtinBlocks())
	files, err := fileschema.All(lib)
	if err != nil {
		return printErrors(g.Stderr, err)
	}
	out := c.Out
	if !filepath.IsAbs(out) {
		out = filepath.Join(g.Dir, out)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return usageError{err}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	written := 0
	for _, n := range names {
		p := filepath.Join(out, n)
		// written only when changed, so that an editor watching them reloads only then
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, files[n]) {
			continue
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return usageError{err}
		}
		written++
	}
	rel, err := filepath.Rel(g.Dir, out)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = out
	}
	fmt.Fprintf(g.Stdout, "%d schemas in %s (%d changed): %s\n", len(names), filepath.ToSlash(rel), written, strings.Join(names, ", "))
	return nil
}

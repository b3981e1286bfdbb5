// Command gen regenerates every generated doc of the repository (`go generate ./docs`):
// the block READMEs, the reference pages, the rule pages and the editors' JSON
// Schemas, each written only when its bytes change, and stale pages removed. The
// tests of docs and fileschema fail when a committed file differs from what this writes.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/docs"
	"github.com/riglet/riglet/fileschema"
	"github.com/riglet/riglet/model"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	// go generate runs in the package directory, docs/; the paths are the repository's.
	root := ".."
	lib := model.NewLibrary(nil, blocks.FS)
	cat, err := lib.Catalogue()
	if err != nil {
		return err
	}
	blockDocs, err := docs.All(lib, cat)
	if err != nil {
		return err
	}
	ref, rules, err := docs.Reference()
	if err != nil {
		return err
	}
	schemas, err := fileschema.All(lib)
	if err != nil {
		return err
	}
	for dir, files := range map[string]map[string][]byte{
		docs.Dir:          blockDocs,
		docs.ReferenceDir: ref,
		docs.RulesDir:     rules,
		fileschema.Dir:    schemas,
	} {
		if err := sync(filepath.Join(root, dir), files); err != nil {
			return err
		}
	}
	return nil
}

// sync makes dir hold exactly files (of their extension), writing only what changed.
func sync(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	exts := map[string]bool{}
	for name, data := range files {
		exts[filepath.Ext(name)] = true
		p := filepath.Join(dir, name)
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, data) {
			continue
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if _, ok := files[e.Name()]; !ok && !e.IsDir() && exts[filepath.Ext(e.Name())] && !strings.HasPrefix(e.Name(), ".") {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

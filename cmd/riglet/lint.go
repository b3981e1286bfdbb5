package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/riglet/riglet/lint"
	"github.com/riglet/riglet/model"
)

type lintCmd struct {
	Riglets  []string `arg:"" optional:"" name:"riglet" help:"Riglet names, spec paths, or plain CloudFormation templates (default: every riglets/*.yaml)."`
	Env      []string `short:"e" help:"Only these envs (repeatable)."`
	Format   string   `short:"f" default:"text" enum:"text,json,sarif,github" help:"Output format: text, json, sarif or github."`
	Ignore   []string `help:"Drop every finding of this rule (repeatable)."`
	Severity []string `help:"Override a rule's severity: ID=error|warning|info (repeatable)."`
}

func (c *lintCmd) Run(g *globals) error {
	opts := lint.Options{Envs: c.Env, Ignore: c.Ignore, Severity: map[string]lint.Severity{}}
	for _, s := range c.Severity {
		id, level, ok := strings.Cut(s, "=")
		sev, err := lint.ParseSeverity(level)
		if !ok || err != nil {
			return usageError{fmt.Errorf("--severity %s: want ID=error|warning|info", s)}
		}
		opts.Severity[id] = sev
	}
	var specs, templates []string
	for _, a := range c.Riglets {
		if isTemplate(inDir(g.Dir, a)) {
			templates = append(templates, a)
		} else {
			specs = append(specs, a)
		}
	}
	rep := &lint.Report{}
	if len(specs) > 0 || len(templates) == 0 {
		files, err := specFiles(g.Dir, specs)
		if err != nil {
			return err
		}
		if err := model.CheckUniqueNames(os.DirFS(g.Dir), files); err != nil {
			rep.Findings = append(rep.Findings, lint.FromErrors(err)...)
		}
		r, err := lint.Lint(os.DirFS(g.Dir), builtinBlocks(), files, opts)
		if err != nil {
			return asUsage(err)
		}
		rep.Findings = append(rep.Findings, r.Findings...)
	}
	for _, t := range templates {
		data, err := os.ReadFile(inDir(g.Dir, t))
		if err != nil {
			return usageError{err}
		}
		r, err := lint.Template(templateName(g.Dir, t), data, opts)
		if err != nil {
			return asUsage(err)
		}
		rep.Findings = append(rep.Findings, r.Findings...)
	}
	if err := lint.Write(g.Stdout, c.Format, rep.Findings); err != nil {
		return asUsage(err)
	}
	if c.Format == "text" && len(rep.Findings) > 0 {
		fmt.Fprintf(g.Stderr, "%s, %s, %s\n", count(rep.Count(lint.Error), "error"), count(rep.Count(lint.Warning), "warning"), count(rep.Count(lint.Info), "info"))
	}
	if hasUnreadable(rep.Findings) {
		return unreadableFound
	}
	if rep.HasErrors() {
		return errorsFound
	}
	return nil
}

// count says "1 error", "2 errors".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func asUsage(err error) error {
	var ue *lint.UsageError
	if errors.As(err, &ue) {
		return usageError{err}
	}
	return err
}

// inDir is where a path argument points: an absolute path as it is, a relative one
// under the working directory.
func inDir(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// templateName is how findings name a template given by path: relative to the working
// directory when it is inside it (as every other path prints), else as given.
func templateName(dir, p string) string {
	if filepath.IsAbs(p) {
		if rel, err := filepath.Rel(dir, p); err == nil && filepath.IsLocal(rel) {
			p = rel
		}
	}
	return filepath.ToSlash(filepath.Clean(p))
}

// isTemplate reports whether a path argument is a plain CloudFormation template
// rather than a riglet spec: a file outside riglets/ whose top level has Resources.
func isTemplate(p string) bool {
	if strings.Contains(filepath.ToSlash(p), "riglets/") || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".template")) {
		return false
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	return bytes.Contains(data, []byte("Resources")) && !bytes.HasPrefix(bytes.TrimSpace(data), []byte("riglet:")) && !bytes.Contains(data, []byte("\nriglet:"))
}

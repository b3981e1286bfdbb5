package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/riglet/riglet/fileschema"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/outdir"
	"github.com/riglet/riglet/scaffold"
)

type newCmd struct {
	Repo    newRepoCmd    `cmd:"" default:"withargs" help:"Write a new riglet repository in directory NAME (riglet new NAME does the same)."`
	Service newServiceCmd `cmd:"" help:"Add a service stack to the riglet spec, in place, keeping its comments."`
}

type newRepoCmd struct {
	Name   string   `arg:"" name:"name" help:"The riglet's name, and the directory to write."`
	Owner  string   `help:"Owner, the first part of every stack name (default: the riglet's name)."`
	Envs   []string `default:"integration,staging,production" help:"The envs, comma-separated."`
	Region string   `default:"us-east-1" help:"The envs' AWS region."`
}

// Run writes the repository beside its final place and renames it in, so that a
// failure leaves no half-written repository.
func (c *newRepoCmd) Run(g *globals) error {
	files, err := scaffold.Repo(scaffold.Options{Name: c.Name, Owner: c.Owner, Envs: c.Envs, Region: c.Region})
	if err != nil {
		return usageError{err}
	}
	// The JSON Schemas the files' yaml-language-server comments name, for the built-in
	// blocks (the new repository has none of its own yet): an editor completes and checks
	// them from the first minute. riglet schema rewrites them once the team adds blocks.
	schemas, err := fileschema.All(model.NewLibrary(nil, builtinBlocks()))
	if err != nil {
		return printErrors(g.Stderr, err)
	}
	for _, name := range sortedNames(schemas) {
		files = append(files, scaffold.File{Path: scaffold.SchemaDir + "/" + name, Data: schemas[name]})
	}
	dir := filepath.Join(g.Dir, c.Name)
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return usageError{fmt.Errorf("%s exists and is not empty: riglet new writes a new repository, never over one (riglet new service adds a service to a spec)", dir)}
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return usageError{fmt.Errorf("%s is not a directory riglet new can write: %w", dir, errors.Unwrap(err))}
	}
	tmp, err := os.MkdirTemp(g.Dir, "."+c.Name+".new-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // gone after the rename; what is left of a failure otherwise
	for _, f := range files {
		p := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if f.Exec {
			mode = 0o755
		}
		if err := os.WriteFile(p, f.Data, mode); err != nil {
			return err
		}
	}
	os.Remove(dir) // an empty directory gives way; a non-empty one was refused above
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "%s: a new riglet repository (%d files); next:\n\tcd %s && riglet compile && riglet lint\n",
		c.Name, len(files), c.Name)
	return nil
}

type newServiceCmd struct {
	Name   string `arg:"" name:"name" help:"The service; its stack is app-NAME."`
	Path   string `required:"" help:"The path pattern of its listener rule, e.g. '/api/*'."`
	Port   int    `default:"8080" help:"The container port."`
	Riglet string `help:"The riglet spec to add it to (default: the only riglets/*.yaml)."`
}

func (c *newServiceCmd) Run(g *globals) error {
	var args []string
	if c.Riglet != "" {
		args = []string{c.Riglet}
	}
	specs, err := specFiles(g.Dir, args)
	if err != nil {
		return err
	}
	if len(specs) > 1 {
		return usageError{fmt.Errorf("riglets/ has %d specs (%s): choose one with --riglet", len(specs), strings.Join(specs, ", "))}
	}
	p := filepath.Join(g.Dir, filepath.FromSlash(specs[0]))
	data, err := os.ReadFile(p)
	if err != nil {
		return usageError{fmt.Errorf("cannot read %s: %w", specs[0], errors.Unwrap(err))}
	}
	s := scaffold.Service{Name: c.Name, Path: c.Path, Port: c.Port}
	out, err := scaffold.AddService(specs[0], data, s)
	if err != nil {
		var ie ir.Errors
		var e *ir.Error
		if errors.As(err, &ie) || errors.As(err, &e) {
			return printErrors(g.Stderr, err)
		}
		return usageError{err}
	}
	if err := outdir.WriteFile(p, out); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "%s: added stack %s (%s); run riglet compile\n", specs[0], s.StackName(), c.Path)
	return nil
}

func sortedNames(m map[string][]byte) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/diff"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/manifest"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/source"
)

type diffCmd struct {
	Args   []string `arg:"" optional:"" name:"riglet" help:"Riglet names or spec paths (default: every riglets/*.yaml), or two template files OLD NEW."`
	Env    []string `short:"e" help:"Only these envs (repeatable)."`
	Base   string   `help:"Compare with out/ and the lock as committed at this git ref (default HEAD); the working tree is not touched." xor:"against"`
	Old    string   `help:"Compare with the templates in this directory, laid out as out/ (DIR/<riglet>/<env>/<stack>.yaml; without stacks.json only the stacks it has are compared)." xor:"against"`
	Format string   `default:"text" enum:"text,markdown,json" help:"text, markdown (a pull-request comment) or json."`
	FailOn []string `sep:"," help:"Exit 1 when a change of one of these classes occurs: replace (and may-replace), data-loss, blocked, security."`
	Out    string   `default:"out" help:"The output directory, as committed."`
}

var failClasses = map[string][]diff.Class{
	"replace":   {diff.Replace, diff.MayReplace},
	"data-loss": {diff.DataLoss},
	"blocked":   {diff.Blocked},
	"security":  {diff.Security},
}

func (c *diffCmd) Run(g *globals) error {
	// A diff keeps every env's templates, as lint does; the collector need not run as
	// often as by default while they are built (3 x 800 services: a quarter less CPU).
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
	for _, f := range c.FailOn {
		if failClasses[f] == nil {
			return usageError{fmt.Errorf("--fail-on %s: not a class (replace, data-loss, blocked, security)", f)}
		}
	}
	var report *diff.Report
	var err error
	if old, new, ok := c.templateFiles(g); ok {
		report, err = c.files(g, old, new)
	} else {
		report, err = c.riglets(g)
	}
	if err != nil {
		return err
	}
	if err := diff.Write(g.Stdout, c.Format, report); err != nil {
		return err
	}
	for _, f := range c.FailOn {
		for _, k := range failClasses[f] {
			if report.Count(k) > 0 {
				return errorsFound
			}
		}
	}
	return nil
}

// templateFiles says whether the arguments are two template files (not riglet specs).
func (c *diffCmd) templateFiles(g *globals) (string, string, bool) {
	if len(c.Args) != 2 || c.Base != "" || c.Old != "" {
		return "", "", false
	}
	for _, a := range c.Args {
		b, err := os.ReadFile(under(g.Dir, a))
		if err != nil {
			return "", "", false
		}
		n, err := source.Parse(a, b)
		if err != nil || n.Get("riglet") != nil || (n.Get("Resources") == nil && n.Get("AWSTemplateFormatVersion") == nil) {
			return "", "", false
		}
	}
	return c.Args[0], c.Args[1], true
}

func (c *diffCmd) files(g *globals, old, new string) (*diff.Report, error) {
	side := func(p string) (*diff.Side, error) {
		b, err := os.ReadFile(under(g.Dir, p))
		if err != nil {
			return nil, usageError{err}
		}
		name := strings.TrimSuffix(path.Base(filepath.ToSlash(p)), path.Ext(p))
		return &diff.Side{Envs: []*diff.Env{{Name: "-", Stacks: []*diff.Stack{{Name: name, File: filepath.ToSlash(p), Data: b}}}}}, nil
	}
	o, err := side(old)
	if err != nil {
		return nil, err
	}
	n, err := side(new)
	if err != nil {
		return nil, err
	}
	// Two files are one stack whatever their names.
	o.Envs[0].Stacks[0].Name = n.Envs[0].Stacks[0].Name
	return &diff.Report{Version: diff.Version, Riglets: []*diff.Riglet{diff.Compare(o, n)}}, nil
}

// riglets compiles each riglet now and compares it with its committed (or --old) output.
func (c *diffCmd) riglets(g *globals) (*diff.Report, error) {
	specs, err := specFiles(g.Dir, c.Args)
	if err != nil {
		return nil, err
	}
	out := filepath.ToSlash(filepath.Clean(c.Out))
	var git *gitTree
	if c.Old == "" {
		ref := c.Base
		if ref == "" {
			ref = "HEAD"
		}
		if git, err = openGit(g.Dir, ref); err != nil {
			return nil, err
		}
	}
	report := &diff.Report{Version: diff.Version}
	fsys := os.DirFS(g.Dir)
	for _, f := range specs {
		res, err := compiler.Compile(fsys, builtinBlocks(), f, compiler.Options{Envs: c.Env})
		if err != nil {
			return nil, printErrors(g.Stderr, err)
		}
		var envs []*compiler.EnvResult
		for _, e := range res.Envs {
			if c.wants(e.Env) {
				envs = append(envs, e)
			}
		}
		new := diff.FromResult(res, out, envs)
		var old *diff.Side
		if git != nil {
			files, err := git.read(out+"/"+res.Spec.Name, res.LockFile)
			if err != nil {
				return nil, err
			}
			old = c.side(res.Spec.Name, out+"/"+res.Spec.Name, files, git.ref+":")
			if b, ok := files[res.LockFile]; ok {
				var errs ir.Errors
				if l := model.ParseLock(git.ref+":"+res.LockFile, b, &errs); len(errs) == 0 {
					old.Lock = l
				}
			} else {
				old.Lock = &model.Lock{}
			}
		} else {
			root := filepath.Join(under(g.Dir, c.Old), res.Spec.Name)
			if st, err := os.Stat(root); err != nil || !st.IsDir() {
				return nil, usageError{fmt.Errorf("--old %s: no directory %s/ of riglet %s's templates (lay DIR out as out/: DIR/<riglet>/<env>/<stack>.yaml)", c.Old, res.Spec.Name, res.Spec.Name)}
			}
			files, err := readDir(root)
			if err != nil {
				return nil, usageError{fmt.Errorf("--old %s: %v", c.Old, err)}
			}
			dir := filepath.ToSlash(filepath.Join(c.Old, res.Spec.Name))
			prefixed := map[string][]byte{}
			for p, b := range files {
				prefixed[dir+"/"+p] = b
			}
			old = c.side(res.Spec.Name, dir, prefixed, "")
			new.Lock = nil
		}
		report.Riglets = append(report.Riglets, diff.Compare(old, new))
	}
	return report, nil
}

func (c *diffCmd) wants(env string) bool {
	if len(c.Env) == 0 {
		return true
	}
	for _, e := range c.Env {
		if e == env {
			return true
		}
	}
	return false
}

// side makes the old side from files under root (root/<env>/<stack>.yaml), in the
// deploy order of each env's stacks.json; an env without one is partial. label
// prefixes the paths positions show (HEAD:).
func (c *diffCmd) side(riglet, root string, files map[string][]byte, label string) *diff.Side {
	s := &diff.Side{Riglet: riglet}
	byEnv := map[string]map[string][]byte{}
	for p, b := range files {
		rel, ok := strings.CutPrefix(p, root+"/")
		if !ok {
			continue
		}
		env, name, ok := strings.Cut(rel, "/")
		if !ok || strings.Contains(name, "/") || !c.wants(env) {
			continue
		}
		if byEnv[env] == nil {
			byEnv[env] = map[string][]byte{}
		}
		byEnv[env][name] = b
	}
	for _, env := range sortedMapKeys(byEnv) {
		fs := byEnv[env]
		e := &diff.Env{Name: env}
		var m manifest.Manifest
		if b, ok := fs[manifest.File]; ok && json.Unmarshal(b, &m) == nil {
			for _, st := range m.Stacks {
				if b, ok := fs[st.Template]; ok {
					e.Stacks = append(e.Stacks, &diff.Stack{Name: st.Name, File: label + root + "/" + env + "/" + st.Template, Data: b, Needs: st.Needs})
				}
			}
		} else {
			e.Partial = true
			for _, name := range sortedMapKeys(fs) {
				if stack, ok := strings.CutSuffix(name, ".yaml"); ok {
					e.Stacks = append(e.Stacks, &diff.Stack{Name: stack, File: label + root + "/" + env + "/" + name, Data: fs[name]})
				}
			}
		}
		s.Envs = append(s.Envs, e)
	}
	return s
}

// readDir reads every file below dir, by its slash path relative to dir.
func readDir(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	return files, err
}

func sortedMapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// under is p relative to dir, unless p is absolute.
func under(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

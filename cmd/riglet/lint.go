package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/internal/phase"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/lint"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/outdir"
	"github.com/riglet/riglet/record"
)

type lintCmd struct {
	Riglets  []string `arg:"" optional:"" name:"riglet" predictor:"riglet" help:"Riglet names, spec paths, or plain CloudFormation templates (default: every riglets/*.yaml)."`
	Env      []string `short:"e" predictor:"env" help:"Only these envs (repeatable)."`
	Format   string   `short:"f" default:"text" enum:"text,json,sarif,github,junit" help:"Output format: text, json, sarif, github or junit."`
	Ignore   []string `predictor:"rule" help:"Drop every finding of this rule (repeatable); .riglet.yaml may list more."`
	Severity []string `help:"Override a rule's severity: ID=error|warning|info (repeatable); wins over .riglet.yaml."`
	Check    bool     `help:"Also fail, as compile --check --frozen does, when out/ or a lock does not match the sources: one compile for both (the pre-commit path)."`
	Out      string   `default:"out" help:"Output directory, for --check."`

	mu       sync.Mutex
	compared map[*compiler.Result]*compared // --check: each riglet's files against out/
}

func (c *lintCmd) Run(g *globals) error {
	e := c.cacheEntry(g)
	phase.Mark("lint cache key")
	if e == nil {
		return c.lint(g, os.DirFS(g.Dir))
	}
	if err, ok := e.replay(g); ok {
		return err
	}
	// A miss: lint as ever, recording what it reads, and keep what it printed.
	tr := record.Track(os.DirFS(g.Dir))
	var stdout, stderr bytes.Buffer
	run := *g
	run.Stdout, run.Stderr = &stdout, &stderr
	err := c.lint(&run, tr)
	g.Stdout.Write(stdout.Bytes())
	g.Stderr.Write(stderr.Bytes())
	e.store(tr, stdout.Bytes(), stderr.Bytes(), err)
	return err
}

// lint lints the riglets and templates of the command line in fsys (the working
// directory, or a Tracker over it).
func (c *lintCmd) lint(g *globals, fsys fs.FS) error {
	opts := lint.Options{Envs: c.Env, Ignore: c.Ignore, Severity: map[string]lint.Severity{}, Keep: c.Check}
	for _, s := range c.Severity {
		id, level, ok := strings.Cut(s, "=")
		sev, err := lint.ParseSeverity(level)
		if !ok || err != nil {
			return usageError{fmt.Errorf("--severity %s: want ID=error|warning|info", s)}
		}
		opts.Severity[id] = sev
	}
	// .riglet.yaml: ignored rules and severities, under the command line's
	var cfgErrs ir.Errors
	cfg := model.LoadConfig(fsys, &cfgErrs)
	opts, cfgFindings := lint.WithConfig(opts, cfg)
	cfgFindings = slices.DeleteFunc(cfgFindings, func(f lint.Finding) bool {
		return slices.ContainsFunc(opts.Ignore, func(id string) bool { return strings.EqualFold(id, f.Rule) })
	})
	var specs, templates []string
	for _, a := range c.Riglets {
		if isTemplate(inDir(g.Dir, a)) {
			templates = append(templates, a)
		} else {
			specs = append(specs, a)
		}
	}
	if len(specs) == 0 && len(templates) > 0 && os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		// Plain templates only: a parse makes most of the garbage of such a run, and
		// the heap stays a few times the template's size (a CloudFormation template is
		// at most 1 MB), so collecting less often costs little memory: a 277 KB
		// template lints in 0.06-0.07 s instead of 0.08 s, 31 MB -> 36 MB peak RSS.
		debug.SetGCPercent(400)
	}
	rep := &lint.Report{}
	if err := cfgErrs.Err(); err != nil {
		cfgFindings = append(cfgFindings, lint.FromErrors(err)...)
	}
	rep.Findings = append(rep.Findings, lint.Sorted(cfgFindings)...)
	if len(specs) > 0 || len(templates) == 0 {
		files, err := specFiles(g.Dir, specs)
		if err != nil {
			return err
		}
		if err := model.CheckUniqueNames(fsys, files); err != nil {
			rep.Findings = append(rep.Findings, lint.FromErrors(err)...)
		}
		if c.Check {
			opts.Rendered = c.compare(g)
		}
		if len(files) == 1 && os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
			// Once the one riglet is compiled, its trees are what lint keeps to the end
			// (every rule may read any of them): a collection then marks them all and
			// frees little, so from there on the collector waits for GOGC 400 or, first,
			// a soft memory target of 1.5 times the heap the last collection kept (at
			// least 230 MiB): 3 x 800 services keep 150 MB of trees, and the rules and
			// the comparison with out/ allocate most of that again, which the target
			// bounds to a 250 MB peak at the cost of one collection where GOGC 400 alone
			// would have made none (and 0.3 s of CPU saved against the default GOGC).
			opts.Compiled = func() {
				debug.SetGCPercent(400)
				debug.SetMemoryLimit(max(230<<20, liveHeap()*3/2))
			}
		}
		tc := openTemplates(g, files, c.Env)
		phase.Mark("lint templates pack read")
		if tc != nil {
			opts.Templates = tc
		}
		r, err := lint.Lint(fsys, builtinBlocks(), files, opts)
		if err != nil {
			return asUsage(err)
		}
		phase.Mark("lint rules done")
		tc.save()
		phase.Mark("lint pack saved")
		rep.Findings = append(rep.Findings, r.Findings...)
		rep.Results = r.Results
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
	if err := lint.WriteTo(g.Stdout, c.Format, rep.Findings, lint.Output{Root: repoRoot(g.Dir)}); err != nil {
		return asUsage(err)
	}
	if c.Format == "text" && len(rep.Findings) > 0 {
		fmt.Fprintf(g.Stderr, "%s, %s, %s\n", count(rep.Count(lint.Error), "error"), count(rep.Count(lint.Warning), "warning"), count(rep.Count(lint.Info), "info"))
	}
	phase.Mark("lint written")
	stale := c.Check && c.staleOutput(g, rep.Results)
	phase.Mark("lint stale checked")
	if hasUnreadable(rep.Findings) {
		return unreadableFound
	}
	if rep.HasErrors() || stale {
		return errorsFound
	}
	return nil
}

// compared is what compare found of one riglet: what it would write, and which of
// those files differ from out/.
type compared struct {
	w    *outdir.Riglet
	list []string
	err  error
}

// compare returns lint's Rendered hook: it compares each riglet's files with out/ as
// lint renders them, while the rules run, for staleOutput to report. No file is kept
// (outdir.Check): the rendered output of a large riglet is as large as out/.
func (c *lintCmd) compare(g *globals) func(*compiler.Result) (func(compiler.File), func()) {
	c.compared = map[*compiler.Result]*compared{}
	out := c.outDir(g)
	return func(res *compiler.Result) (func(compiler.File), func()) {
		w := &outdir.Riglet{Root: filepath.Join(out, res.Spec.Name), Complete: len(c.Env) == 0,
			Lock: filepath.Join(g.Dir, filepath.FromSlash(res.LockFile)), LockData: res.Lock.Marshal(res.Spec.File)}
		w.LockChanged = !bytes.Equal(w.LockData, res.OldLock)
		cmp := &compared{w: w}
		checks := map[string]*outdir.Check{} // by env directory below out/
		var order []*outdir.Check
		for _, e := range res.Envs {
			d := res.EnvDir(e.Env)
			ch := outdir.NewCheck(filepath.Join(out, filepath.FromSlash(d)))
			checks[d] = ch
			order = append(order, ch)
		}
		each := func(f compiler.File) {
			if w.LockChanged {
				return // reported as the lock's change, not file by file
			}
			if dir, rel, ok := splitEnvPath(f.Path); ok && checks[dir] != nil {
				checks[dir].File(rel, f.Data)
			}
		}
		done := func() {
			if !w.LockChanged {
				for _, ch := range order {
					list, err := ch.Stale()
					if err != nil {
						cmp.list, cmp.err = nil, err
						break
					}
					cmp.list = append(cmp.list, list...)
				}
			}
			c.mu.Lock()
			c.compared[res] = cmp
			c.mu.Unlock()
		}
		return each, done
	}
}

func (c *lintCmd) outDir(g *globals) string {
	if filepath.IsAbs(c.Out) {
		return c.Out
	}
	return filepath.Join(g.Dir, c.Out)
}

// staleOutput says, as compile --check --frozen would, whether out/ or a lock differs
// from what the riglets lint compiled would write, comparing the templates lint
// rendered. A riglet that did not compile is not compared: its errors are findings.
func (c *lintCmd) staleOutput(g *globals, results []*compiler.Result) bool {
	out := c.outDir(g)
	stale := false
	for _, res := range results {
		cmp := c.compared[res] // compared while lint ran (Lint returns after)
		if cmp == nil {
			cmp = &compared{w: output(g.Dir, out, res, len(c.Env) == 0)}
			if !cmp.w.LockChanged {
				cmp.list, cmp.err = cmp.w.Stale()
			}
		}
		w := cmp.w
		if w.LockChanged {
			fmt.Fprintf(g.Stderr, "%s: error: the lock would change (run riglet compile and review the diff):\n", res.LockFile)
			printLockChange(g, res, w.LockData)
			stale = true
			continue
		}
		list, err := cmp.list, cmp.err
		if err != nil {
			fmt.Fprintf(g.Stderr, "riglet: %v\n", err)
			stale = true
		}
		for _, s := range list {
			rel, _ := filepath.Rel(g.Dir, s)
			fmt.Fprintf(g.Stderr, "%s: stale: run riglet compile\n", filepath.ToSlash(rel))
			stale = true
		}
	}
	return stale
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

// liveHeap is the heap the last collection found live, in bytes.
func liveHeap() int64 {
	m := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(m)
	if m[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(m[0].Value.Uint64())
}

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/internal/phase"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/outdir"
	"github.com/riglet/riglet/record"
)

type compileCmd struct {
	Riglets []string `arg:"" optional:"" name:"riglet" help:"Riglet names or spec paths (default: every riglets/*.yaml)."`
	Env     []string `short:"e" help:"Only these envs (repeatable)."`
	Out     string   `default:"out" help:"Output directory."`
	Check   bool     `help:"Write nothing; exit 1 if out/ does not match the sources."`
	Frozen  bool     `help:"Exit 1 instead of rewriting the lock when an allocation would change."`
}

func (c *compileCmd) Run(g *globals) error {
	// A soft memory target: compile renders each env and lets go of its trees, so its
	// live heap stays small, and the collector working a little harder near the target
	// keeps a 2,400-template compile near 220 MB instead of 320 MB. (Not for lint,
	// which keeps every tree and would only spend its time collecting.)
	// With that target bounding the peak, the collector need not run as often while
	// the heap is small: GOGC 300 (3 x 800 services: 1.2 s instead of 1.5 s).
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(240 << 20)
		if os.Getenv("GOGC") == "" {
			debug.SetGCPercent(300)
		}
	}
	files, err := specFiles(g.Dir, c.Riglets)
	if err != nil {
		return err
	}
	fsys := os.DirFS(g.Dir)
	if err := model.CheckUniqueNames(fsys, files); err != nil {
		return printErrors(g.Stderr, err) // both would write out/<riglet>/: write neither
	}
	out := c.Out
	if !filepath.IsAbs(out) {
		out = filepath.Join(g.Dir, out)
	}
	// A riglet whose record (out/<riglet>/riglet.sum) still matches its inputs and its
	// output, for this very compiler, would compile to the same bytes: it is skipped.
	// Only a compile of every env keeps a record.
	complete := len(c.Env) == 0
	var unchanged []hit
	if complete {
		files, unchanged = upToDate(fsys, out, files)
	}
	// Compile everything first: a compile that fails writes nothing. Its writing begins
	// meanwhile, though: under out/'s lock, each template is written into its env's new
	// directory as it is rendered (or, when the env directory exists, compared with the
	// file there, and linked or written once the env differs), and the record's hash of
	// it taken, on the render workers (one env renders while another still compiles, and
	// the compile leaves a core idle at times); nothing is moved into place before
	// everything compiled (the Stage's Commit), and a failure removes it (Abort).
	// Another compile holding the lock only means no staging: the write at the end then
	// says out/ is busy, as it always did.
	var stage *outdir.Stage
	if !c.Check && len(files) > 0 {
		stage = outdir.Begin(out)
		defer stage.Abort() // nothing, once committed
		if stage != nil {
			// Interrupted while it compiles, a compile leaves nothing behind, as it did
			// when it wrote only at its end (killed outright, the next run rolls back what
			// it staged). Interrupted while it commits, it is killed: the next run finishes
			// or rolls back each directory (outdir.Recover).
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			stop := make(chan struct{})
			defer func() {
				signal.Stop(sig)
				close(stop)
			}()
			go func() {
				select {
				case s := <-sig:
					stage.Abort()
					code := 130
					if s == syscall.SIGTERM {
						code = 143
					}
					os.Exit(code)
				case <-stop:
				}
			}()
		}
	}
	sums := &outSums{sum: map[string]outSum{}}
	selected := map[string]bool{}
	for _, e := range c.Env {
		selected[e] = true
	}
	if len(selected) > 0 {
		selected["shared"] = true
	}
	opts := compiler.Options{Envs: c.Env, RenderOnly: true}
	var check *checking
	if c.Check {
		check = &checking{out: out, dirs: map[string]*outdir.Check{}, seen: map[string]bool{}}
	}
	if stage != nil || check != nil || complete && !c.Check {
		opts.Keep = func(p string, data []byte) bool {
			if complete && !c.Check {
				sums.put(p, data)
			}
			if check != nil {
				if dir, _, ok := splitEnvPath(p); ok && (len(selected) == 0 || selected[path.Base(dir)]) {
					check.put(p, data)
				}
			}
			if stage != nil {
				// --env compiles and renders every env, and writes the selected ones
				// (and the shared stacks)
				if dir, rel, ok := splitEnvPath(p); ok && (len(selected) == 0 || selected[path.Base(dir)]) {
					stage.Put(filepath.Join(out, filepath.FromSlash(dir)), rel, data)
				}
			}
			return false // the compile keeps the bytes it hands to out/, not the trees
		}
	}
	phase.Mark("staging")
	var results []*compiler.Result
	var trackers []*record.Tracker
	failed := false
	for _, f := range files {
		tr := record.Track(fsys)
		res, err := compiler.Compile(tr, builtinBlocks(), f, opts)
		if err != nil {
			if perr := printErrors(g.Stderr, err); perr != errorsFound {
				return perr // bad usage: nothing else is compiled
			}
			failed = true
			continue
		}
		results = append(results, res)
		trackers = append(trackers, tr)
	}
	if failed {
		return errorsFound
	}
	stale := false
	var writes []*outdir.Riglet
	for i, res := range results {
		w := output(g.Dir, out, res, complete)
		if complete && !c.Check {
			w.Record = newRecord(res, w, trackers[i], out, sums)
		}
		if w.LockChanged && (c.Frozen || c.Check) {
			fmt.Fprintf(g.Stderr, "%s: error: the lock would change (run riglet compile and review the diff):\n", res.LockFile)
			printLockChange(g, res, w.LockData)
			stale = true
			continue
		}
		if c.Check {
			list, err := check.stale(res)
			if err != nil {
				return err
			}
			for _, s := range list {
				rel, _ := filepath.Rel(g.Dir, s)
				fmt.Fprintf(g.Stderr, "%s: stale: run riglet compile\n", filepath.ToSlash(rel))
				stale = true
			}
			continue
		}
		writes = append(writes, w)
	}
	if stale {
		return errorsFound // a failed compile writes nothing, not even the other riglets
	}
	if c.Check {
		return nil
	}
	phase.Mark("records made")
	for _, r := range unchanged {
		fmt.Fprintf(g.Stdout, "%s: %d templates in %d envs, unchanged since the last compile (%s)\n", r.Spec, r.Templates, r.Envs, filepath.ToSlash(relTo(g.Dir, filepath.Join(r.Root, outdir.RecordName))))
	}
	// Every riglet's directories and locks in one unit: all of them, or none.
	if stage != nil {
		if err := stage.Commit(writes); err != nil {
			return err
		}
	} else if err := outdir.WriteAll(out, writes); err != nil {
		return err
	}
	for i, w := range writes {
		res := results[i]
		n := 0
		for _, e := range res.Envs {
			n += len(e.Stacks)
		}
		rel, _ := filepath.Rel(g.Dir, w.Root)
		fmt.Fprintf(g.Stdout, "%s: %d templates in %d envs -> %s/\n", res.Spec.File, n, len(res.Envs), filepath.ToSlash(rel))
	}
	return nil
}

// printLockChange says, per env, what the new lock would allocate, move, retire or
// release, and why. Should the old lock not parse, or the change be in nothing the
// description knows (comments, layout), the bare line diff says it instead.
func printLockChange(g *globals, res *compiler.Result, data []byte) {
	var errs ir.Errors
	old := model.ParseLock(res.LockFile, res.OldLock, &errs)
	if len(res.OldLock) == 0 {
		old = nil
	}
	if len(errs) == 0 {
		if changes := model.DescribeLockChange(old, res.Lock); len(changes) > 0 {
			for _, e := range changes {
				fmt.Fprintf(g.Stderr, "\tenv %s:\n", e.Env)
				for _, c := range e.Changes {
					fmt.Fprintf(g.Stderr, "\t\t%s\n", c)
				}
			}
			return
		}
	}
	lost, gained := model.LockDiff(res.OldLock, data)
	for _, l := range lost {
		fmt.Fprintf(g.Stderr, "\t- %s\n", l)
	}
	for _, l := range gained {
		fmt.Fprintf(g.Stderr, "\t+ %s\n", l)
	}
}

// output is what a compiled riglet writes under out: every env directory, and the
// lock. complete says every env was compiled (no --env), so dropped envs go.
func output(dir, out string, res *compiler.Result, complete bool) *outdir.Riglet {
	w := &outdir.Riglet{Root: filepath.Join(out, res.Spec.Name), Complete: complete,
		Lock: filepath.Join(dir, filepath.FromSlash(res.LockFile)), LockData: res.Lock.Marshal(res.Spec.File)}
	w.LockChanged = !bytes.Equal(w.LockData, res.OldLock)
	for _, e := range res.Envs {
		w.Dirs = append(w.Dirs, outdir.Dir{Path: filepath.Join(out, filepath.FromSlash(res.EnvDir(e.Env))), Files: relFiles(res, e)})
	}
	return w
}

// relFiles are an env's files relative to its own directory.
func relFiles(res *compiler.Result, e *compiler.EnvResult) []outdir.File {
	var out []outdir.File
	prefix := res.EnvDir(e.Env) + "/"
	for _, f := range res.EnvFiles(e) {
		out = append(out, outdir.File{Path: f.Path[len(prefix):], Data: f.Data})
	}
	return out
}

func relTo(dir, p string) string {
	if rel, err := filepath.Rel(dir, p); err == nil {
		return rel
	}
	return p
}

// splitEnvPath splits a template's path below the output directory (twig/staging/x.yaml)
// into its env directory's (twig/staging) and the rest.
func splitEnvPath(p string) (dir, rel string, ok bool) {
	i := strings.IndexByte(p, '/')
	if i < 0 {
		return "", "", false
	}
	j := strings.IndexByte(p[i+1:], '/')
	if j < 0 {
		return "", "", false
	}
	return p[:i+1+j], p[i+2+j:], true
}

// outSums are the record's hashes of the templates, taken as they are rendered (by
// their path below the output directory), with their lengths: what newRecord finds
// here it need not hash again.
type outSums struct {
	mu  sync.Mutex
	sum map[string]outSum
}

type outSum struct {
	n   int
	sum string
}

func (s *outSums) put(p string, data []byte) {
	v := outSum{len(data), record.Sum(data)}
	s.mu.Lock()
	s.sum[p] = v
	s.mu.Unlock()
}

// of is data's hash: the one taken as it was rendered, when p was rendered to as many
// bytes (the compile keeps the bytes it renders), else hashed now.
func (s *outSums) of(p string, data []byte) string {
	if s != nil {
		s.mu.Lock()
		v, ok := s.sum[p]
		s.mu.Unlock()
		if ok && v.n == len(data) {
			return v.sum
		}
	}
	return record.Sum(data)
}

// checking is compile --check's comparison with out/: each template is compared as it
// is rendered, on the render workers, as a Stage writes it (3 x 800 services: 2,400
// files read and compared beside the compile instead of in one loop after it), and
// what the renderer does not hand over (stacks.json) once the riglet compiled.
type checking struct {
	out  string
	mu   sync.Mutex
	dirs map[string]*outdir.Check // by env directory below out/ (twig/staging)
	seen map[string]bool          // the paths put
}

func (k *checking) dir(d string) *outdir.Check {
	k.mu.Lock()
	defer k.mu.Unlock()
	ch := k.dirs[d]
	if ch == nil {
		ch = outdir.NewCheck(filepath.Join(k.out, filepath.FromSlash(d)))
		k.dirs[d] = ch
	}
	return ch
}

// put compares one rendered file, at its path below out/, from any goroutine.
func (k *checking) put(p string, data []byte) {
	dir, rel, ok := splitEnvPath(p)
	if !ok {
		return
	}
	k.dir(dir).File(rel, data)
	k.mu.Lock()
	k.seen[p] = true
	k.mu.Unlock()
}

// stale lists how out/ differs from res's files, env directory by env directory, as
// outdir.Riglet.Stale does.
func (k *checking) stale(res *compiler.Result) ([]string, error) {
	var list []string
	for _, e := range res.Envs {
		d := res.EnvDir(e.Env)
		ch := k.dir(d)
		for _, f := range res.EnvFiles(e) {
			if !k.seen[f.Path] {
				ch.File(f.Path[len(d)+1:], f.Data)
			}
		}
		l, err := ch.Stale()
		if err != nil {
			return nil, err
		}
		list = append(list, l...)
	}
	return list, nil
}

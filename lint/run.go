package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/internal/phase"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/source"
)

// Options select what a lint checks and how.
type Options struct {
	Envs     []string            // only these envs (all when empty)
	Ignore   []string            // rule IDs to drop entirely
	Severity map[string]Severity // per-rule severity overrides
	// Keep returns each riglet that compiled without an error in Report.Results, its
	// templates rendered once for lint and kept, so that the caller can compare them
	// with out/ (riglet lint --check) without compiling again.
	Keep bool
	// Rendered, with Keep, is called with each riglet that compiled without an error,
	// before lint renders its files (once, for generated lines and sizes, from a
	// goroutine of its own while the rules run). It returns what to call with each
	// file, from several goroutines at once (f.Data is valid only during the call:
	// nothing keeps the bytes), and what to call once every file was: riglet lint
	// --check compares each with out/ as it comes. Lint returns after every call
	// returned.
	Rendered func(*compiler.Result) (each func(f compiler.File), done func())
	// Compiled, when set, is called after each riglet's compile, before its rules run.
	Compiled func()
	// Templates, when set, keeps the template rules' findings per template, so that
	// only the templates that changed are checked again (the output is the same).
	Templates TemplateCache
}

// Report is the outcome of a lint.
type Report struct {
	Findings []Finding          // sorted by position, rule, message
	Results  []*compiler.Result // with Options.Keep: the riglets that compiled cleanly
}

// Count returns how many findings have severity s.
func (r *Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// HasErrors reports whether any finding is an error.
func (r *Report) HasErrors() bool { return r.Count(Error) > 0 }

// UsageError is a bad option (an unknown rule ID): exit code 2, not a finding.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Lint compiles each riglet spec in memory (writing nothing) and checks its sources
// and generated templates. fsys is the riglet repository, builtin the built-in blocks.
// The error is a *UsageError for bad options; everything wrong with the riglet itself
// is a finding.
func Lint(fsys, builtin fs.FS, specFiles []string, opts Options) (*Report, error) {
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	// One library for every spec: the compiles and the suppression comments see the
	// same blocks, built-in ones included.
	lib := model.NewLibrary(fsys, builtin)
	files := &fileCache{fsys: fsys, lib: lib, lines: map[string][]string{}}
	var all []Finding
	var kept []*compiler.Result
	var rendering sync.WaitGroup
	defer rendering.Wait()
	for _, spec := range specFiles {
		fs, res, err := lintRiglet(fsys, lib, spec, opts, files, &rendering)
		if err != nil {
			return nil, err
		}
		all = append(all, fs...)
		if opts.Keep && res != nil {
			kept = append(kept, res)
		}
	}
	rep := finish(all, opts)
	rep.Results = kept
	return rep, nil
}

func checkOptions(opts Options) error {
	for _, id := range opts.Ignore {
		if Lookup(id) == nil {
			return &UsageError{fmt.Sprintf("--ignore %s: no such rule (riglet rules lists them)%s", id, suggestRule(id))}
		}
	}
	for id := range opts.Severity {
		if Lookup(id) == nil {
			return &UsageError{fmt.Sprintf("--severity %s: no such rule (riglet rules lists them)%s", id, suggestRule(id))}
		}
	}
	return nil
}

// finish applies --ignore and severity overrides, and sorts.
func finish(all []Finding, opts Options) *Report {
	ignored := map[string]bool{}
	for _, id := range opts.Ignore {
		ignored[strings.ToUpper(id)] = true
	}
	out := all[:0]
	for _, f := range all {
		if ignored[f.Rule] {
			continue
		}
		for id, s := range opts.Severity {
			if strings.EqualFold(id, f.Rule) {
				f.Severity = s
			}
		}
		out = append(out, f)
	}
	return &Report{Findings: sortFindings(out)}
}

// lintRiglet lints one spec: every compile error, and every template and riglet rule
// over the envs and stacks that compiled cleanly (a partial compile), so that one run
// reports every mistake and no rule reads a half-expanded template.
// The Result is returned when the compile had no error.
func lintRiglet(fsys fs.FS, lib *model.Library, spec string, opts Options, files *fileCache, rendering *sync.WaitGroup) ([]Finding, *compiler.Result, error) {
	res, err := compiler.CompileWith(fsys, lib, spec, compiler.Options{Envs: opts.Envs, Partial: true, NoParamOrigins: true})
	phase.Mark("lint compiled")
	if opts.Compiled != nil {
		opts.Compiled()
	}
	if ue := (*compiler.UsageError)(nil); errors.As(err, &ue) {
		return nil, nil, &UsageError{ue.Msg}
	}
	var raw []*Finding
	if err != nil {
		raw = compileFindings(err)
	}
	if res == nil {
		return suppress(mergeEnvs(raw, nil), files, spec, nil, false), nil, nil
	}
	var each func(compiler.File)
	var done func()
	if opts.Keep && opts.Rendered != nil && err == nil {
		each, done = opts.Rendered(res)
	}
	var envs []*Env
	var names []string
	for _, er := range res.Envs {
		e := newEnv(res, er, opts.Keep)
		e.each = each
		envs = append(envs, e)
		if er.Env != "shared" {
			names = append(names, er.Env)
		}
	}
	if each != nil {
		// Every env is rendered in the end (the caller compares the files); rendering
		// them now, beside the rules, rather than when a rule first asks for a size,
		// lets the caller's comparison run beside them too.
		rendering.Add(1)
		go func() {
			defer rendering.Done()
			for _, e := range envs {
				e.render()
			}
			done()
		}()
	}
	raw = append(raw, dropMirrored(runRules(res, envs, opts.Templates), raw)...)
	fs := mergeEnvs(raw, names)
	found := suppress(fs, files, spec, res, len(opts.Envs) == 0 && err == nil)
	phase.Mark("lint suppressed")
	if err != nil {
		res = nil // a partial compile: not what compile would write
	}
	return found, res, nil
}

// dropMirrored drops the template findings of rules that mirror a compile error (a
// rule with a Code) when a compile error of that rule is at the same position: the
// same mistake, caught twice, is reported once.
func dropMirrored(found, compiled []*Finding) []*Finding {
	type key struct {
		rule string
		pos  ir.Pos
	}
	have := map[key]bool{}
	for _, f := range compiled {
		have[key{f.Rule, f.Pos}] = true
	}
	out := found[:0]
	for _, f := range found {
		if r := Lookup(f.Rule); r != nil && r.Code != "" && have[key{f.Rule, f.Pos}] {
			continue
		}
		out = append(out, f)
	}
	return out
}

// Template lints one plain CloudFormation template (YAML or JSON), without a riglet:
// every template rule runs, positions are the template's own lines, and
// `# riglet:ignore` comments in it apply. A template that does not parse is a
// SRC001 finding.
func Template(file string, data []byte, opts Options) (*Report, error) {
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	files := &fileCache{lines: map[string][]string{file: strings.Split(string(data), "\n")}}
	root, err := source.Parse(file, data)
	var fs []Finding
	if err != nil {
		fs = mergeEnvs(compileFindings(err), nil)
	} else if root.Kind != ir.Map || root.Get("Resources") == nil {
		fs = []Finding{meta("SRC015", ir.Pos{File: ir.FileOf(file), Line: 1, Col: 1}, "%s is not a CloudFormation template: it has no Resources", file)}
	} else {
		name := strings.TrimSuffix(path.Base(file), path.Ext(file))
		root, skipped := expandForEach(root)
		sr := &compiler.StackResult{Name: name, StackName: name, Pos: ir.Pos{File: ir.FileOf(file), Line: 1, Col: 1}, Template: root}
		// A plain template has no env of its own; --env names the one it is for, so
		// that `--env production` applies the production rules to it.
		env := "template"
		if len(opts.Envs) == 1 {
			env = opts.Envs[0]
		}
		er := &compiler.EnvResult{Env: env, Stacks: []*compiler.StackResult{sr}}
		e := newEnv(nil, er, false)
		e.Stacks[0].unexpanded = skipped
		e.Stacks[0].size, e.Stacks[0].sized = len(data), true
		e.Stacks[0].OutPath = file
		fs = mergeEnvs(runRules(nil, []*Env{e}, nil), []string{env})
		for i := range fs {
			fs[i].Envs = nil
		}
	}
	return finish(suppress(fs, files, file, nil, true), opts), nil
}

// runRules runs every template and riglet rule. Template rules read their own stack
// and, through the env's lazily built indexes (made once), its env, so they run on
// every stack of every env in parallel: one task per template, which keeps both cores
// busy however few envs there are. Their findings are then merged in the order a
// serial run gives (rule, then env, then stack), so the output does not depend on
// scheduling. With a cache, a template whose digest it holds is not checked again.
// Riglet rules, which read every env, run after, each a task of its own.
func runRules(res *compiler.Result, envs []*Env, cache TemplateCache) []*Finding {
	type task struct {
		env *Env
		s   *Stack
		per *[][]*Finding // rule index -> findings
		key Digest
	}
	var tasks []task
	per := make([][][][]*Finding, len(envs)) // env -> stack -> rule index -> findings
	for ei, e := range envs {
		per[ei] = make([][][]*Finding, len(e.Stacks))
		for si, s := range e.Stacks {
			tasks = append(tasks, task{env: e, s: s, per: &per[ei][si]})
		}
	}
	var lib interface{ IsBuiltin(string) bool }
	if res != nil {
		lib = res.Library
	}
	// The riglet rules read what the template rules read (through the same lazily
	// built indexes, each made once), and write only their own findings: they share
	// the workers with the template tasks, with no wait between the two, and go first,
	// as each is long beside a template's task (most are a digest and a cache hit).
	whole := make([][]*Finding, len(registry))
	var rigletRules []int
	for ri, r := range registry {
		if r.Scope == ScopeRiglet {
			rigletRules = append(rigletRules, ri)
		}
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(tasks)+len(rigletRules), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if i < len(rigletRules) {
					ri := rigletRules[i]
					run(&Pass{Rule: registry[ri], Result: res, Envs: envs, out: &whole[ri]})
					continue
				}
				t := &tasks[i-len(rigletRules)]
				if cache != nil {
					t.key = templateDigest(t.env.digest(), t.s, lib)
					if data, ok := cache.Get(t.key); ok {
						if got, ok := decodeFindings(data); ok {
							*t.per = got
							continue
						}
					}
				}
				got := make([][]*Finding, len(registry))
				for ri, r := range registry {
					if r.Scope == ScopeTemplate {
						run(&Pass{Rule: r, Result: res, Env: t.env, Stack: t.s, Envs: envs, out: &got[ri]})
					}
				}
				*t.per = got
				if cache != nil {
					if data := encodeFindings(got); data != nil {
						cache.Put(t.key, data)
					}
				}
			}
		}()
	}
	for i := range len(rigletRules) + len(tasks) {
		next <- i
	}
	close(next)
	wg.Wait()
	phase.Mark("lint rules run")
	var out []*Finding
	for ri, r := range registry {
		switch r.Scope {
		case ScopeTemplate:
			for ei := range envs {
				for si := range per[ei] {
					if p := per[ei][si]; p != nil {
						out = append(out, p[ri]...)
					}
				}
			}
		case ScopeRiglet:
			out = append(out, whole[ri]...)
		}
	}
	return out
}

// run runs one rule; a rule that panics on input it did not foresee becomes a
// finding naming it, not a crash of the whole lint.
func run(p *Pass) {
	defer func() {
		if e := recover(); e != nil {
			pos := ir.Pos{}
			if p.Stack != nil {
				pos = p.Stack.Pos
			}
			f := &Finding{Rule: "SRC015", Severity: Error, Pos: pos, Msg: fmt.Sprintf("internal error in rule %s: %v (please report it)", p.Rule.ID, e)}
			*p.out = append(*p.out, f)
		}
	}()
	p.Rule.Run(p)
}

// codeRule returns the rule of a compile error code: a source rule, or a template
// rule whose check the compiler already makes (then the finding is the same whichever
// caught it). A code no rule owns (a test forbids it) goes to the catch-all.
func codeRule(code ir.Code) *Rule {
	codeOnce.Do(func() {
		codeRules = map[ir.Code]*Rule{}
		for _, r := range registry {
			if r.Code != "" {
				codeRules[r.Code] = r
			}
		}
	})
	if r := codeRules[code]; r != nil {
		return r
	}
	return codeRules[ir.CodeOther]
}

var (
	codeOnce  sync.Once
	codeRules map[ir.Code]*Rule
)

// FromErrors turns a failed compile's errors into findings of the rule of each
// error's code, the same findings riglet lint reports for them, merged across envs.
func FromErrors(err error) []Finding {
	return sortFindings(mergeEnvs(compileFindings(err), nil))
}

// compileFindings gives each compile error the rule and severity of its code.
func compileFindings(err error) []*Finding {
	var es ir.Errors
	var e1 *ir.Error
	switch {
	case errors.As(err, &es):
	case errors.As(err, &e1):
		es = ir.Errors{e1}
	default:
		es = ir.Errors{{Code: ir.CodeOther, Msg: err.Error()}}
	}
	out := make([]*Finding, 0, len(es))
	for _, e := range es {
		f := *e
		r := codeRule(e.Code)
		f.Rule, f.Severity = r.ID, r.Severity
		f.Related = append([]Related(nil), e.Related...)
		f.Envs = append([]string(nil), e.Envs...)
		out = append(out, &f)
	}
	return out
}

// mergeEnvs folds findings that repeat identically across envs (same rule, position
// and message) into one that names the envs, or none when it is in all of them.
func mergeEnvs(raw []*Finding, all []string) []Finding {
	type key struct {
		rule, msg string
		pos       ir.Pos
	}
	idx := map[key]int{}
	var out []Finding
	for _, f := range raw {
		k := key{f.Rule, f.Msg, f.Pos}
		if i, ok := idx[k]; ok {
			out[i].Envs = append(out[i].Envs, f.Envs...)
			out[i].Related = append(out[i].Related, f.Related...)
			continue
		}
		idx[k] = len(out)
		out = append(out, *f)
	}
	for i := range out {
		f := &out[i]
		sort.Strings(f.Envs)
		f.Envs = compact(f.Envs)
		real := 0
		for _, e := range f.Envs {
			if e != "shared" {
				real++
			}
		}
		if real == len(all) && real == len(f.Envs) {
			f.Envs = nil
		}
		sortRelated(f)
		// The same resource in three envs has three generated lines; keep them all up
		// to a handful, they are what a reviewer opens.
	}
	return out
}

func compact(ss []string) []string {
	w := 0
	for i, s := range ss {
		if i > 0 && s == ss[w-1] {
			continue
		}
		ss[w] = s
		w++
	}
	return ss[:w]
}

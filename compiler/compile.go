// Package compiler turns a riglet spec, its env files and blocks into fully resolved
// CloudFormation: one template per stack per env. It reads from an fs.FS and returns
// values; it never touches the disk or prints (cmd/riglet does).
package compiler

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/riglet/riglet/alarms"
	"github.com/riglet/riglet/internal/graph"
	"github.com/riglet/riglet/internal/phase"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/netplan"
	"github.com/riglet/riglet/priority"
	"github.com/riglet/riglet/source"
)

// Options select what a compile does.
type Options struct {
	Envs []string // only these envs (all when empty); shared stacks compile either way
	// RenderOnly renders each env's files as soon as it is compiled and lets go of its
	// templates (StackResult.Template is nil afterwards): what riglet compile needs,
	// in a fraction of the memory.
	RenderOnly bool
	// Keep, with RenderOnly, is asked about each template as it is rendered (its path
	// below the output directory, twig/staging/foundation.yaml, and its bytes), from
	// the rendering workers, concurrently: a template it keeps stays in StackResult.Template, with its
	// Origins and its File's Index; the others' are let go too. riglet diff keeps the
	// few templates whose bytes differ from the old side's and needs no other tree.
	// data is the renderer's scratch buffer: valid only during the call.
	Keep func(path string, data []byte) bool
	// Partial returns, with the errors, a Result holding the envs and stacks that
	// compiled cleanly: a stack or env that had an error is left out (and so is a
	// stack that needs one left out), so that nothing reads a half-expanded template.
	// What lint needs to report every template finding beside the compile errors; a
	// partial Result is never to be written (its Lock is nil).
	Partial bool
	// NoParamOrigins leaves EnvResult.Params empty: where each parameter's value came
	// from is what plan --explain shows, and lint, which keeps every tree of a large
	// riglet, would hold 14 MB of it (3 x 800 services) for nothing.
	NoParamOrigins bool
}

// Result is a compiled riglet.
type Result struct {
	Spec     *model.Spec
	Envs     []*EnvResult   // in spec order, then "shared" when the riglet has shared stacks
	Lock     *model.Lock    // the lock to write back
	LockFile string         // riglets/<name>.lock
	OldLock  []byte         // what the lock file held (nil when absent)
	Library  *model.Library // the blocks the compile used: the user's over the built-in ones
	// UnusedEnvParams are env params no block of this riglet has. Env files are shared
	// by the riglets of a repository, so one riglet's unused key may be another's
	// setting: lint warns (SRC024), the compile goes on.
	UnusedEnvParams []*ir.Error
}

// EnvResult is one env's (or the shared stacks') compiled stacks.
type EnvResult struct {
	Env     string     // env name, or "shared"
	EnvFile *model.Env // nil for shared
	Stacks  []*StackResult
	Account string // where the stacks deploy (shared stacks: the first env's)
	Region  string
	files   []File        // rendered, when the compile was RenderOnly
	Network *netplan.Plan // nil for shared
	// Priorities are the env\'s listener rules with their priorities.
	Priorities []priority.Assignment
	// Alarms are the catalogue alarms of the env.
	Alarms []AlarmRow
	// Retired are the stacks the lock keeps for the env that it no longer has, in the
	// order to delete them (stacks.json tells make; plan shows them).
	Retired []model.RetiredStack
	Params  map[string]map[string]ParamOrigin // instance path -> parameter -> origin (plan --explain)
	blamed  map[*ir.Error]string              // problem -> the stack whose instance made it (partial.go)
	// certificateBlock is the acm-certificate instance the env's certificate comes from
	// when its file names none (stacks.json, for make check-env)
	certificateBlock string
}

// ParamOrigin says which layer set a parameter value, and what the weaker layers it
// overrode held: every layer the compile looked at, for plan --explain.
type ParamOrigin struct {
	Layer string // default, derived, wired, env, instance, instance env; target (a modification's instance); parent (a nested block's)
	Pos   ir.Pos
	Value *ir.Node
	Under []ParamLayer // the weaker layers that also held a value, weakest first
}

// ParamLayer is one layer's value for a parameter.
type ParamLayer struct {
	Layer string
	Pos   ir.Pos
	Value *ir.Node
}

// StackResult is one stack's template.
type StackResult struct {
	Name         string // spec name: foundation
	StackName    string // CloudFormation name: buildit-twig-staging-foundation
	Pos          ir.Pos
	Template     *ir.Node
	Needs        []string // spec names of the stacks it needs, sorted
	Capabilities []string
	Instances    []string // instance names with their blocks, for plan
	DeployParams []DeployParam
	Shared       bool
	// Origins say where each resource came from (logical ID -> origin), as data.
	Origins map[string]*Origin
}

// DeployParam is a parameter left for deploy time.
type DeployParam struct {
	Name     string
	Default  string
	Required bool // no default: the stack's first deploy must set it
}

// compilation is the state of one riglet's compile.
type compilation struct {
	fsys      fs.FS
	lib       *model.Library
	spec      *model.Spec
	envs      map[string]*model.Env
	errs      ir.Errors
	lock      *model.Lock
	plans     map[string]*netplan.Plan
	export    map[string]map[string]bool // env -> export name -> requested by a shared stack
	opts      Options
	cat       *alarms.Catalogue
	catLoaded sync.Once
	lockMu    sync.Mutex // guards lock.Priorities while envs compile in parallel
	// renderPool bounds the templates emitted at once, across every env (renderEnv)
	renderPool chan struct{}
	// envSlots are the GOMAXPROCS slots the envs compile in; a slot no env holds
	// (the last env compiling alone) lends its core to work within an env (helpWith)
	envSlots chan struct{}
	// instances of the spec, indexed once (allInstances)
	indexed   bool
	instances []*model.Instance
	byPath    map[string]*model.Instance   // stack.instance
	byName    map[string][]*model.Instance // instance name
	byBlock   map[string][]*model.Instance // block name
	// badMods are the with: entries checkInstances refused: expanding them would only
	// report what follows from that error.
	badMods map[*model.Modification]bool
	// badOnly are the only: keys (by position) checkOnly found wrong: what they leave
	// out of an env is not reported again (absent)
	badOnly map[ir.Pos]bool
	unused  []*ir.Error // env params no block has (Result.UnusedEnvParams)
}

// UsageError is a request the riglet cannot answer (an --env it does not have): bad
// usage, exit 2, not a mistake in the sources.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Compile compiles the riglet spec at specFile (a path in fsys, e.g.
// "riglets/twig.yaml"). builtin holds the built-in library (<name>/block.yaml and
// alarms.yaml), under the user's blocks/ in fsys.
func Compile(fsys, builtin fs.FS, specFile string, opts Options) (*Result, error) {
	return CompileWith(fsys, model.NewLibrary(fsys, builtin), specFile, opts)
}

// CompileWith compiles with a library built by the caller, so that what the caller
// reads through it (lint its suppression comments, docs its blocks) is what the
// compile used. Compiles of one repository may share a library.
func CompileWith(fsys fs.FS, lib *model.Library, specFile string, opts Options) (*Result, error) {
	c := &compilation{fsys: fsys, lib: lib, envs: map[string]*model.Env{}, plans: map[string]*netplan.Plan{}, opts: opts, badMods: map[*model.Modification]bool{}}
	// Phase one loads and checks everything that does not depend on an env, so that
	// one run reports every such mistake; phase two expands, which needs it all right.
	phase.Mark("start")
	// The lock is read and parsed beside the spec: neither needs the other, and each
	// is a large YAML file of a large riglet. Its problems are reported after the
	// spec's (and CheckRequires'), as when it was read second, and not at all when the
	// spec did not load.
	lockFile := LockFile(specFile)
	var oldLock []byte
	var lockErrs ir.Errors
	lockRead := make(chan struct{})
	go func() {
		defer close(lockRead)
		oldLock, c.lock = model.ReadLock(fsys, lockFile, &lockErrs)
		phase.Mark("lock read")
	}()
	c.spec = model.LoadSpec(fsys, specFile, &c.errs)
	phase.Mark("spec loaded")
	if c.spec == nil {
		<-lockRead
		return nil, c.errs.Err()
	}
	model.CheckRequires(c.spec, &c.errs)
	<-lockRead
	c.errs = append(c.errs, lockErrs...)
	selected := map[string]bool{}
	for _, e := range opts.Envs {
		found := false
		for _, se := range c.spec.Envs {
			found = found || se == e
		}
		if !found {
			return nil, &UsageError{fmt.Sprintf("--env %s: riglet %s has no env %s (it has %s)%s", e, c.spec.Name, e, strings.Join(c.spec.Envs, ", "), didYouMean(e, c.spec.Envs))}
		}
		selected[e] = true
	}
	envErrs := map[*ir.Error]bool{} // problems of the env files, which leave their env out
	for i, e := range c.spec.Envs {
		if !model.ValidEnvName(e) {
			continue // reported by LoadSpec; such a name is never a path
		}
		from := len(c.errs)
		env := model.LoadEnv(fsys, e, &c.errs)
		// An env whose azs did not load (a string for a list) has no AZs to expand:
		// expanding it would only report the cascade, first inside built-in blocks.
		// A partial compile leaves out every env whose file has a problem.
		if env != nil && len(env.AZs) > 0 && (!opts.Partial || len(c.errs) == from) {
			c.envs[e] = env
		}
		// A problem with a whole env file (missing, unreadable, extending in a cycle)
		// has no line of its own: it is placed where the spec names the env.
		for _, err := range c.errs[from:] {
			if err.Pos.Line == 0 && i < len(c.spec.EnvPos) {
				if err.Pos.File != 0 && err.Code != ir.CodeUnreadable {
					err.Related = append(err.Related, ir.Related{Pos: err.Pos, Msg: "env file"})
				}
				err.Pos = c.spec.EnvPos[i]
			}
			envErrs[err] = true
		}
	}
	phase.Mark("envs loaded")
	c.checkInstances()
	c.checkOnly()
	c.checkEnvParams()
	if (!opts.Partial && len(c.envs) < len(c.spec.Envs)) || len(c.envs) == 0 || c.errs.Has(ir.CodeVersion) {
		return nil, c.errs.Err()
	}
	phase.Mark("checked")
	c.planNetwork()
	phase.Mark("network")
	if c.errs.Has(ir.CodeNetwork) {
		return nil, c.errs.Err()
	}
	nGlobal := len(c.errs)
	res := &Result{Spec: c.spec, LockFile: lockFile, OldLock: oldLock, Library: c.lib, UnusedEnvParams: c.unused}
	c.collectSharedExports()
	// Envs share nothing they write but the lock, so they compile in parallel; the
	// block library, the catalogue and the instance index are loaded first.
	c.allInstances()
	c.catalogue()
	phase.Mark("catalogue")
	results := make([]*EnvResult, len(c.spec.Envs))
	errs := make([]*ir.Errors, len(c.spec.Envs))
	var wg sync.WaitGroup
	// An env holds one of GOMAXPROCS slots while it expands and renders; its templates
	// are emitted on a render pool shared by every env, so that the last env's go on
	// every core (3 envs on 2 cores, one goroutine each, left one core idle while the
	// third rendered). Giving the slot back before rendering let a third env's trees
	// live beside two others': 3 x 800 services reached compile's soft memory target
	// and spent more CPU collecting than it saved.
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	c.envSlots = sem
	c.renderPool = make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, e := range c.spec.Envs {
		if c.envs[e] == nil { // left out of a partial compile
			errs[i] = &ir.Errors{}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			phase.Mark("env start " + e)
			results[i], errs[i] = c.compileEnv(c.envs[e])
			phase.Mark("env compiled " + e)
			c.render(results[i], errs[i])
			phase.Mark("env rendered " + e)
		}()
	}
	wg.Wait()
	phase.Mark("envs done")
	var allEnvErrs ir.Errors
	var perEnv []ir.Errors // the problems of each env of res.Envs, before merging
	for i, e := range c.spec.Envs {
		// Every env is compiled, so that the lock and cross-env references stay whole;
		// only the selected ones are returned.
		for _, err := range *errs[i] {
			if len(err.Envs) == 0 {
				err.Envs = []string{e}
			}
		}
		allEnvErrs = append(allEnvErrs, *errs[i]...)
		if results[i] != nil && (len(selected) == 0 || selected[e]) {
			res.Envs = append(res.Envs, results[i])
			perEnv = append(perEnv, *errs[i])
		}
	}
	c.errs = append(c.errs, mergeEnvErrors(allEnvErrs, c.spec.Envs)...)
	if c.hasShared() && c.envs[c.spec.Envs[0]] != nil {
		er, errs := c.compileShared()
		c.render(er, errs)
		c.errs = append(c.errs, *errs...)
		res.Envs = append(res.Envs, er)
		perEnv = append(perEnv, *errs)
	}
	if err := c.errs.Err(); err != nil {
		if opts.Partial {
			c.keepClean(res, c.errs[:nGlobal], envErrs, perEnv)
			return res, err
		}
		return nil, err
	}
	c.recordStacks(results, res.Envs)
	phase.Mark("compile done")
	res.Lock = c.lock
	return res, nil
}

func (c *compilation) hasShared() bool {
	for _, s := range c.spec.Stacks {
		if s.Shared {
			return true
		}
	}
	return false
}

// checkInstances checks what does not depend on the env: blocks exist, instance and
// stack names are unique, modifications fit.
func (c *compilation) checkInstances() {
	seen := map[string]*model.Instance{}
	stacks := map[string]bool{}
	for _, s := range c.spec.Stacks {
		stacks[s.Name] = true
	}
	for _, s := range c.spec.Stacks {
		for i, n := range s.Needs {
			if !stacks[n] {
				c.errs.AddCode(ir.CodeUnknownStack, s.NeedsPos[i], "stack %s needs unknown stack %s%s", s.Name, n, didYouMean(n, sortedKeys(stacks)))
			}
		}
		for _, in := range s.Instances {
			if prev, ok := seen[in.Name]; ok && prev.Stack == s {
				c.errs.AddCode(ir.CodeDuplicateName, in.Pos, "instance %s is defined twice in stack %s", in.Name, s.Name)
			}
			seen[in.Name] = in
			b := c.block(in.Block, in.BlockPos)
			if b == nil {
				continue
			}
			if b.Kind == "modification" {
				c.errs.AddCode(ir.CodeModification, in.BlockPos, "block %s is a modification: attach it to an instance with `with: [%s]`", b.Name, b.Name)
			}
			for env, p := range in.EnvsPos {
				found := false
				for _, e := range c.spec.Envs {
					found = found || e == env
				}
				if !found {
					c.errs.AddCode(ir.CodeUnknownEnv, p, "instance %s sets parameters for unknown env %s%s", in.Name, env, didYouMean(env, c.spec.Envs))
				}
			}
			have := map[string]bool{}
			first := map[string]*model.Modification{}
			for _, m := range in.With {
				have[m.Block] = true
				// a second entry would be dropped with its parameters: one block is one
				// set of resources beside the instance, under one name
				if f := first[m.Block]; f != nil {
					c.errs.Add(&ir.Error{Code: ir.CodeModification, Pos: m.Pos,
						Msg:     fmt.Sprintf("modification %s is listed twice in the with of instance %s: give its parameters in one entry", m.Block, in.Name),
						Related: []ir.Related{{Pos: f.Pos, Msg: "first " + m.Block + " here"}}})
					c.badMods[m] = true
				} else {
					first[m.Block] = m
				}
			}
			for _, m := range in.With {
				if first[m.Block] != m {
					continue
				}
				mb := c.block(m.Block, m.Pos)
				if mb == nil {
					continue
				}
				if mb.Kind != "modification" {
					c.errs.AddCode(ir.CodeModification, m.Pos, "block %s is not a modification; only modifications go in with", m.Block)
					c.badMods[m] = true
					continue
				}
				if len(mb.AttachesTo) > 0 && !contains(mb.AttachesTo, b.Name) {
					c.errs.AddCode(ir.CodeModification, m.Pos, "modification %s attaches to %s, not to %s", m.Block, strings.Join(mb.AttachesTo, ", "), b.Name)
					c.badMods[m] = true
				}
				for _, r := range mb.Requires {
					if !have[r] {
						c.errs.AddCode(ir.CodeModification, m.Pos, "modification %s needs %s: add it to with", m.Block, r)
						c.badMods[m] = true
					}
				}
			}
		}
	}
}

// checkEnvParams reports env params: keys no block of the riglet's instances (or of
// their modifications, which env params reach too) has: a typo would otherwise leave
// the block default deployed in silence. Checked only when every block loaded, so a
// missing block does not make every key look unknown.
func (c *compilation) checkEnvParams() {
	known := map[string]bool{}
	for _, s := range c.spec.Stacks {
		for _, in := range s.Instances {
			b, _ := c.lib.Get(in.Block)
			if b == nil {
				return
			}
			for _, p := range b.Params {
				known[p.Name] = true
			}
			for _, m := range in.With {
				mb, _ := c.lib.Get(m.Block)
				if mb == nil {
					return
				}
				for _, p := range mb.Params {
					known[p.Name] = true
				}
			}
		}
	}
	for _, e := range c.spec.Envs {
		env := c.envs[e]
		if env == nil || env.Params == nil {
			continue
		}
		for _, pr := range env.Params.Pairs {
			if !known[pr.Key] {
				c.unused = append(c.unused, ir.Errorf(ir.CodeUnknownParam, pr.KeyPos, "env param %s is a parameter of no block of riglet %s%s", pr.Key, c.spec.Name, didYouMean(pr.Key, sortedKeys(known))))
			}
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// block loads a block, reporting an unknown one at p.
func (c *compilation) block(name string, p ir.Pos) *model.Block {
	b, err := c.lib.Get(name)
	if ue := (*ir.Error)(nil); errors.As(err, &ue) && ue.Code == ir.CodeUnreadable {
		// the block file is named by the instance that uses it: the line to fix or
		// the file to repair, both shown
		c.errs.Add(&ir.Error{Code: ue.Code, Pos: p, Msg: ue.Msg, Related: []ir.Related{{Pos: ue.Pos, Msg: "block file"}}})
		return nil
	}
	if err != nil {
		c.errs.Merge(err)
		return nil
	}
	switch {
	case b == nil && name == "":
		c.errs.AddCode(ir.CodeUnknownBlock, p, "no block named: the block: key is empty or missing")
	case b == nil:
		c.errs.AddCode(ir.CodeUnknownBlock, p, "unknown block %s%s", ir.Name(name), didYouMean(name, c.lib.Names()))
	}
	return b
}

func (c *compilation) planNetwork() {
	nw := c.spec.Network
	cfg := netplan.Config{Pool: nw.Pool, PoolPos: nw.PoolPos, Prefix: nw.Prefix, PrefixPos: nw.PrefixPos,
		MaxAZs: nw.MaxAZs, MaxAZsPos: nw.MaxAZsPos}
	for _, t := range nw.Tiers {
		cfg.Tiers = append(cfg.Tiers, netplan.Tier{Name: t.Name, Size: t.Size, Pos: t.Pos})
	}
	var envs []netplan.Env
	for _, name := range c.spec.Envs {
		e := c.envs[name]
		if e == nil { // left out of a partial compile
			continue
		}
		envs = append(envs, netplan.Env{Name: name, Pos: e.Pos, CIDR: e.CIDR, CIDRPos: e.CIDRPos,
			AZs: e.AZs, AZsPos: e.AZsPos, Subnets: e.Subnets, SubnetPos: e.SubnetPos})
	}
	plans, lock, errs := netplan.Allocate(cfg, envs, c.lock.Network)
	c.errs = append(c.errs, errs...)
	c.lock.Network = lock
	for i := range plans {
		c.plans[plans[i].Env] = &plans[i]
	}
}

// stackName is the CloudFormation name of a stack in an env ("" for shared stacks).
func (c *compilation) stackName(env, stack string) string {
	if env == "" {
		return c.spec.Owner + "-" + c.spec.Name + "-" + stack
	}
	return c.spec.Owner + "-" + c.spec.Name + "-" + env + "-" + stack
}

// exportName is the name an instance output is exported under.
func exportName(stackName, instance, output string) string {
	return stackName + "--" + model.Pascal(instance) + output
}

// collectSharedExports finds what shared stacks import from the envs, so that those
// envs export it.
func (c *compilation) collectSharedExports() {
	c.export = map[string]map[string]bool{}
	for _, s := range c.spec.Stacks {
		if !s.Shared {
			continue
		}
		for _, in := range s.Instances {
			for _, n := range paramSources(in, "") {
				ir.Walk(n, func(m *ir.Node) bool {
					if fn, a, ok := m.Intrinsic(); ok && fn == source.OutputFn && a.Kind == ir.String {
						if env, rest, ok := strings.Cut(a.Text, ":"); ok {
							if c.export[env] == nil {
								c.export[env] = map[string]bool{}
							}
							c.export[env][rest] = true
						}
					}
					return true
				})
			}
		}
	}
}

// paramSources lists the parameter maps an instance's values come from.
func paramSources(in *model.Instance, env string) []*ir.Node {
	out := []*ir.Node{in.Params}
	if env == "" {
		for _, k := range sortedKeys(in.Envs) {
			out = append(out, in.Envs[k])
		}
	} else if m := in.Envs[env]; m != nil {
		out = append(out, m)
	}
	for _, m := range in.With {
		out = append(out, m.Params)
	}
	return out
}

// sortStacks orders stacks so that each comes after the stacks it needs, keeping the
// spec's order otherwise; a cycle is reported with its chain.
func sortStacks(stacks []*StackResult, errs *ir.Errors) []*StackResult {
	byName := map[string]*StackResult{}
	var names []string
	for _, s := range stacks {
		byName[s.Name] = s
		names = append(names, s.Name)
	}
	order, cycles := graph.Sort(names, func(n string) []string {
		var ds []string
		for _, d := range byName[n].Needs {
			if byName[d] != nil {
				ds = append(ds, d)
			}
		}
		return ds
	})
	for _, c := range cycles {
		s := byName[c.Path[c.Start]]
		errs.AddCode(ir.CodeCycle, s.Pos, "stacks need each other in a cycle: %s", strings.Join(c.Nodes(), " -> "))
	}
	out := make([]*StackResult, len(order))
	for i, n := range order {
		out[i] = byName[n]
	}
	return out
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// render renders an env's files now, when asked to, and drops its templates.
func (c *compilation) render(er *EnvResult, errs *ir.Errors) {
	if len(*errs) > 0 {
		return
	}
	er.Retired = c.retiredStacks(er)
	if !c.opts.RenderOnly {
		return
	}
	var mu sync.Mutex // indexed is called from the render workers
	kept := map[*StackResult]bool{}
	er.files = renderEnv(c.spec, er, func(s *StackResult, p string, data []byte) bool {
		if c.opts.Keep == nil || !c.opts.Keep(p, data) {
			return false
		}
		mu.Lock()
		kept[s] = true
		mu.Unlock()
		return true
	}, c.renderPool, nil)
	for _, s := range er.Stacks {
		if kept[s] {
			continue
		}
		s.Template = nil
		if c.opts.Keep != nil {
			s.Origins = nil
		}
	}
}

// mergeEnvErrors folds an error that every env makes alike (same code, position and
// message) into one naming the envs it was found in, or none when it is all of them:
// a mistake in a block is one mistake, however many envs compile it.
func mergeEnvErrors(es ir.Errors, all []string) ir.Errors {
	type key struct {
		code ir.Code
		pos  ir.Pos
		msg  string
	}
	idx := map[key]*ir.Error{}
	var out ir.Errors
	for _, e := range es {
		k := key{e.Code, e.Pos, e.Msg}
		if m := idx[k]; m != nil {
			m.Envs = append(m.Envs, e.Envs...)
			continue
		}
		m := *e
		m.Envs = append([]string(nil), e.Envs...)
		idx[k] = &m
		out = append(out, &m)
	}
	for _, e := range out {
		sort.Strings(e.Envs)
		e.Envs = slices.Compact(e.Envs)
		if len(e.Envs) == len(all) {
			e.Envs = nil
		}
	}
	return out
}

// helpWith does items 0..n-1, taken in order, on this goroutine and, beside it, on
// the envs' slots that are free (no env compiles or waits to; a waiting env gets a
// freed slot first): before each item this goroutine takes, it lends a slot freed
// since to a helper. worker makes each goroutine's do, which must not depend on
// which goroutine does which item. With every core busy compiling envs it is one
// loop over the items, in order.
func (c *compilation) helpWith(n int, worker func() func(i int)) {
	var next atomic.Int64
	loop := func(do func(int)) {
		for {
			i := int(next.Add(1)) - 1
			if i >= n {
				return
			}
			do(i)
		}
	}
	var wg sync.WaitGroup
	helpers := 0
	recruit := func() {
		for helpers < cap(c.envSlots)-1 && int(next.Load()) < n-1 {
			select {
			case c.envSlots <- struct{}{}:
			default:
				return
			}
			helpers++
			wg.Add(1)
			do := worker()
			go func() {
				defer wg.Done()
				defer func() { <-c.envSlots }()
				loop(do)
			}()
		}
	}
	do := worker()
	for {
		recruit()
		i := int(next.Add(1)) - 1
		if i >= n {
			break
		}
		do(i)
	}
	wg.Wait()
}

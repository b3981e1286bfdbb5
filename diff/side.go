// Package diff says what a change to a riglet does to AWS: per env and stack, the
// resources added, removed and modified per property path, classified by what
// CloudFormation will do with them (replace, lose data, refuse) and by what they open
// (IAM, security groups, public access, encryption), each at the source line that
// caused it and the generated template's line. It compares two Sides, built from a
// compile (with every resource's Origin) or from template bytes; it does no I/O.
package diff

import (
	"sync"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/emit"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/source"
)

// Side is one side of a diff: one riglet's envs with their stacks, and its lock.
type Side struct {
	Riglet   string
	Envs     []*Env
	Lock     *model.Lock // nil when unknown: no lock changes are reported
	LockFile string      // where the lock is (riglets/twig.lock), for positions
	LockData []byte      // the lock as written, to place lock changes on its lines
	// Spec is the riglet spec the side was compiled from (nil for templates read from
	// files): what removed resources and stacks are placed at.
	Spec *model.Spec
	// Builtin says a file is a built-in block's, not one of the user's (nil: none is).
	Builtin func(file string) bool
}

// Env is one env's stacks (or the shared stacks'), in deploy order.
type Env struct {
	Name   string
	Stacks []*Stack
	// Partial says only some of the env's stacks are here (a template fetched from
	// AWS for one stack): stacks the other side has and this one lacks are not
	// reported as added or removed.
	Partial bool
	byName  map[string]*Stack
}

// Stack is one template.
type Stack struct {
	Name string // spec name: foundation
	File string // the template's path as positions name it
	Data []byte // the template's bytes
	// Template is the parsed template; nil until needed, then parsed from Data.
	Template *ir.Node
	Index    *emit.Index                 // where the emitter wrote each resource (nil: positions from Template)
	Origins  map[string]*compiler.Origin // logical ID -> where it came from (nil for templates read from files)
	Needs    []string                    // the stacks it needs
	Pos      ir.Pos                      // where the spec declares it (zero for files)
	// Tally is the alarms counted from Data (CountAlarms) by whoever had the bytes
	// first; nil: counted when needed.
	Tally    *AlarmTally
	parseErr error
}

// FromResult makes the new side of a diff from a compile: each template as riglet
// compile would write it, with its tree and line index where the compile kept them
// (all of them without RenderOnly; with it, those compiler.Options.Keep kept: the
// comparison needs no tree of a template whose bytes are the old ones). out is the
// output directory as positions name it ("out").
func FromResult(res *compiler.Result, out string, envs []*compiler.EnvResult) *Side {
	s := &Side{Riglet: res.Spec.Name, Lock: res.Lock, LockFile: res.LockFile, Spec: res.Spec,
		Builtin: res.Library.IsBuiltin, LockData: res.Lock.Marshal(res.Spec.File)}
	// A compile that kept its trees has rendered nothing yet, and rendering every
	// template is then most of a diff's own work: one env per goroutine, as the
	// compile itself does.
	rendered := make([][]compiler.File, len(envs))
	var wg sync.WaitGroup
	for i, e := range envs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rendered[i] = res.EnvFiles(e)
		}()
	}
	wg.Wait()
	for i, e := range envs {
		env := &Env{Name: e.Env}
		files := rendered[i]
		byPath := map[string]compiler.File{}
		for _, f := range files {
			byPath[f.Path] = f
		}
		for _, st := range e.Stacks {
			p := res.EnvDir(e.Env) + "/" + st.Name + ".yaml"
			f := byPath[p]
			env.Stacks = append(env.Stacks, &Stack{Name: st.Name, File: out + "/" + p, Data: f.Data,
				Template: st.Template, Index: f.Index, Origins: st.Origins, Needs: st.Needs, Pos: st.Pos})
		}
		s.Envs = append(s.Envs, env)
	}
	return s
}

// tree returns the stack's parsed template (nil when it does not parse: Err says why).
func (st *Stack) tree() *ir.Node {
	if st.Template == nil && st.parseErr == nil && st.Data != nil {
		st.Template, st.parseErr = source.Parse(st.File, st.Data)
		if st.Template != nil && st.Template.Kind != ir.Map {
			st.Template, st.parseErr = nil, errNotTemplate
		}
	}
	return st.Template
}

type constError string

func (e constError) Error() string { return string(e) }

const errNotTemplate = constError("not a CloudFormation template: the document is not a map")

// Err is why the stack's template could not be read, or nil.
func (st *Stack) Err() error {
	st.tree()
	return st.parseErr
}

// resourceLine is the generated line of a resource (or output, when output is set).
func (st *Stack) line(id string, output bool) ir.Pos {
	if st.Index != nil {
		m := st.Index.Resources
		if output {
			m = st.Index.Outputs
		}
		if l, ok := m[id]; ok {
			return ir.Pos{File: ir.FileOf(st.File), Line: int32(l)}
		}
	}
	section := "Resources"
	if output {
		section = "Outputs"
	}
	if p := st.tree().Get(section).Pair(id); p != nil {
		return ir.Pos{File: ir.FileOf(st.File), Line: p.KeyPos.Line}
	}
	return ir.Pos{File: ir.FileOf(st.File)}
}

func (s *Side) env(name string) *Env {
	for _, e := range s.Envs {
		if e.Name == name {
			return e
		}
	}
	return nil
}

func (e *Env) stack(name string) *Stack {
	if e == nil {
		return nil
	}
	if e.byName == nil {
		// an env of 800 stacks is looked up once per stack on each side
		e.byName = make(map[string]*Stack, len(e.Stacks))
		for _, s := range e.Stacks {
			e.byName[s.Name] = s
		}
	}
	return e.byName[name]
}

// user reports whether p is in a file of the user's repository.
func (s *Side) user(p ir.Pos) bool {
	return p.IsValid() && p.File != 0 && (s.Builtin == nil || !s.Builtin(p.File.String()))
}

// txt is a node's text, "" for none: templates from elsewhere may lack any key.
func txt(n *ir.Node) string {
	if n == nil {
		return ""
	}
	return n.Text
}

// pairsOf is a map's pairs, none for nil.
func pairsOf(n *ir.Node) []ir.Pair {
	if n == nil {
		return nil
	}
	return n.Pairs
}

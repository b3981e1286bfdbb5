package lint

import (
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/emit"
	"github.com/riglet/riglet/ir"
)

// Pass is what a rule's Run sees: one template (ScopeTemplate: Env and Stack set) or
// the whole riglet (ScopeRiglet: Envs set).
type Pass struct {
	Rule   *Rule
	Result *compiler.Result
	Env    *Env
	Stack  *Stack
	Envs   []*Env

	out *[]*Finding
}

// Env is one compiled env (or the shared stacks) as rules see it.
type Env struct {
	*compiler.EnvResult
	Stacks []*Stack // deploy order
	Prod   bool     // a production env: stricter reliability rules

	result *compiler.Result
	// keep: the env's files are rendered once and kept (lint --check compares them with
	// out/), so sizes and lines come from them. Else each template is sized in a
	// pooled buffer and indexed only when a finding needs its lines. Template rules run
	// on the env's stacks in parallel, so what is computed lazily is computed once.
	keep       bool
	each       func(compiler.File) // with keep: handed each file as it is rendered, which is then not kept
	renderOnce sync.Once

	digestOnce sync.Once
	envKey     Digest // envDigest, for a TemplateCache

	exportsOnce sync.Once
	exports     map[string]*ir.Pair // export name -> output
	exportStack map[string]*Stack

	byNameOnce sync.Once
	byName     map[string]*Stack // stack name -> its first stack of that name

	lbOnce  sync.Once
	lbRules []*lbRule // listenerRules, read by every load-balancing rule
	lbPanic any       // what listenerRules panicked with, if it did
}

// Stack is one generated template.
type Stack struct {
	*compiler.StackResult
	Env        *Env
	Resources  []*Resource // template order
	ByID       map[string]*Resource
	Outputs    *ir.Node // Map or nil
	Parameters *ir.Node // Map or nil
	OutPath    string   // out/<riglet>/<env>/<stack>.yaml

	unexpanded []unexpanded   // a plain template's Fn::ForEach entries left unexpanded
	cache      map[string]any // memo: read by the rules of this stack only

	// Size and generated lines, computed once: a riglet rule may ask about any stack.
	mu    sync.Mutex
	size  int
	sized bool
	lines map[string]int // logical ID -> generated line; nil until indexed
}

// Resource is one generated resource.
type Resource struct {
	ID       string
	Type     string
	Node     *ir.Node         // the resource's map
	Props    *ir.Node         // Properties, or nil
	Source   ir.Pos           // the block line that made it (a plain template's own line)
	Instance string           // the instance path that made it
	Origin   *compiler.Origin // where it came from; nil in a plain template
	Stack    *Stack
}

// Prop returns a property by dotted path ("DeploymentConfiguration.MaximumPercent"),
// or nil.
func (r *Resource) Prop(path string) *ir.Node {
	n := r.Props
	for _, k := range strings.Split(path, ".") {
		n = n.Get(k)
	}
	return n
}

// Pos is where findings about the resource as a whole go: its line in the user's
// repository (the instance that brought a built-in block in), with its column.
func (r *Resource) Pos() ir.Pos {
	if r.Origin != nil {
		return r.Origin.User()
	}
	if r.Source.IsValid() {
		return r.Source
	}
	return r.Node.Pos
}

// place moves a finding about r whose position is in a built-in file (which the user
// does not have) to r's position in the user's repository, relating the built-in lines.
func (p *Pass) place(f *Finding, r *Resource) {
	if p.Result == nil || r.Origin == nil || !p.Result.Library.IsBuiltin(f.Pos.File.String()) {
		return
	}
	rel := r.Origin.Related()
	if f.Pos != r.Origin.Pos {
		msg := "in built-in " + f.Pos.File.String()
		if f.Pos.File == r.Origin.Pos.File {
			msg = "in built-in block " + r.Origin.Block
		}
		rel = append([]Related{{Pos: f.Pos, Msg: msg}}, rel...)
	}
	f.Moved = append(f.Moved, f.Pos)
	if f.Pos != r.Origin.Pos {
		f.Moved = append(f.Moved, r.Origin.Pos)
	}
	f.Pos = r.Origin.User()
	f.Related = append(f.Related, rel...)
}

func newEnv(res *compiler.Result, er *compiler.EnvResult, keep bool) *Env {
	e := &Env{EnvResult: er, result: res, Prod: er.Env == "production" || er.Env == "prod", keep: keep}
	for _, sr := range er.Stacks {
		s := &Stack{StackResult: sr, Env: e, ByID: map[string]*Resource{}}
		if res != nil {
			s.OutPath = path.Join("out", res.Spec.Name, er.Env, sr.Name+".yaml")
		}
		t := sr.Template
		s.Outputs = t.Get("Outputs")
		s.Parameters = t.Get("Parameters")
		if rs := t.Get("Resources"); rs != nil {
			for _, p := range rs.Pairs {
				r := &Resource{ID: p.Key, Node: p.Value, Stack: s}
				r.Type = text(p.Value.Get("Type"))
				r.Props = p.Value.Get("Properties")
				r.Source = p.KeyPos
				if o := sr.Origins[p.Key]; o != nil {
					r.Origin, r.Source, r.Instance = o, o.Pos, o.Instance
				}
				s.Resources = append(s.Resources, r)
				s.ByID[r.ID] = r
			}
		}
		e.Stacks = append(e.Stacks, s)
	}
	return e
}

// render emits the env's templates once, for generated lines and sizes: it hands each
// file to e.each, or else keeps them (Result.EnvFiles).
func (e *Env) render() {
	e.renderOnce.Do(func() {
		if e.result == nil {
			return // a plain template: its positions are its own lines
		}
		byName := map[string]*Stack{}
		for _, s := range e.Stacks {
			byName[s.Name] = s
		}
		prefix := e.result.EnvDir(e.Env) + "/"
		took := func(f compiler.File) {
			if !strings.HasSuffix(f.Path, ".yaml") {
				return
			}
			if s := byName[strings.TrimSuffix(strings.TrimPrefix(f.Path, prefix), ".yaml")]; s != nil {
				s.mu.Lock()
				s.lines, s.size, s.sized = f.Index.Resources, len(f.Data), true
				s.mu.Unlock()
			}
		}
		if e.each != nil {
			e.result.EachEnvFile(e.EnvResult, func(f compiler.File) {
				took(f)
				e.each(f)
			})
			return
		}
		for _, f := range e.result.EnvFiles(e.EnvResult) {
			took(f)
		}
	})
}

// buffers are the scratch buffers templates are sized in
var buffers = sync.Pool{New: func() any { return new([]byte) }}

// Size returns the generated template's size in bytes.
func (s *Stack) Size() int {
	e := s.Env
	if e.keep {
		e.render()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sized || e.result == nil {
		return s.size
	}
	buf := buffers.Get().(*[]byte)
	*buf = emit.AppendTemplate((*buf)[:0], e.result.Header(e.EnvResult), s.Template)
	s.size, s.sized = len(*buf), true
	buffers.Put(buf)
	return s.size
}

// generated returns the position of a resource's line in its generated template.
func (e *Env) generated(s *Stack, id string) (ir.Pos, bool) {
	if e.keep {
		e.render()
	}
	s.mu.Lock()
	if s.lines == nil && e.result != nil && !e.keep {
		_, idx := emit.TemplateIndexed(e.result.Header(e.EnvResult), s.Template)
		s.lines = idx.Resources
	}
	line, ok := s.lines[id]
	s.mu.Unlock()
	return ir.Pos{File: ir.FileOf(s.OutPath), Line: int32(line), Col: 3}, ok
}

// Report records a finding about resource r at node at (its position, or the
// resource's source line when the node has none), with the generated line related.
func (p *Pass) Report(r *Resource, at *ir.Node, format string, args ...any) *Finding {
	pos := r.Source // placed in the user's files below, keeping the block line
	if !pos.IsValid() {
		pos = r.Node.Pos
	}
	if at != nil && at.Pos.IsValid() {
		pos = at.Pos
	}
	f := p.ReportAt(pos, format, args...)
	f.Instance = r.Instance
	p.place(f, r)
	if g, ok := r.Stack.Env.generated(r.Stack, r.ID); ok {
		f.Related = append(f.Related, Related{Pos: g, Msg: "generated " + r.ID})
	}
	return f
}

// ReportAt records a finding at pos.
func (p *Pass) ReportAt(pos ir.Pos, format string, args ...any) *Finding {
	f := &Finding{Rule: p.Rule.ID, Severity: p.Rule.Severity, Pos: pos, Msg: fmt.Sprintf(format, args...)}
	switch {
	case p.Env != nil:
		f.Envs = []string{p.Env.Env}
	}
	*p.out = append(*p.out, f)
	return f
}

// relate adds to f a related position for resource r (its source, or its generated line).
func relate(f *Finding, r *Resource, msg string) *Finding {
	if g, ok := r.Stack.Env.generated(r.Stack, r.ID); ok {
		f.Related = append(f.Related, Related{Pos: g, Msg: msg})
	} else {
		f.Related = append(f.Related, Related{Pos: r.Pos(), Msg: msg})
	}
	return f
}

// text returns a scalar's text, or "" for anything else (nil included).
func text(n *ir.Node) string {
	if n == nil || !n.IsScalar() || n.Kind == ir.Null {
		return ""
	}
	return n.Text
}

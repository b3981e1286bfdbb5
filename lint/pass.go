package lint

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/riglet/riglet/compiler"
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
	lines  map[string]map[string]int // stack -> logical ID -> generated line, rendered on first use
	sizes  map[string]int            // stack -> template bytes

	exports     map[string]*ir.Pair // export name -> output
	exportStack map[string]*Stack
	capacity    map[string]int // ECS service key -> largest MaxCapacity scaling it
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

	cache map[string]any
}

// Resource is one generated resource.
type Resource struct {
	ID       string
	Type     string
	Node     *ir.Node // the resource's map
	Props    *ir.Node // Properties, or nil
	Source   ir.Pos   // Metadata.riglet.source: the block line that made it
	Instance string   // Metadata.riglet.instance
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

// Pos is where findings about the resource as a whole go: its source line.
func (r *Resource) Pos() ir.Pos {
	if r.Source.IsValid() {
		return r.Source
	}
	return r.Node.Pos
}

func newEnv(res *compiler.Result, er *compiler.EnvResult) *Env {
	e := &Env{EnvResult: er, result: res, Prod: er.Env == "production" || er.Env == "prod"}
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
				if md := p.Value.Get("Metadata").Get("riglet"); md != nil {
					r.Source = parsePos(text(md.Get("source")))
					r.Instance = text(md.Get("instance"))
				}
				if !r.Source.IsValid() {
					r.Source = p.KeyPos
				}
				s.Resources = append(s.Resources, r)
				s.ByID[r.ID] = r
			}
		}
		e.Stacks = append(e.Stacks, s)
	}
	return e
}

// parsePos reads "file:line" or "file:line:col".
func parsePos(s string) ir.Pos {
	if s == "" {
		return ir.Pos{}
	}
	parts := strings.Split(s, ":")
	p := ir.Pos{File: s}
	nums := []int{}
	for len(parts) > 1 {
		n, err := strconv.Atoi(parts[len(parts)-1])
		if err != nil || len(nums) == 2 {
			break
		}
		nums = append([]int{n}, nums...)
		parts = parts[:len(parts)-1]
	}
	if len(nums) > 0 {
		p.File = strings.Join(parts, ":")
		p.Line = int32(nums[0])
		if len(nums) > 1 {
			p.Col = int32(nums[1])
		}
	}
	return p
}

// render emits the env's templates once, for generated lines and sizes.
func (e *Env) render() {
	if e.lines != nil {
		return
	}
	e.lines = map[string]map[string]int{}
	e.sizes = map[string]int{}
	if e.result == nil {
		return // a plain template: its positions are its own lines
	}
	prefix := e.result.EnvDir(e.Env) + "/"
	for _, f := range e.result.EnvFiles(e.EnvResult) {
		if strings.HasSuffix(f.Path, ".yaml") {
			name := strings.TrimSuffix(strings.TrimPrefix(f.Path, prefix), ".yaml")
			e.lines[name] = resourceLines(f.Data)
			e.sizes[name] = len(f.Data)
		}
	}
}

// Size returns the generated template's size in bytes.
func (s *Stack) Size() int {
	s.Env.render()
	return s.Env.sizes[s.Name]
}

// generated returns the position of a resource's line in its generated template.
func (e *Env) generated(s *Stack, id string) (ir.Pos, bool) {
	e.render()
	line, ok := e.lines[s.Name][id]
	return ir.Pos{File: s.OutPath, Line: int32(line), Col: 3}, ok
}

// resourceLines finds "  LogicalID:" under "Resources:" in an emitted template.
func resourceLines(data []byte) map[string]int {
	out := map[string]int{}
	in := false
	line := 0
	for len(data) > 0 {
		line++
		i := 0
		for i < len(data) && data[i] != '\n' {
			i++
		}
		l := string(data[:i])
		if i < len(data) {
			i++
		}
		data = data[i:]
		switch {
		case len(l) > 0 && l[0] != ' ' && l[0] != '#':
			in = l == "Resources:"
		case in && len(l) > 2 && l[:2] == "  " && l[2] != ' ' && l[2] != '#':
			if k, _, ok := strings.Cut(l[2:], ":"); ok {
				out[strings.Trim(k, `"'`)] = line
			}
		}
	}
	return out
}

// Report records a finding about resource r at node at (its position, or the
// resource's source line when the node has none), with the generated line related.
func (p *Pass) Report(r *Resource, at *ir.Node, format string, args ...any) *Finding {
	pos := r.Pos()
	if at != nil && at.Pos.IsValid() {
		pos = at.Pos
	}
	f := p.ReportAt(pos, format, args...)
	f.instance = r.Instance
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

// Relate adds a related position for resource r (its source, or its generated line).
func (f *Finding) Relate(r *Resource, msg string) *Finding {
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

package lint

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// memCache is a TemplateCache in memory that counts what it is asked.
type memCache struct {
	mu               sync.Mutex
	m                map[Digest][]byte
	gets, hits, puts int
}

func newMemCache() *memCache { return &memCache{m: map[Digest][]byte{}} }

func (c *memCache) Get(k Digest) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gets++
	d, ok := c.m[k]
	if ok {
		c.hits++
	}
	return d, ok
}

func (c *memCache) Put(k Digest, d []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.puts++
	c.m[k] = d
}

// printed is what a user sees of a report: text and json.
func printed(t *testing.T, fs []Finding) string {
	t.Helper()
	var b bytes.Buffer
	for _, f := range []string{"text", "json"} {
		if err := WriteTo(&b, f, fs, Output{}); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// Lint prints the same, byte for byte, with no cache, a cold one and a warm one, at
// any GOMAXPROCS: over every rule's testdata (thousands of findings, placed in
// built-in and user blocks) and the example riglets. The warm run checks no template
// again, and the cold one stores every template.
func TestTemplateCacheFaithful(t *testing.T) {
	cases, _ := filepath.Glob("testdata/*/*.txtar")
	if len(cases) < 50 {
		t.Fatalf("%d cases: too few to mean anything", len(cases))
	}
	total, cached := 0, 0
	for _, file := range cases {
		fsys, specs, _ := loadCase(t, file)
		var riglets []string
		for _, s := range specs {
			if strings.HasPrefix(s, "riglets/") {
				riglets = append(riglets, s)
			}
		}
		if len(riglets) == 0 {
			continue
		}
		want, n := lintPrinted(t, fsys, riglets, nil)
		total += n
		c := newMemCache()
		for _, run := range []struct {
			procs int
			cache TemplateCache
		}{{1, nil}, {4, c}, {1, c}, {2, c}} {
			was := runtime.GOMAXPROCS(run.procs)
			got, _ := lintPrinted(t, fsys, riglets, run.cache)
			runtime.GOMAXPROCS(was)
			if got != want {
				t.Fatalf("%s, GOMAXPROCS %d, cache %v: lint printed\n%s\nwant\n%s", file, run.procs, run.cache != nil, got, want)
			}
		}
		if c.hits != 2*c.puts || c.gets != 3*c.puts {
			t.Errorf("%s: %d templates stored, %d hits in two warm runs", file, c.puts, c.hits)
		}
		if c.puts > 0 {
			cached++
		}
	}
	if total < 500 || cached < 50 {
		t.Fatalf("%d findings over the cases, %d cases with templates: too few to mean anything", total, cached)
	}

	specs, _ := filepath.Glob("../riglets/*.yaml")
	for i, s := range specs {
		specs[i] = strings.TrimPrefix(filepath.ToSlash(s), "../")
	}
	for _, keep := range []bool{false, true} {
		c := newMemCache()
		var want string
		for i := range 3 {
			var cache TemplateCache
			if i > 0 {
				cache = c
			}
			r, err := Lint(os.DirFS(".."), blocks.FS, specs, Options{Keep: keep, Templates: cache})
			if err != nil {
				t.Fatal(err)
			}
			if got := printed(t, r.Findings); i == 0 {
				want = got
			} else if got != want {
				t.Fatalf("examples, keep %v, run %d: lint printed\n%s\nwant\n%s", keep, i, got, want)
			}
		}
		if c.puts < 20 || c.hits != c.puts {
			t.Errorf("examples: %d templates stored, %d hits", c.puts, c.hits)
		}
	}
}

func lintPrinted(t *testing.T, fsys fs.FS, specs []string, c TemplateCache) (string, int) {
	t.Helper()
	r, err := Lint(fsys, builtinAlarms, specs, Options{Templates: c})
	if err != nil {
		t.Fatal(err)
	}
	return printed(t, r.Findings), len(r.Findings)
}

// flipLib says a file is built in when the real library does, except one file.
type flipLib struct {
	lib  *model.Library
	file string
}

func (f flipLib) IsBuiltin(file string) bool { return f.lib.IsBuiltin(file) != (file == f.file) }

// The digest covers every input a template rule reads: change any value, key,
// position, kind, origin, stack field, built-in-ness of a file, or what of its env a
// rule may read (name, production, region, the header, any stack's outputs, any
// resource's ID or type), and the digest changes, so that the cache misses.
func TestTemplateDigestCoversInputs(t *testing.T) {
	fsys := os.DirFS("..")
	lib := model.NewLibrary(fsys, blocks.FS)
	res, err := compiler.CompileWith(fsys, lib, "riglets/twig.yaml", compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(res, res.Envs[0], false)
	env := envDigest(e)
	mutations := 0
	for si, s := range e.Stacks {
		base := templateDigest(env, s, lib)
		check := func(what string) {
			t.Helper()
			mutations++
			if templateDigest(env, s, lib) == base {
				t.Errorf("stack %s: %s changed, the digest did not", s.Name, what)
			}
		}
		var nodes []*ir.Node
		ir.Walk(s.Template, func(n *ir.Node) bool { nodes = append(nodes, n); return true })
		files := map[string]bool{}
		for _, n := range nodes {
			was := *n
			n.Text += "x"
			check("a node's text")
			*n = was
			n.Kind = (n.Kind + 1) % (ir.Map + 1)
			check("a node's kind")
			*n = was
			n.Pos.Line++
			check("a node's line")
			*n = was
			n.Pos.Col++
			check("a node's column")
			*n = was
			n.Pos.File = ir.FileOf(n.Pos.File.String() + "x")
			check("a node's file")
			*n = was
			files[n.Pos.File.String()] = true
			for i := range n.Pairs {
				pr := &n.Pairs[i]
				wasPair := *pr
				pr.Key += "x"
				check("a key")
				*pr = wasPair
				pr.KeyPos.Line++
				check("a key's line")
				*pr = wasPair
				files[pr.KeyPos.File.String()] = true
			}
			if len(n.Items) > 0 {
				n.Items = n.Items[:len(n.Items)-1]
				check("a list's length")
				*n = was
			}
		}
		for id, o := range s.Origins {
			was := *o
			for what, f := range map[string]func(){
				"an origin's instance": func() { o.Instance += "x" },
				"an origin's block":    func() { o.Block += "x" },
				"an origin's position": func() { o.Pos.Line++ },
				"an origin's builtin":  func() { o.Builtin = !o.Builtin },
				"an origin's chain":    func() { o.Chain = append(o.Chain[:len(o.Chain):len(o.Chain)], compiler.Step{Name: "x"}) },
			} {
				f()
				check(what + " (" + id + ")")
				*o = was
			}
			if len(o.Chain) > 0 {
				step := o.Chain[0]
				o.Chain[0].Pos.Col++
				check("a chain step's position")
				o.Chain[0] = step
			}
			files[o.Pos.File.String()] = true
		}
		sr := *s.StackResult
		for what, f := range map[string]func(){
			"the stack's name":     func() { s.StackResult.Name += "x" },
			"the stack name":       func() { s.StackResult.StackName += "x" },
			"the stack's position": func() { s.StackResult.Pos.Line++ },
			"shared":               func() { s.StackResult.Shared = !s.StackResult.Shared },
			"needs":                func() { s.StackResult.Needs = append(s.StackResult.Needs[:len(sr.Needs):len(sr.Needs)], "x") },
			"capabilities": func() {
				s.StackResult.Capabilities = append(s.StackResult.Capabilities[:len(sr.Capabilities):len(sr.Capabilities)], "x")
			},
			"instances": func() {
				s.StackResult.Instances = append(s.StackResult.Instances[:len(sr.Instances):len(sr.Instances)], "x")
			},
			"deploy params": func() {
				s.StackResult.DeployParams = append(s.StackResult.DeployParams[:len(sr.DeployParams):len(sr.DeployParams)], compiler.DeployParam{Name: "x"})
			},
		} {
			f()
			check(what)
			*s.StackResult = sr
		}
		outPath := s.OutPath
		s.OutPath += "x"
		check("the output path")
		s.OutPath = outPath
		delete(files, "")
		for f := range files {
			mutations++
			if templateDigest(env, s, flipLib{lib, f}) == base {
				t.Errorf("stack %s: whether %s is built in changed, the digest did not", s.Name, f)
			}
		}
		if templateDigest(env, s, lib) != base {
			t.Fatalf("stack %s: the digest changed with nothing changed", s.Name)
		}

		// What a rule reads of its env through this stack, seen from every stack.
		envCheck := func(what string) {
			t.Helper()
			mutations++
			if envDigest(e) == env {
				t.Errorf("stack %s: %s changed, the env's digest did not", s.Name, what)
			}
		}
		if s.Outputs != nil {
			for i := range s.Outputs.Pairs {
				v := s.Outputs.Pairs[i].Value
				was := *v
				v.Pos.Line++
				envCheck("an output")
				*v = was
			}
		}
		for _, r := range s.Resources {
			was := *r
			r.Type += "x"
			envCheck("a resource's type")
			*r = was
			r.ID += "x"
			envCheck("a resource's ID")
			*r = was
		}
		if si == 0 {
			was := *e.EnvResult
			e.EnvResult.Env += "x"
			envCheck("the env's name")
			*e.EnvResult = was
			e.EnvResult.Region += "x"
			envCheck("the region")
			*e.EnvResult = was
			e.Prod = !e.Prod
			envCheck("production")
			e.Prod = !e.Prod
		}
	}
	if mutations < 10000 {
		t.Fatalf("%d mutations: too few to mean anything", mutations)
	}
}

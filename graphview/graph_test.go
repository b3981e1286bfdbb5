package graphview

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/priority"
)

// examples compiles the example riglets of the repository (nothing is written).
func examples(t *testing.T) []*compiler.Result {
	t.Helper()
	specs, err := filepath.Glob("../riglets/*.yaml")
	if err != nil || len(specs) == 0 {
		t.Fatalf("no example riglets under ../riglets: %v", err)
	}
	var out []*compiler.Result
	for _, s := range specs {
		res, err := compiler.Compile(os.DirFS(".."), blocks.FS, "riglets/"+filepath.Base(s), compiler.Options{})
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		out = append(out, res)
	}
	return out
}

// all nodes of a graph, with the cluster path each sits in.
func nodesOf(g *graph) (map[string]*node, map[string][]string) {
	nodes := map[string]*node{}
	where := map[string][]string{}
	var walk func(c *cluster, path []string)
	walk = func(c *cluster, path []string) {
		for _, n := range c.nodes {
			nodes[n.id] = n
			where[n.id] = path
		}
		for _, s := range c.clusters {
			walk(s, append(append([]string{}, path...), s.label))
		}
	}
	walk(&g.root, nil)
	return nodes, where
}

// wellFormed: node and cluster IDs unique, every edge between declared nodes.
func wellFormed(t *testing.T, what string, g *graph) {
	t.Helper()
	seen := map[string]bool{}
	var walk func(c *cluster)
	walk = func(c *cluster) {
		for _, n := range c.nodes {
			if seen[n.id] {
				t.Errorf("%s: id %s used twice", what, n.id)
			}
			seen[n.id] = true
		}
		for _, s := range c.clusters {
			if seen[s.id] {
				t.Errorf("%s: id %s used twice", what, s.id)
			}
			seen[s.id] = true
			walk(s)
		}
	}
	walk(&g.root)
	nodes, _ := nodesOf(g)
	for _, e := range g.edges {
		if nodes[e.from] == nil || nodes[e.to] == nil {
			t.Errorf("%s: edge %s -> %s names an undeclared node", what, e.from, e.to)
		}
	}
}

func TestExampleGraphs(t *testing.T) {
	for _, res := range examples(t) {
		// A retired priority on every listener (a removed service's, kept in the lock
		// until lock prune), between and after the live ones, so that the routes view is
		// checked with one.
		for env, listeners := range res.Lock.Priorities {
			for l, rules := range listeners {
				rules[fmt.Sprintf("gone-%s/ServiceListenerRule", env)] = priority.Entry{Priority: 150, Retired: true}
				rules["gone-too/ServiceListenerRule"] = priority.Entry{Priority: 49999, Retired: true}
				listeners[l] = rules
			}
		}
		for _, er := range res.Envs {
			for _, v := range Views {
				what := fmt.Sprintf("%s/%s/%s", res.Spec.Name, er.Env, v)
				gr, err := Build(res, er.Env, v)
				if er.Env == "shared" && v == Network {
					if err == nil {
						t.Errorf("%s: no error for the shared stacks' network", what)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				wellFormed(t, what, gr.g)
				// the same compile draws the same bytes, in both formats
				again, _ := Build(res, er.Env, v)
				for _, f := range []Format{Mermaid, DOT} {
					var a, b bytes.Buffer
					if err := gr.Write(&a, f); err != nil {
						t.Fatal(err)
					}
					again.Write(&b, f)
					if !bytes.Equal(a.Bytes(), b.Bytes()) {
						t.Errorf("%s %s: two renderings differ", what, f)
					}
				}
				switch v {
				case Stacks:
					checkStacks(t, what, res, er, gr.g)
				case Network:
					checkNetwork(t, what, res, er, gr.g)
				case Routes:
					checkRoutes(t, what, res, er, gr.g)
				}
			}
		}
	}
}

var countRe = regexp.MustCompile(`^(\d+) imports$`)

// checkStacks: every stack once, numbered in deploy order; an edge src -> s exactly
// when s needs src or imports from it, and its label accounts for every import.
func checkStacks(t *testing.T, what string, res *compiler.Result, er *compiler.EnvResult, g *graph) {
	nodes, _ := nodesOf(g)
	byLabel := map[string]string{} // stack name -> node id
	groups := []*compiler.EnvResult{er}
	for _, e := range res.Envs {
		if e.Env == "shared" && e != er {
			groups = append(groups, e)
		}
	}
	exporter := map[string]*compiler.StackResult{}
	for _, grp := range groups {
		for i, s := range grp.Stacks {
			want := fmt.Sprintf("%d. %s", i+1, s.Name)
			var found []string
			for id, n := range nodes {
				if n.lines[0] == want && len(n.lines) > 1 && n.lines[1] == s.StackName {
					found = append(found, id)
				}
			}
			if len(found) != 1 {
				t.Errorf("%s: stack %s drawn %d times as %q", what, s.StackName, len(found), want)
				continue
			}
			byLabel[s.StackName] = found[0]
			for _, x := range exports(s.Template) {
				exporter[x] = s
			}
		}
	}
	edges := map[[2]string]edge{}
	for _, e := range g.edges {
		k := [2]string{e.from, e.to}
		if _, dup := edges[k]; dup {
			t.Errorf("%s: two edges %s -> %s", what, e.from, e.to)
		}
		edges[k] = e
	}
	wantEdges := 0
	for _, grp := range groups {
		for _, s := range grp.Stacks {
			from := map[*compiler.StackResult]int{}
			for _, name := range imports(s.Template) {
				if src := exporter[name]; src != nil && src != s {
					from[src]++
				}
			}
			for _, need := range s.Needs {
				src := findStack(grp, need)
				if src != nil {
					if _, ok := from[src]; !ok {
						from[src] = 0
					}
				}
			}
			for src, n := range from {
				wantEdges++
				e, ok := edges[[2]string{byLabel[src.StackName], byLabel[s.StackName]}]
				if !ok {
					t.Errorf("%s: no edge %s -> %s", what, src.Name, s.Name)
					continue
				}
				if n == 0 {
					if e.label != "needs" || !e.dashed {
						t.Errorf("%s: %s -> %s imports nothing but is labelled %q", what, src.Name, s.Name, e.label)
					}
					continue
				}
				got := len(strings.Split(e.label, ", "))
				if m := countRe.FindStringSubmatch(e.label); m != nil {
					got, _ = strconv.Atoi(m[1])
				}
				if got != n {
					t.Errorf("%s: %s -> %s label %q accounts for %d imports, the template has %d", what, src.Name, s.Name, e.label, got, n)
				}
			}
		}
	}
	if wantEdges != len(g.edges) {
		t.Errorf("%s: %d edges drawn, %d expected", what, len(g.edges), wantEdges)
	}
}

// checkNetwork: every subnet of the plan drawn once, inside its tier, inside the VPC.
func checkNetwork(t *testing.T, what string, res *compiler.Result, er *compiler.EnvResult, g *graph) {
	p := res.Plan(er, false)
	if p.Network == nil {
		return
	}
	nodes, where := nodesOf(g)
	if len(nodes) != len(p.Network.Subnets) {
		t.Errorf("%s: %d nodes for %d subnets", what, len(nodes), len(p.Network.Subnets))
	}
	for _, s := range p.Network.Subnets {
		n := 0
		for id, nd := range nodes {
			if nd.lines[0] == s.AZ && nd.lines[1] == s.CIDR {
				n++
				path := where[id]
				if len(path) != 2 || !strings.HasSuffix(path[0], "VPC "+p.Network.CIDR+" ("+p.Network.Source+")") || path[1] != "tier "+s.Tier {
					t.Errorf("%s: subnet %s sits in %q", what, s.CIDR, path)
				}
				if !strings.HasPrefix(nd.lines[2], strconv.Itoa(s.Usable)+" usable") {
					t.Errorf("%s: subnet %s says %q, %d usable", what, s.CIDR, nd.lines[2], s.Usable)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s: subnet %s %s drawn %d times", what, s.Tier, s.CIDR, n)
		}
	}
}

var prioRe = regexp.MustCompile(`^priority (\d+)`)

// checkRoutes: per listener, the deployed rules chained by "no match" in ascending
// priority order, each forwarding to its service; retired ones in no chain, forwarding
// nowhere.
func checkRoutes(t *testing.T, what string, res *compiler.Result, er *compiler.EnvResult, g *graph) {
	p := res.Plan(er, false)
	nodes, where := nodesOf(g)
	out := map[string][]edge{}
	for _, e := range g.edges {
		out[e.from] = append(out[e.from], e)
	}
	byListener := map[string][]string{}
	for id, n := range nodes {
		if prioRe.MatchString(n.lines[0]) {
			path := where[id]
			byListener[path[len(path)-1]] = append(byListener[path[len(path)-1]], id)
		}
	}
	rules := 0
	for _, r := range p.Rules {
		rules++
		found := false
		for _, id := range byListener["listener "+r.Listener] {
			n := nodes[id]
			if !strings.HasPrefix(n.lines[0], fmt.Sprintf("priority %d", r.Priority)) {
				continue
			}
			found = true
			var fwd []string
			for _, e := range out[id] {
				if !e.dashed {
					fwd = append(fwd, nodes[e.to].lines[0])
				}
			}
			if r.Source == "retired" {
				if len(out[id]) != 0 || n.style != retired {
					t.Errorf("%s: retired priority %d drawn as deployed", what, r.Priority)
				}
			} else if len(fwd) != 1 || fwd[0] != r.Service {
				t.Errorf("%s: priority %d forwards to %v, want %s", what, r.Priority, fwd, r.Service)
			}
		}
		if !found {
			t.Errorf("%s: rule %s %d not drawn", what, r.Listener, r.Priority)
		}
	}
	drawn := 0
	for l, ids := range byListener {
		drawn += len(ids)
		// follow the chain from the rule nothing points at
		in := map[string]bool{}
		for _, id := range ids {
			for _, e := range out[id] {
				if e.dashed {
					in[e.to] = true
				}
			}
		}
		var chain []int
		for _, id := range ids {
			if in[id] || nodes[id].style == retired {
				continue
			}
			for cur := id; cur != ""; {
				n, _ := strconv.Atoi(prioRe.FindStringSubmatch(nodes[cur].lines[0])[1])
				chain = append(chain, n)
				next := ""
				for _, e := range out[cur] {
					if e.dashed {
						next = e.to
					}
				}
				cur = next
			}
		}
		live := 0
		for _, id := range ids {
			if nodes[id].style != retired {
				live++
			}
		}
		if len(chain) != live || !sort.IntsAreSorted(chain) {
			t.Errorf("%s: %s: chain %v is not all %d deployed rules in priority order", what, l, chain, live)
		}
	}
	if drawn != rules {
		t.Errorf("%s: %d rules drawn, the plan has %d", what, drawn, rules)
	}
}

// TestCommittedGraphsAreCurrent: docs/riglets is what riglet docs writes now.
func TestCommittedGraphsAreCurrent(t *testing.T) {
	for _, res := range examples(t) {
		want, err := Markdown(res)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("..", "docs", "riglets", res.Spec.Name+".md")
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s is missing: run riglet docs", path)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run riglet docs (-committed +generated):\n%s", path, cmp.Diff(string(got), string(want)))
		}
	}
}

// unquoteDOT reads back a string dotText wrote, failing on an unescaped quote.
func unquoteDOT(t *testing.T, s string) string {
	t.Helper()
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		t.Fatalf("not quoted: %q", s)
	}
	var b strings.Builder
	body := s[1 : len(s)-1]
	for i := 0; i < len(body); i++ {
		switch c := body[i]; c {
		case '\\':
			i++
			if i == len(body) {
				t.Fatalf("dangling backslash in %q", s)
			}
			if body[i] == 'n' {
				b.WriteByte('\n')
			} else {
				b.WriteByte(body[i])
			}
		case '"':
			t.Fatalf("unescaped quote in %q", s)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Labels come from user input (stack names, hosts, paths, listener names): whatever they
// hold, the quoted label reads back as written, and nothing in it closes the quote.
func TestLabelsAreQuotedSafely(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	alphabet := []rune(`ab/*"\#<>&;|[](){}:-_. ` + "`\n\té")
	for i := 0; i < 2000; i++ {
		var lines []string
		for l := r.Intn(3) + 1; l > 0; l-- {
			var s []rune
			for n := r.Intn(12); n > 0; n-- {
				s = append(s, alphabet[r.Intn(len(alphabet))])
			}
			lines = append(lines, string(s))
		}
		want := strings.Join(lines, "\n")
		flat := strings.NewReplacer("\n", " ", "\r", " ").Replace
		var wantDOT []string
		for _, l := range lines {
			wantDOT = append(wantDOT, flat(l))
		}
		if got := unquoteDOT(t, dotText(lines...)); got != strings.Join(wantDOT, "\n") {
			t.Fatalf("dot label %q reads back as %q", want, got)
		}
		m := mermaidText(lines...)
		for _, bad := range []string{`"`, "<", ">", "`", "\n"} {
			if strings.Contains(strings.ReplaceAll(m, "<br/>", ""), bad) {
				t.Fatalf("mermaid label %q keeps %q: %q", want, bad, m)
			}
		}
		// entity codes decode back to the text
		dec := strings.NewReplacer("<br/>", "\n", "#quot;", `"`, "#35;", "#", "#lt;", "<", "#gt;", ">", "#amp;", "&", "#96;", "`").Replace(m)
		if dec != strings.Join(wantDOT, "\n") {
			t.Fatalf("mermaid label %q decodes as %q", want, dec)
		}
	}
}

package graph

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// random builds a graph of n nodes with about n*density edges, some of them
// self-edges and repeats.
func random(r *rand.Rand, n int, density float64) map[int][]int {
	g := map[int][]int{}
	for range int(float64(n) * density) {
		a, b := r.IntN(n), r.IntN(n)
		if a == b && r.IntN(4) != 0 {
			continue // self-edges, but rarely
		}
		g[a] = append(g[a], b)
	}
	return g
}

func nodes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// reach returns, per node, the nodes reachable from it by one edge or more.
func reach(g map[int][]int, n int) []map[int]bool {
	out := make([]map[int]bool, n)
	for i := range n {
		out[i] = map[int]bool{}
		todo := append([]int(nil), g[i]...)
		for len(todo) > 0 {
			k := todo[len(todo)-1]
			todo = todo[:len(todo)-1]
			if !out[i][k] {
				out[i][k] = true
				todo = append(todo, g[k]...)
			}
		}
	}
	return out
}

func isEdge(g map[int][]int, a, b int) bool { return slices.Contains(g[a], b) }

func checkCycle(t *testing.T, g map[int][]int, c Cycle[int]) {
	t.Helper()
	ns := c.Nodes()
	if len(ns) < 2 || ns[0] != ns[len(ns)-1] {
		t.Fatalf("cycle %v does not return to its start", ns)
	}
	for i := 0; i+1 < len(c.Path); i++ {
		if !isEdge(g, c.Path[i], c.Path[i+1]) {
			t.Fatalf("path %v: %d -> %d is no edge", c.Path, c.Path[i], c.Path[i+1])
		}
	}
	for i := c.Start; i < len(c.Path)-1; i++ {
		for j := i + 1; j < len(c.Path)-1; j++ {
			if c.Path[i] == c.Path[j] {
				t.Fatalf("cycle %v passes %d twice", ns, c.Path[i])
			}
		}
	}
}

func TestSortProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 2000 {
		n := 1 + r.IntN(12)
		g := random(r, n, r.Float64()*2)
		roots := nodes(n)
		r.Shuffle(len(roots), func(i, j int) { roots[i], roots[j] = roots[j], roots[i] })
		roots = roots[:1+r.IntN(n)]
		calls := map[int]int{}
		order, cycles := Sort(roots, func(k int) []int { calls[k]++; return g[k] })
		rc := reach(g, n)
		reachable := map[int]bool{}
		cyclic := false
		for _, root := range roots {
			reachable[root] = true
			for k := range rc[root] {
				reachable[k] = true
			}
		}
		for k := range reachable {
			cyclic = cyclic || rc[k][k]
			if calls[k] != 1 {
				t.Fatalf("%d: deps(%d) called %d times", iter, k, calls[k])
			}
		}
		if len(order) != len(reachable) {
			t.Fatalf("%d: order %v, want each of %d reachable nodes once", iter, order, len(reachable))
		}
		pos := map[int]int{}
		for i, k := range order {
			if _, dup := pos[k]; dup || !reachable[k] {
				t.Fatalf("%d: order %v repeats or invents %d", iter, order, k)
			}
			pos[k] = i
		}
		if cyclic != (len(cycles) > 0) {
			t.Fatalf("%d: graph %v from %v cyclic %v, cycles %v", iter, g, roots, cyclic, cycles)
		}
		for _, c := range cycles {
			checkCycle(t, g, c)
			if !slices.Contains(roots, c.Path[0]) {
				t.Fatalf("%d: path %v does not start at a root", iter, c.Path)
			}
		}
		if len(cycles) == 0 {
			for a, bs := range g {
				for _, b := range bs {
					if reachable[a] && pos[b] > pos[a] {
						t.Fatalf("%d: edge %d -> %d, but %v", iter, a, b, order)
					}
				}
			}
		} else {
			// every edge but those closing a cycle is respected
			back := map[[2]int]bool{}
			for _, c := range cycles {
				back[[2]int{c.Path[len(c.Path)-2], c.Path[len(c.Path)-1]}] = true
			}
			for a, bs := range g {
				for _, b := range bs {
					if reachable[a] && pos[b] > pos[a] && !back[[2]int{a, b}] {
						t.Fatalf("%d: edge %d -> %d is no back edge, but %v", iter, a, b, order)
					}
				}
			}
		}
		order2, cycles2 := Sort(roots, func(k int) []int { return g[k] })
		if d := cmp.Diff(order, order2); d != "" {
			t.Fatalf("%d: order not deterministic (-first +second):\n%s", iter, d)
		}
		if d := cmp.Diff(cycles, cycles2); d != "" {
			t.Fatalf("%d: cycles not deterministic (-first +second):\n%s", iter, d)
		}
	}
}

func TestSortKeepsGivenOrder(t *testing.T) {
	g := map[string][]string{"app": {"db", "net"}, "db": {"net"}}
	order, cycles := Sort([]string{"net", "app", "db", "build"}, func(k string) []string { return g[k] })
	if d := cmp.Diff([]string{"net", "db", "app", "build"}, order); d != "" || cycles != nil {
		t.Errorf("order (-want +got):\n%s\ncycles %v", d, cycles)
	}
}

func TestSortCycle(t *testing.T) {
	g := map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"b"}}
	order, cycles := Sort([]string{"a"}, func(k string) []string { return g[k] })
	want := []Cycle[string]{{Path: []string{"a", "b", "c", "b"}, Start: 1}}
	if d := cmp.Diff(want, cycles); d != "" {
		t.Errorf("cycles (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"b", "c"}, cycles[0].Nodes()[:2]); d != "" {
		t.Errorf("Nodes (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"c", "b", "a"}, order); d != "" {
		t.Errorf("order (-want +got):\n%s", d)
	}
}

func TestCloses(t *testing.T) {
	if _, ok := Closes([]string{"a", "b"}, "c"); ok {
		t.Error("a -> b -> c is no cycle")
	}
	path := []string{"a", "b", "c"}
	c, ok := Closes(path, "b")
	if !ok || !cmp.Equal(c.Path, []string{"a", "b", "c", "b"}) || !cmp.Equal(c.Nodes(), []string{"b", "c", "b"}) {
		t.Errorf("Closes = %v, %v", c, ok)
	}
	if !cmp.Equal(path, []string{"a", "b", "c"}) {
		t.Errorf("Closes changed the path: %v", path)
	}
}

func TestCyclesProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for iter := range 2000 {
		n := 1 + r.IntN(12)
		g := random(r, n, r.Float64()*2.5)
		ns := nodes(n)
		r.Shuffle(len(ns), func(i, j int) { ns[i], ns[j] = ns[j], ns[i] })
		rank := map[int]int{}
		for i, k := range ns {
			rank[k] = i
		}
		cycles := Cycles(ns, func(k int) []int { return g[k] })
		rc := reach(g, n)
		// the components with a cycle, each named by its first node in ns
		want := map[int]bool{}
		for _, a := range ns {
			if !rc[a][a] {
				continue
			}
			first := a
			for _, b := range ns {
				if rc[a][b] && rc[b][a] && rank[b] < rank[first] {
					first = b
				}
			}
			want[first] = true
		}
		if len(cycles) != len(want) {
			t.Fatalf("%d: graph %v: %d cycles %v, want one per cyclic component %v", iter, g, len(cycles), cycles, want)
		}
		last := -1
		for _, c := range cycles {
			checkCycle(t, g, c)
			if c.Start != 0 || !want[c.Path[0]] {
				t.Fatalf("%d: cycle %v does not start at its component's first node", iter, c.Path)
			}
			if rank[c.Path[0]] <= last {
				t.Fatalf("%d: cycles %v out of order", iter, cycles)
			}
			last = rank[c.Path[0]]
		}
		if d := cmp.Diff(cycles, Cycles(ns, func(k int) []int { return g[k] })); d != "" {
			t.Fatalf("%d: not deterministic:\n%s", iter, d)
		}
	}
}

func TestCyclesChain(t *testing.T) {
	// A's first edge leads to B, whose first unseen neighbour C has no way back but
	// through B: the chain goes the long way round and still returns to A.
	g := map[string][]string{"A": {"B"}, "B": {"C", "D"}, "C": {"B"}, "D": {"A"}, "E": {"E"}}
	got := Cycles([]string{"E", "A", "B", "C", "D"}, func(k string) []string { return g[k] })
	want := []Cycle[string]{{Path: []string{"E", "E"}}, {Path: []string{"A", "B", "D", "A"}}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

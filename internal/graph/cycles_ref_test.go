package graph

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cyclesRef is Cycles as it was before it numbered its nodes (maps keyed by node),
// kept to hold the new one to the same output, cycle for cycle.
func cyclesRef[K comparable](nodes []K, deps func(K) []K) []Cycle[K] {
	rank := map[K]int{}
	for i, n := range nodes {
		if _, ok := rank[n]; !ok {
			rank[n] = i
		}
	}
	edges := map[K][]K{}
	depsOf := func(k K) []K {
		if e, ok := edges[k]; ok {
			return e
		}
		e := deps(k)
		edges[k] = e
		return e
	}
	comp := componentsRef(nodes, depsOf)
	firsts := map[K][]K{} // first node -> its component
	var order []K
	for _, c := range comp {
		first := c[0]
		for _, k := range c {
			if lessRef(rank, k, first) {
				first = k
			}
		}
		if len(c) == 1 && !hasRef(depsOf(first), first) {
			continue
		}
		firsts[first] = c
		order = append(order, first)
	}
	sortByRef(order, rank)
	var out []Cycle[K]
	for _, first := range order {
		in := map[K]bool{}
		for _, k := range firsts[first] {
			in[k] = true
		}
		out = append(out, Cycle[K]{Path: aroundRef(first, in, depsOf)})
	}
	return out
}

// around walks from first through the component in back to first: deeper first,
// along deps' order, closing the cycle only where no unseen member is left to go to.
// In a strongly connected component some such walk always gets back.
func aroundRef[K comparable](first K, in map[K]bool, deps func(K) []K) []K {
	seen := map[K]bool{first: true}
	var path []K
	var walk func(k K) bool
	walk = func(k K) bool {
		path = append(path, k)
		for _, d := range deps(k) {
			if in[d] && !seen[d] {
				seen[d] = true
				if walk(d) {
					return true
				}
			}
		}
		if hasRef(deps(k), first) {
			path = append(path, first)
			return true
		}
		path = path[:len(path)-1]
		return false
	}
	walk(first)
	return path
}

// components returns the strongly connected components (Tarjan's algorithm).
func componentsRef[K comparable](nodes []K, deps func(K) []K) [][]K {
	index := map[K]int{}
	low := map[K]int{}
	on := map[K]bool{}
	var stack []K
	var out [][]K
	var visit func(v K)
	visit = func(v K) {
		index[v], low[v] = len(index), len(index)
		stack = append(stack, v)
		on[v] = true
		for _, w := range deps(v) {
			if _, seen := index[w]; !seen {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var c []K
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			on[w] = false
			c = append(c, w)
			if w == v {
				break
			}
		}
		out = append(out, c)
	}
	for _, n := range nodes {
		if _, seen := index[n]; !seen {
			visit(n)
		}
	}
	return out
}

func hasRef[K comparable](ks []K, k K) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// less orders by rank in the given nodes; a node only reached through deps comes
// after every given one.
func lessRef[K comparable](rank map[K]int, a, b K) bool {
	ra, oka := rank[a]
	rb, okb := rank[b]
	return oka && (!okb || ra < rb)
}

func sortByRef[K comparable](ks []K, rank map[K]int) {
	// insertion sort: a handful of cycles at most, and no ordering on K to lean on
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && lessRef(rank, ks[j], ks[j-1]); j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
}

func TestCyclesSameAsMaps(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for iter := range 5000 {
		n := 1 + r.IntN(14)
		g := random(r, n, r.Float64()*3)
		// given: a shuffled subset of the nodes, with repeats; the rest are met
		// only through deps
		var ns []int
		for _, k := range r.Perm(n) {
			if r.IntN(5) != 0 {
				ns = append(ns, k)
			}
			if r.IntN(8) == 0 {
				ns = append(ns, r.IntN(n))
			}
		}
		calls, refCalls := map[int]int{}, map[int]int{}
		got := Cycles(ns, func(k int) []int { calls[k]++; return g[k] })
		want := cyclesRef(ns, func(k int) []int { refCalls[k]++; return g[k] })
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("%d: graph %v, nodes %v (-maps +numbered):\n%s", iter, g, ns, d)
		}
		if d := cmp.Diff(refCalls, calls); d != "" {
			t.Fatalf("%d: graph %v, nodes %v: deps calls (-maps +numbered):\n%s", iter, g, ns, d)
		}
	}
	// string nodes, as lint's cycle rule has them
	gs := map[string][]string{"A": {"B", "B"}, "B": {"C", "D"}, "C": {"B", "X"}, "D": {"A"}, "E": {"E"}, "X": {"Y"}, "Y": {"X"}}
	for _, ns := range [][]string{{"E", "A", "B", "C", "D"}, {"D", "C", "B", "A"}, {"A"}, {"C", "C", "E"}, nil} {
		deps := func(k string) []string { return gs[k] }
		if d := cmp.Diff(cyclesRef(ns, deps), Cycles(ns, deps)); d != "" {
			t.Errorf("nodes %v (-maps +numbered):\n%s", ns, d)
		}
	}
}

// benchGraph is a template's worth of resources by logical ID: 300 of them, each
// referring to a few before it, and one cycle of three.
func benchGraph() ([]string, map[string][]string) {
	var ns []string
	g := map[string][]string{}
	for i := range 300 {
		id := "Resource" + strconv.Itoa(i)
		ns = append(ns, id)
		for _, j := range []int{i - 1, i - 7, i / 2} {
			if j >= 0 && j < i {
				g[id] = append(g[id], "Resource"+strconv.Itoa(j))
			}
		}
	}
	g["Resource10"] = append(g["Resource10"], "Resource12")
	return ns, g
}

func BenchmarkCycles(b *testing.B) {
	ns, g := benchGraph()
	deps := func(k string) []string { return g[k] }
	b.Run("numbered", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Cycles(ns, deps)
		}
	})
	b.Run("maps", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			cyclesRef(ns, deps)
		}
	})
}

// Package graph orders the small directed graphs riglet builds (stacks and the
// stacks they need, instances and the outputs they read, nested blocks, env files
// and the files they extend, template resources and their references) and finds
// their cycles, so that every such check orders the same way and names a cycle the
// same way: deterministically, as an ordered path.
package graph

// Cycle is a cycle met on a depth-first walk.
type Cycle[K comparable] struct {
	// Path is the walk from where it started to the node that closes the cycle, that
	// node last; it also stands at Start, so Path[Start:] is the cycle itself.
	Path  []K
	Start int
}

// Nodes returns the cycle alone, its first node repeated at the end (a, b, a).
func (c Cycle[K]) Nodes() []K { return c.Path[c.Start:] }

// Closes reports whether stepping from the end of path onto k closes a cycle (k is
// already on the path), and returns that cycle. It is for walks that discover their
// graph as they go, a block expanding the blocks it nests or an env file loading the
// one it extends; path is left as it is.
func Closes[K comparable](path []K, k K) (Cycle[K], bool) {
	for i, p := range path {
		if p == k {
			return cycleAt(path, i, k), true
		}
	}
	return Cycle[K]{}, false
}

func cycleAt[K comparable](path []K, start int, k K) Cycle[K] {
	p := make([]K, len(path)+1)
	copy(p, path)
	p[len(path)] = k
	return Cycle[K]{Path: p, Start: start}
}

// Sort orders roots and every node reachable from them through deps so that each
// node comes after the nodes it depends on. It is a depth-first post-order that
// takes the roots in the order given and each node's dependencies in the order deps
// returns them, so the result depends on nothing else: of two orders that would do,
// it keeps the given one. deps is called once per node, when the walk first reaches
// it. An edge back onto the walk's path closes a cycle: the cycle is returned, in the
// order met, and that edge is otherwise left out, so that every node is still
// ordered, once.
func Sort[K comparable](roots []K, deps func(K) []K) (order []K, cycles []Cycle[K]) {
	done := map[K]bool{}
	onPath := map[K]int{} // index on path
	var path []K
	var visit func(k K)
	visit = func(k K) {
		if done[k] {
			return
		}
		if i, on := onPath[k]; on {
			cycles = append(cycles, cycleAt(path, i, k))
			return
		}
		onPath[k] = len(path)
		path = append(path, k)
		for _, d := range deps(k) {
			visit(d)
		}
		path = path[:len(path)-1]
		delete(onPath, k)
		done[k] = true
		order = append(order, k)
	}
	for _, r := range roots {
		visit(r)
	}
	return order, cycles
}

// Cycles finds every strongly connected component of the graph of nodes and deps
// that holds a cycle (several nodes, or one with an edge to itself) and returns one
// cycle through each, so that a tangle of references is reported once, not once per
// edge. A cycle starts at its component's first node in the order of nodes, and
// follows deps' order, going as far through the component as it can before it
// returns: the chain a reader follows. Cycles come in the order of their first
// nodes. deps must return the same edges each time it is called for a node.
//
// Nodes are numbered as they are met (the given ones first, in their order), and
// the walks run on those numbers, in slices: one map for the numbering, not one
// per piece of state per node.
func Cycles[K comparable](nodes []K, deps func(K) []K) []Cycle[K] {
	n := len(nodes)
	g := &numbered[K]{ids: make(map[K]int32, n), keys: make([]K, 0, n), from: make([]int32, 0, n), upto: make([]int32, 0, n)}
	for _, n := range nodes {
		g.id(n)
	}
	given := int32(len(g.keys)) // the given nodes are 0..given-1, in rank order
	less := func(a, b int32) bool { return a < given && a < b }
	depsOf := func(v int32) []int32 {
		if g.from[v] < 0 {
			ks := deps(g.keys[v])
			from := int32(len(g.to))
			for _, k := range ks {
				g.to = append(g.to, g.id(k))
			}
			g.from[v], g.upto[v] = from, int32(len(g.to))
		}
		// A slice a later append may move from: what it holds stays as it was.
		return g.to[g.from[v]:g.upto[v]:g.upto[v]]
	}
	var order []int32 // each cyclic component's first node
	var members [][]int32
	components(g, given, depsOf, func(c []int32) {
		first := c[0]
		for _, k := range c {
			if less(k, first) {
				first = k
			}
		}
		if len(c) == 1 && !has(depsOf(first), first) {
			return
		}
		order = append(order, first)
		members = append(members, append([]int32(nil), c...))
	})
	// insertion sort: a handful of cycles at most
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && less(order[j], order[j-1]); j-- {
			order[j], order[j-1] = order[j-1], order[j]
			members[j], members[j-1] = members[j-1], members[j]
		}
	}
	var out []Cycle[K]
	in := make([]bool, len(g.keys))
	seen := make([]bool, len(g.keys))
	for i, first := range order {
		for _, k := range members[i] {
			in[k] = true
		}
		path := around(first, in, seen, depsOf)
		for _, k := range members[i] {
			in[k], seen[k] = false, false
		}
		ks := make([]K, len(path))
		for j, v := range path {
			ks[j] = g.keys[v]
		}
		out = append(out, Cycle[K]{Path: ks})
	}
	return out
}

// numbered is a graph's nodes by number, and the edges met so far: node v's are
// to[from[v]:upto[v]], from[v] -1 until deps is asked.
type numbered[K comparable] struct {
	ids        map[K]int32
	keys       []K
	from, upto []int32
	to         []int32
}

func (g *numbered[K]) id(k K) int32 {
	if i, ok := g.ids[k]; ok {
		return i
	}
	i := int32(len(g.keys))
	g.ids[k] = i
	g.keys = append(g.keys, k)
	g.from, g.upto = append(g.from, -1), append(g.upto, -1)
	return i
}

// around walks from first through the component in back to first: deeper first,
// along deps' order, closing the cycle only where no unseen member is left to go to.
// In a strongly connected component some such walk always gets back. Every member of
// the component is in in; seen is all false for them, and is left set.
func around(first int32, in, seen []bool, deps func(int32) []int32) []int32 {
	seen[first] = true
	var path []int32
	var walk func(k int32) bool
	walk = func(k int32) bool {
		path = append(path, k)
		for _, d := range deps(k) {
			if in[d] && !seen[d] {
				seen[d] = true
				if walk(d) {
					return true
				}
			}
		}
		if has(deps(k), first) {
			path = append(path, first)
			return true
		}
		path = path[:len(path)-1]
		return false
	}
	walk(first)
	return path
}

// components calls found with each strongly connected component reachable from the
// given nodes 0..given-1 (Tarjan's algorithm), in the order Tarjan's walk completes
// them; the slice is reused after found returns.
func components[K comparable](g *numbered[K], given int32, deps func(int32) []int32, found func([]int32)) {
	var index, low []int32 // -1: not visited
	var on []bool
	grow := func() {
		for len(index) < len(g.keys) {
			index, low, on = append(index, -1), append(low, 0), append(on, false)
		}
	}
	var stack []int32
	next := int32(0)
	var visit func(v int32)
	visit = func(v int32) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		on[v] = true
		ws := deps(v)
		grow()
		for _, w := range ws {
			if index[w] < 0 {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		i := len(stack) - 1
		for stack[i] != v {
			i--
		}
		// the component, in the order the old walk popped it: top of stack first
		c := stack[i:]
		for l, r := 0, len(c)-1; l < r; l, r = l+1, r-1 {
			c[l], c[r] = c[r], c[l]
		}
		for _, w := range c {
			on[w] = false
		}
		found(c)
		stack = stack[:i]
	}
	grow()
	for n := range given {
		if index[n] < 0 {
			visit(n)
		}
	}
}

func has[K comparable](ks []K, k K) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

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
func Cycles[K comparable](nodes []K, deps func(K) []K) []Cycle[K] {
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
	comp := components(nodes, depsOf)
	firsts := map[K][]K{} // first node -> its component
	var order []K
	for _, c := range comp {
		first := c[0]
		for _, k := range c {
			if less(rank, k, first) {
				first = k
			}
		}
		if len(c) == 1 && !has(depsOf(first), first) {
			continue
		}
		firsts[first] = c
		order = append(order, first)
	}
	sortBy(order, rank)
	var out []Cycle[K]
	for _, first := range order {
		in := map[K]bool{}
		for _, k := range firsts[first] {
			in[k] = true
		}
		out = append(out, Cycle[K]{Path: around(first, in, depsOf)})
	}
	return out
}

// around walks from first through the component in back to first: deeper first,
// along deps' order, closing the cycle only where no unseen member is left to go to.
// In a strongly connected component some such walk always gets back.
func around[K comparable](first K, in map[K]bool, deps func(K) []K) []K {
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

// components returns the strongly connected components (Tarjan's algorithm).
func components[K comparable](nodes []K, deps func(K) []K) [][]K {
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

func has[K comparable](ks []K, k K) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// less orders by rank in the given nodes; a node only reached through deps comes
// after every given one.
func less[K comparable](rank map[K]int, a, b K) bool {
	ra, oka := rank[a]
	rb, okb := rank[b]
	return oka && (!okb || ra < rb)
}

func sortBy[K comparable](ks []K, rank map[K]int) {
	// insertion sort: a handful of cycles at most, and no ordering on K to lean on
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && less(rank, ks[j], ks[j-1]); j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
}

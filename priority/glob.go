package priority

import (
	"strings"
)

// maxStates bounds the subset construction of one inclusion test. Inclusion of glob
// languages with both '*' and '?' is coNP-complete, so a hostile pattern such as
// "*a????????????????" could otherwise take exponential time; real patterns stay in
// the tens of states.
const maxStates = 1 << 15

// glob is one compiled ALB condition value.
type glob struct {
	s      string // normalised: hosts lower-cased, runs of '*' collapsed
	prefix string // literal text before the first wildcard (all of s without one)
	suffix string // literal text after the last wildcard (all of s without one)
	wild   bool   // has '*' or '?'
	all    bool   // "*": matches every string
	// trail and lead mark the two shapes that cover most real patterns, "lit*" and
	// "*lit", whose inclusion tests reduce to a prefix or suffix comparison.
	trail, lead bool
}

func compileGlob(s string, fold bool) glob {
	if fold {
		s = strings.ToLower(s)
	}
	if strings.Contains(s, "**") {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if s[i] == '*' && i > 0 && s[i-1] == '*' {
				continue
			}
			b.WriteByte(s[i])
		}
		s = b.String()
	}
	g := glob{s: s, prefix: s, suffix: s}
	i := strings.IndexAny(s, "*?")
	if i < 0 {
		return g
	}
	j := strings.LastIndexAny(s, "*?")
	g.wild = true
	g.prefix, g.suffix = s[:i], s[j+1:]
	g.all = s == "*"
	g.trail = i == j && j == len(s)-1 && s[j] == '*'
	g.lead = i == j && i == 0 && s[0] == '*'
	return g
}

// match reports whether the concrete string s is in the language of g, with the
// classic single-backtrack algorithm (correct for '*' and '?' globs).
func (g glob) match(s string) bool {
	p := g.s
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case star >= 0:
			mark++
			pi, si = star+1, mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// compatible is the cheap necessary condition for two globs to share a string:
// their literal prefixes agree as far as both go, and so do their literal suffixes.
func compatible(p, q *glob) bool {
	n := min(len(p.prefix), len(q.prefix))
	if p.prefix[:n] != q.prefix[:n] {
		return false
	}
	m := min(len(p.suffix), len(q.suffix))
	return p.suffix[len(p.suffix)-m:] == q.suffix[len(q.suffix)-m:]
}

// intersect reports whether some string matches both p and q.
func intersect(p, q *glob) bool {
	if p.all || q.all {
		return true
	}
	if !compatible(p, q) {
		return false
	}
	switch {
	case !p.wild && !q.wild:
		return p.s == q.s
	case !p.wild:
		return q.match(p.s)
	case !q.wild:
		return p.match(q.s)
	}
	_, ok := product(p.s, q.s, false)
	return ok
}

// product searches the product of the two glob automata, whose states are pairs of
// pattern positions, for a path to the pair of ends. A shortest witness is at most
// len(p)+len(q) long, since every useful step advances one of the two positions.
func product(p, q string, witness bool) (string, bool) {
	n, m := len(p), len(q)
	w := m + 1
	seen := make([]int32, (n+1)*w) // 0 unseen, else 1 + parent index
	via := []int16(nil)            // the character read into a pair, eps for none
	if witness {
		via = make([]int16, (n+1)*w)
	}
	other := otherByte(p + q)
	stack := []int{0}
	seen[0] = 1
	push := func(from, i, j int, c int16) {
		k := i*w + j
		if seen[k] == 0 {
			seen[k] = int32(from) + 1
			if witness {
				via[k] = c
			}
			stack = append(stack, k)
		}
	}
	const eps = -1
	for len(stack) > 0 {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		i, j := k/w, k%w
		if i == n && j == m {
			if !witness {
				return "", true
			}
			var out []byte
			for k != 0 {
				if via[k] != eps {
					out = append(out, byte(via[k]))
				}
				k = int(seen[k]) - 1
			}
			for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
				out[a], out[b] = out[b], out[a]
			}
			return string(out), true
		}
		if i < n && p[i] == '*' {
			push(k, i+1, j, eps)
		}
		if j < m && q[j] == '*' {
			push(k, i, j+1, eps)
		}
		if i == n || j == m {
			continue
		}
		a, b := p[i], q[j]
		switch {
		case a == '*' && b == '*':
			// a character read under both stars leads back to this pair
		case a == '*':
			push(k, i, j+1, pick(b, other))
		case b == '*':
			push(k, i+1, j, pick(a, other))
		case a == '?' && b == '?':
			push(k, i+1, j+1, int16(other))
		case a == '?':
			push(k, i+1, j+1, int16(b))
		case b == '?' || a == b:
			push(k, i+1, j+1, int16(a))
		}
	}
	return "", false
}

func pick(c, other byte) int16 {
	if c == '?' {
		return int16(other)
	}
	return int16(c)
}

// otherByte returns a character that no pattern in lits names. Characters named by
// no pattern are indistinguishable to every automaton here, so one of them stands for
// all: the alphabet is treated as unbounded.
func otherByte(lits string) byte {
	for c := byte('!'); c < 0x7f; c++ {
		if c != '*' && c != '?' && strings.IndexByte(lits, c) < 0 {
			return c
		}
	}
	for c := byte(1); c != 0; c++ {
		if strings.IndexByte(lits, c) < 0 {
			return c
		}
	}
	return 0
}

// within reports whether every string p matches is matched by some q in qs. decided
// is false when the search was abandoned at maxStates.
func within(p glob, qs []glob) (ok, decided bool) {
	ok, decided, _ = withinWitness(p, qs, false)
	return ok, decided
}

// withinWitness is within that, when asked, also returns a shortest string p matches
// and no q does.
func withinWitness(p glob, qs []glob, witness bool) (ok, decided bool, counter string) {
	for _, q := range qs {
		if q.all || q.s == p.s ||
			(q.trail && strings.HasPrefix(p.prefix, q.prefix)) ||
			(q.lead && strings.HasSuffix(p.suffix, q.suffix)) {
			return true, true, ""
		}
	}
	if !p.wild {
		for _, q := range qs {
			if q.match(p.s) {
				return true, true, ""
			}
		}
		return false, true, p.s
	}
	// p matches prefix+x+... and ...+y+suffix for a character x (y) that no pattern
	// names, so some q must have a literal prefix (suffix) that p's literal prefix
	// (suffix) extends; and only qs that can share a string with p matter.
	var cands []glob
	pre, suf := false, false
	for _, q := range qs {
		if !compatible(&p, &q) {
			continue
		}
		cands = append(cands, q)
		pre = pre || strings.HasPrefix(p.prefix, q.prefix)
		suf = suf || strings.HasSuffix(p.suffix, q.suffix)
	}
	if (!pre || !suf) && !witness {
		return false, true, ""
	}
	return subsetSearch(p, cands)
}

// subsetSearch explores the product of p's automaton with the subset construction of
// the union of qs, breadth first, looking for a reachable state where p accepts and
// no q does.
func subsetSearch(p glob, qs []glob) (ok, decided bool, counter string) {
	// One bit per pattern position: p's first, then each q's.
	var ch []byte  // the pattern character at each position; 0 at an end
	var end []bool // position is an end
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			ch = append(ch, s[i])
			end = append(end, false)
		}
		ch = append(ch, 0)
		end = append(end, true)
	}
	add(p.s)
	np := len(p.s) + 1
	lits := p.s
	for _, q := range qs {
		add(q.s)
		lits += q.s
	}
	other := otherByte(lits)
	nb := len(ch)
	nw := (nb + 63) / 64

	type state struct {
		parent int32
		c      byte
	}
	var states []state
	var sets []uint64
	seen := map[string]int32{}
	key := make([]byte, nw*8)
	keyOf := func(s []uint64) string {
		for i, v := range s {
			for b := 0; b < 8; b++ {
				key[i*8+b] = byte(v >> (8 * b))
			}
		}
		return string(key)
	}
	closure := func(s []uint64) {
		for b := 0; b < nb; b++ {
			if s[b/64]&(1<<(b%64)) != 0 && ch[b] == '*' {
				s[(b+1)/64] |= 1 << ((b + 1) % 64)
			}
		}
	}
	verdict := func(s []uint64) (pAny, pAcc, qAcc bool) {
		for b := 0; b < nb; b++ {
			if s[b/64]&(1<<(b%64)) == 0 {
				continue
			}
			if b < np {
				pAny = true
				pAcc = pAcc || end[b]
			} else {
				qAcc = qAcc || end[b]
			}
		}
		return
	}
	trace := func(i int32) string {
		var out []byte
		for i > 0 {
			out = append(out, states[i].c)
			i = states[i].parent
		}
		for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
			out[a], out[b] = out[b], out[a]
		}
		return string(out)
	}

	start := make([]uint64, nw)
	start[0] |= 1
	b := np
	for _, q := range qs {
		start[b/64] |= 1 << (b % 64)
		b += len(q.s) + 1
	}
	closure(start)
	if _, pAcc, qAcc := verdict(start); pAcc && !qAcc {
		return false, true, ""
	}
	states = append(states, state{parent: -1})
	sets = append(sets, start...)
	seen[keyOf(start)] = 0
	next := make([]uint64, nw)
	for head := 0; head < len(states); head++ {
		cur := sets[head*nw : (head+1)*nw]
		var alpha [4]uint64
		for b := 0; b < nb; b++ {
			if cur[b/64]&(1<<(b%64)) != 0 && !end[b] && ch[b] != '*' && ch[b] != '?' {
				alpha[ch[b]/64] |= 1 << (ch[b] % 64)
			}
		}
		alpha[other/64] |= 1 << (other % 64)
		for c := 0; c < 256; c++ {
			if alpha[c/64]&(1<<(c%64)) == 0 {
				continue
			}
			clear(next)
			for b := 0; b < nb; b++ {
				if cur[b/64]&(1<<(b%64)) == 0 || end[b] {
					continue
				}
				switch ch[b] {
				case '*':
					next[b/64] |= 1 << (b % 64)
				case '?', byte(c):
					next[(b+1)/64] |= 1 << ((b + 1) % 64)
				}
			}
			closure(next)
			pAny, pAcc, qAcc := verdict(next)
			if !pAny {
				continue
			}
			k := keyOf(next)
			if _, ok := seen[k]; ok {
				continue
			}
			id := int32(len(states))
			states = append(states, state{parent: int32(head), c: byte(c)})
			if pAcc && !qAcc {
				return false, true, trace(id)
			}
			if len(states) > maxStates {
				return false, false, ""
			}
			seen[k] = id
			sets = append(sets, next...)
		}
	}
	return true, true, ""
}

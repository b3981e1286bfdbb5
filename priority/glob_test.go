package priority

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestOverlapsNarrower(t *testing.T) {
	path := func(ps ...string) Rule { return Rule{Paths: ps} }
	host := func(hs ...string) Rule { return Rule{Hosts: hs} }
	hp := func(h, p string) Rule { return Rule{Hosts: []string{h}, Paths: []string{p}} }
	other := func(r Rule) Rule { r.Other = true; return r }
	for _, tc := range []struct {
		name     string
		a, b     Rule
		overlap  bool
		aIn, bIn bool // a narrower than b, b narrower than a
	}{
		{"longer path prefix", path("/api/users/*"), path("/api/*"), true, true, false},
		{"exact path under catch-all", path("/ping"), path("/*"), true, true, false},
		{"exact path under its prefix", path("/api/users"), path("/api/*"), true, true, false},
		{"sibling prefixes", path("/api/*"), path("/web/*"), false, false, false},
		{"prefix that is not a path prefix", path("/svc1/*"), path("/svc10/*"), false, false, false},
		{"paths are case-sensitive", path("/API/*"), path("/api/*"), false, false, false},
		{"same path", path("/api/*"), path("/api/*"), true, false, false},
		{"runs of stars are one star", path("/api/**"), path("/api/*"), true, false, false},
		{"wildcard host", host("api.example.com"), host("*.example.com"), true, true, false},
		{"hosts are case-insensitive", host("API.Example.COM"), host("api.example.com"), true, false, false},
		{"star crosses dots", host("a.b.example.com"), host("*.example.com"), true, true, false},
		{"other hosts", host("a.example.com"), host("b.example.com"), false, false, false},
		{"host-only vs path-only", host("api.example.com"), path("/api/*"), true, false, false},
		{"host and path inside path", hp("api.example.com", "/api/*"), path("/api/*"), true, true, false},
		{"host and path inside host", hp("api.example.com", "/api/*"), host("api.example.com"), true, true, false},
		{"host and path vs narrower path-only", hp("api.example.com", "/api/*"), path("/api/users/*"), true, false, false},
		{"no conditions matches all", path("/x"), Rule{}, true, true, false},
		{"? in a version", path("/v1/*"), path("/v?/*"), true, true, false},
		{"? inside *", path("/a?c"), path("/a*c"), true, true, false},
		{"? and * crossing", path("/a?"), path("/ab*"), true, false, false},
		{"?? vs a*", path("/??"), path("/a*"), true, false, false},
		{"? needs a character", path("/a?"), path("/a"), false, false, false},
		{"multi-valued inside", path("/a/x/*"), path("/a/*", "/b/*"), true, true, false},
		{"multi-valued: single value narrower", path("/a/*"), path("/a/*", "/b/*"), true, true, false},
		{"multi-valued disjoint", path("/a", "/b"), path("/c", "/d/*"), false, false, false},
		{"union covers only together", path("/ab*"), path("/a", "/a?*"), true, true, false},
		{"union equal to one glob", path("/a*"), path("/a", "/a?*"), true, false, false},
		{"union leaves a gap", path("/a*"), path("/a", "/a??*"), true, false, true},
		{"other narrows an equal rule", other(path("/api/*")), path("/api/*"), true, true, false},
		{"other on both compares host and path", other(path("/api/users/*")), other(path("/api/*")), true, true, false},
		{"other on both, same host and path", other(path("/api/*")), other(path("/api/*")), true, false, false},
		{"other on the broader path", path("/api/users/*"), other(path("/api/*")), true, false, false},
		{"other never removes an overlap", other(path("/a/*")), other(host("x.example.com")), true, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Overlaps(tc.a, tc.b); got != tc.overlap {
				t.Errorf("Overlaps(a, b) = %v, want %v", got, tc.overlap)
			}
			if got := Overlaps(tc.b, tc.a); got != tc.overlap {
				t.Errorf("Overlaps(b, a) = %v, want %v", got, tc.overlap)
			}
			if got := Narrower(tc.a, tc.b); got != tc.aIn {
				t.Errorf("Narrower(a, b) = %v, want %v", got, tc.aIn)
			}
			if got := Narrower(tc.b, tc.a); got != tc.bIn {
				t.Errorf("Narrower(b, a) = %v, want %v", got, tc.bIn)
			}
		})
	}
}

// TestUndecided checks that the exponential case gives up instead of hanging: p's
// automaton must remember where each of the last 21 characters' 'a's were.
func TestUndecided(t *testing.T) {
	p := compileGlob("*a"+strings.Repeat("?", 20), false)
	q := compileGlob("*a"+strings.Repeat("?", 20)+"*", false)
	start := time.Now()
	ok, decided := within(p, []glob{q})
	if decided {
		t.Errorf("within decided %v on a pattern needing 2^20 states", ok)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("giving up took %v", d)
	}
	// The same shape, short, is decided: every string with an 'a' three from the end
	// has an 'a' followed by at least three characters.
	ok, decided = within(compileGlob("*a???", false), []glob{compileGlob("*a???*", false)})
	if !ok || !decided {
		t.Errorf("within(*a???, *a???*) = %v, %v; want true, true", ok, decided)
	}
}

// reference is an oracle independent of the package: Go's regexp on the glob turned
// into a regular expression.
func reference(pat string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for _, c := range pat {
		switch c {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

// strs lists every string over alpha of length up to n.
func strs(alpha string, n int) []string {
	out := []string{""}
	last := []string{""}
	for range n {
		var next []string
		for _, s := range last {
			for _, c := range alpha {
				next = append(next, s+string(c))
			}
		}
		out = append(out, next...)
		last = next
	}
	return out
}

func randGlob(r *rand.Rand) string {
	n := 1 + r.IntN(4)
	b := make([]byte, n)
	for i := range b {
		b[i] = "ab*?"[r.IntN(4)]
	}
	return string(b)
}

// TestBruteForce cross-checks intersection and inclusion (of a glob in a union of up to
// three) against enumeration of every string up to length 8 over {a, b, c}, where c is
// named by no pattern. Intersection witnesses are never longer than the two patterns
// together (8), so for it the enumeration is exact; an inclusion counterexample may be
// longer, so a "not included" answer the enumeration cannot confirm must come with a
// counterexample the oracle confirms.
func TestBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := strs("abc", 8)
	type pat struct {
		s  string
		g  glob
		re *regexp.Regexp
		in []bool
	}
	var pool []pat
	seen := map[string]bool{}
	for len(pool) < 120 {
		s := randGlob(r)
		if seen[s] {
			continue
		}
		seen[s] = true
		p := pat{s: s, g: compileGlob(s, false), re: reference(s), in: make([]bool, len(words))}
		for i, w := range words {
			p.in[i] = p.re.MatchString(w)
		}
		pool = append(pool, p)
	}
	for i := range pool {
		for j := range pool {
			p, q := pool[i], pool[j]
			want := false
			for k := range words {
				if p.in[k] && q.in[k] {
					want = true
					break
				}
			}
			if got := intersect(&p.g, &q.g); got != want {
				t.Errorf("intersect(%q, %q) = %v, want %v", p.s, q.s, got, want)
			}
			if w, ok := product(p.g.s, q.g.s, true); ok != want || ok && !(p.re.MatchString(w) && q.re.MatchString(w)) {
				t.Errorf("product(%q, %q) = %q, %v; want a common string: %v", p.s, q.s, w, ok, want)
			}
		}
	}
	for trial := 0; trial < 6000; trial++ {
		p := pool[r.IntN(len(pool))]
		qs := make([]pat, 1+r.IntN(3))
		var gs []glob
		for k := range qs {
			qs[k] = pool[r.IntN(len(pool))]
			gs = append(gs, qs[k].g)
		}
		counter, refuted := "", false
		for k, w := range words {
			if !p.in[k] {
				continue
			}
			covered := false
			for _, q := range qs {
				covered = covered || q.in[k]
			}
			if !covered {
				counter, refuted = w, true
				break
			}
		}
		ok, decided, w := withinWitness(p.g, gs, true)
		name := p.s + " in " + strings.Join(func() []string {
			var ss []string
			for _, q := range qs {
				ss = append(ss, q.s)
			}
			return ss
		}(), "|")
		switch {
		case !decided:
			t.Errorf("%s: undecided", name)
		case ok && refuted:
			t.Errorf("%s: included, but %q is a counterexample", name, counter)
		case !ok:
			if !p.re.MatchString(w) {
				t.Errorf("%s: counterexample %q is not matched by %s", name, w, p.s)
			}
			for _, q := range qs {
				if q.re.MatchString(w) {
					t.Errorf("%s: counterexample %q is matched by %s", name, w, q.s)
				}
			}
			if len(w) <= 8 && !refuted {
				t.Errorf("%s: short counterexample %q missed by the enumeration", name, w)
			}
		}
		// The quick answer agrees with the one that builds a counterexample.
		if ok2, _ := within(p.g, gs); ok2 != ok {
			t.Errorf("%s: within = %v, withinWitness = %v", name, ok2, ok)
		}
	}
}

// TestBruteForceRules cross-checks Overlaps and Narrower on whole rules (host x path,
// multi-valued, hosts case-insensitive, absent conditions) against enumeration of
// every request a load balancer can see: a host up to length 4 over {a, b, c} and a
// path that is '/' followed by up to 4 of {/, a, b, c} (a request path always starts
// with '/', which is what makes "/*" a catch-all). The values are at most 3 long,
// short enough for the enumeration to be exact.
func TestBruteForceRules(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	hostWords := strs("abc", 4)
	var pathWords []string
	for _, w := range strs("/abc", 4) {
		pathWords = append(pathWords, "/"+w)
	}
	randVals := func(upper bool) []string {
		var vs []string
		for range r.IntN(3) {
			b := make([]byte, 1+r.IntN(2))
			for i := range b {
				b[i] = "ab*?"[r.IntN(4)]
			}
			s := string(b)
			if upper && r.IntN(2) == 0 {
				s = strings.ToUpper(s)
			}
			if !upper && r.IntN(3) > 0 {
				s = "/" + s // mostly rooted, as real paths are; the rest match less or nothing
			}
			vs = append(vs, s)
		}
		return vs
	}
	matchSet := func(vals []string, fold bool) []bool {
		words := hostWords
		if !fold {
			words = pathWords
		}
		in := make([]bool, len(words))
		for _, v := range vals {
			if fold {
				v = strings.ToLower(v)
			}
			re := reference(v)
			for i, w := range words {
				in[i] = in[i] || re.MatchString(w)
			}
		}
		if len(vals) == 0 {
			for i := range in {
				in[i] = true
			}
		}
		return in
	}
	var seen []*Compiled // every rule compiled so far, beside the rule
	var rules []Rule
	for trial := 0; trial < 3000; trial++ {
		a := Rule{Hosts: randVals(true), Paths: randVals(false)}
		b := Rule{Hosts: randVals(true), Paths: randVals(false)}
		ah, ap, bh, bp := matchSet(a.Hosts, true), matchSet(a.Paths, false), matchSet(b.Hosts, true), matchSet(b.Paths, false)
		overlap, aInB, bInA := false, true, true
		for i := range hostWords {
			for j := range pathWords {
				ina, inb := ah[i] && ap[j], bh[i] && bp[j]
				overlap = overlap || ina && inb
				aInB = aInB && (!ina || inb)
				bInA = bInA && (!inb || ina)
			}
		}
		if got := Overlaps(a, b); got != overlap {
			t.Errorf("Overlaps(%+v, %+v) = %v, want %v", a, b, got, overlap)
		}
		// A rule that matches no request (a path that cannot start with '/') is
		// narrower than nothing: there is nothing for it to be evaluated first for.
		if got, want := Narrower(a, b), overlap && aInB && !bInA; got != want {
			t.Errorf("Narrower(%+v, %+v) = %v, want %v", a, b, got, want)
		}
		// Compiled once and compared with many, a rule answers as Overlaps and Narrower.
		ca, cb := Compile(a), Compile(b)
		seen, rules = append(seen, ca, cb), append(rules, a, b)
		for j := max(0, len(seen)-12); j < len(seen); j++ {
			if ca.Overlaps(seen[j]) != Overlaps(a, rules[j]) || ca.Narrower(seen[j]) != Narrower(a, rules[j]) ||
				seen[j].Narrower(cb) != Narrower(rules[j], b) {
				t.Fatalf("compiled %+v, %+v and %+v answer unlike the rules", a, b, rules[j])
			}
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pat, s string
		want   bool
	}{
		{"*", "", true}, {"?", "", false}, {"a*b", "ab", true}, {"a*b", "axxb", true},
		{"a*b", "axxbx", false}, {"*a*a", "aba", true}, {"*a*a", "ab", false}, {"a?c", "abc", true},
		{"a*b*c", "abxbc", true}, {"", "", true}, {"", "a", false},
	} {
		if got := compileGlob(tc.pat, false).match(tc.s); got != tc.want {
			t.Errorf("match(%q, %q) = %v, want %v", tc.pat, tc.s, got, tc.want)
		}
	}
}

// FuzzGlobs checks on arbitrary ASCII patterns that intersection and inclusion never
// panic and that every witness they give is confirmed by the regexp oracle.
func FuzzGlobs(f *testing.F) {
	f.Add("/api/*", "/api/users/*")
	f.Add("*a?b*", "?*b")
	f.Add("**", "")
	f.Fuzz(func(t *testing.T, ps, qs string) {
		if len(ps) > 12 || len(qs) > 12 {
			return
		}
		for _, s := range []string{ps, qs} {
			for i := 0; i < len(s); i++ {
				if s[i] >= 0x80 {
					return
				}
			}
		}
		p, q := compileGlob(ps, false), compileGlob(qs, false)
		pr, qr := reference(p.s), reference(q.s)
		w, ok := product(p.s, q.s, true)
		if ok != intersect(&p, &q) {
			t.Fatalf("intersect(%q, %q) = %v, product %v", ps, qs, !ok, ok)
		}
		if ok && !(pr.MatchString(w) && qr.MatchString(w)) {
			t.Fatalf("common string %q of %q and %q does not match both", w, ps, qs)
		}
		in, decided, c := withinWitness(p, []glob{q}, true)
		if decided && !in && (!pr.MatchString(c) || qr.MatchString(c)) {
			t.Fatalf("counterexample %q to %q in %q is wrong", c, ps, qs)
		}
		if decided && in && !ok && p.s != "" {
			t.Fatalf("%q in %q but they share no string", ps, qs)
		}
	})
}

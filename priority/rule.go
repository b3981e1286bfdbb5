package priority

import (
	"slices"
	"strings"

	"github.com/riglet/riglet/ir"
)

// Rule is one listener rule to place.
type Rule struct {
	Key          string   // stable identity, e.g. "app-twig-api/ServiceListenerRule"
	Listener     string   // listener identity; numbering is per listener
	LoadBalancer string   // for the 100-rule / 100-target-group quotas
	TargetGroups []string // target groups it forwards to (quota counts distinct ones per LB)
	Hosts        []string // host-header values (OR); empty = any host. Case-insensitive, '*' and '?' wildcards
	Paths        []string // path-pattern values (OR); empty = any path. Case-sensitive, '*' and '?'
	Other        bool     // has other conditions (http-header, method, query, source-ip): only ever narrower
	Explicit     int      // 0 = derive
	Pos          ir.Pos   // for errors
	Stack, Name  string   // for messages and the plan table
}

// cond is a compiled condition: the union of its globs. An absent condition is the
// single glob "*".
type cond []glob

var anyCond = cond{compileGlob("*", false)}

func compileCond(vals []string, fold bool) cond {
	if len(vals) == 0 {
		return anyCond
	}
	c := make(cond, 0, len(vals))
	for _, v := range vals {
		g := compileGlob(v, fold)
		if g.all {
			return anyCond
		}
		c = append(c, g)
	}
	return sortCond(c)
}

// compilePaths compiles a path condition over the paths a request can have: every
// request path starts with '/', so "/*" matches every request, as "*" does, and a
// pattern is cut down to the part that can match (see rootedPaths). Without this,
// a host-only rule and the catch-all "/*" would look unrelated ("*" is not inside
// "/*" over all strings), where in fact the host-only rule is the narrower.
func compilePaths(vals []string) cond {
	if len(vals) == 0 {
		return anyCond
	}
	c := make(cond, 0, len(vals))
	for _, v := range vals {
		for _, p := range rootedPaths(compileGlob(v, false).s) {
			if p == "/*" {
				return anyCond
			}
			c = append(c, compileGlob(p, false))
		}
	}
	// Values that together cover "/*" ("*?", or "/" with "/?*") are the catch-all too.
	if ok, decided := within(rootGlob, c); ok && decided && len(c) > 0 {
		return anyCond
	}
	// A condition none of whose values can match a path stays empty: it matches no
	// request, so it overlaps nothing.
	return sortCond(c)
}

var rootGlob = compileGlob("/*", false)

// rootedPaths rewrites a normalised glob (no "**") as globs that all start with '/'
// and together match exactly the paths (strings starting with '/') it matches:
// "/..." as it is; "?rest" as "/rest"; "*rest" as "/*rest" (the star took at least
// the '/') or whatever rest matches alone (the star took nothing); a pattern starting
// with any other character matches no path.
func rootedPaths(p string) []string {
	switch {
	case p == "":
		return nil
	case p[0] == '/':
		return []string{p}
	case p[0] == '?':
		return []string{"/" + p[1:]}
	case p[0] == '*':
		return append([]string{"/" + p}, rootedPaths(p[1:])...)
	}
	return nil
}

func sortCond(c cond) cond {
	slices.SortFunc(c, func(a, b glob) int {
		switch {
		case a.s < b.s:
			return -1
		case a.s > b.s:
			return 1
		}
		return 0
	})
	return slices.CompactFunc(c, func(a, b glob) bool { return a.s == b.s })
}

func (c cond) all() bool { return len(c) == 1 && c[0].all }

func (c cond) equal(d cond) bool {
	return slices.EqualFunc(c, d, func(a, b glob) bool { return a.s == b.s })
}

func (c cond) intersects(d cond) bool {
	if len(c) == 0 || len(d) == 0 {
		return false // a path condition no request path can match
	}
	if c.all() || d.all() {
		return true
	}
	for i := range c {
		for j := range d {
			if intersect(&c[i], &d[j]) {
				return true
			}
		}
	}
	return false
}

// within reports whether c's language is a subset of d's.
func (c cond) within(d cond) (ok, decided bool) {
	if d.all() || c.equal(d) {
		return true, true
	}
	for _, p := range c {
		ok, decided := within(p, d)
		if !ok || !decided {
			return ok, decided
		}
	}
	return true, true
}

// crule is a rule's compiled request set: hosts x paths, narrowed by other
// conditions when other is set.
type crule struct {
	hosts, paths cond
	other        bool
}

func compileRule(r *Rule) crule {
	return crule{hosts: compileCond(r.Hosts, true), paths: compilePaths(r.Paths), other: r.Other}
}

// relation holds what relate found about an ordered pair (a, b).
type relation uint8

const (
	relOverlap   relation = 1 << iota // some request matches both
	relAInB                           // every request a matches, b matches
	relBInA                           // every request b matches, a matches
	relUndecided                      // an inclusion test gave up
)

func (r relation) overlap() bool   { return r&relOverlap != 0 }
func (r relation) undecided() bool { return r&relUndecided != 0 }

// aNarrower reports a strictly inside b.
func (r relation) aNarrower() bool { return r&(relAInB|relBInA|relUndecided) == relAInB }

// bNarrower reports b strictly inside a.
func (r relation) bNarrower() bool { return r&(relAInB|relBInA|relUndecided) == relBInA }

func (r relation) swap() relation {
	s := r &^ (relAInB | relBInA)
	if r&relAInB != 0 {
		s |= relBInA
	}
	if r&relBInA != 0 {
		s |= relAInB
	}
	return s
}

// relate compares two compiled rules. Other conditions are opaque: they are taken to
// be satisfiable together (so they never remove an overlap) and to be one and the
// same set (so a rule with them is inside the same rule without them, and two rules
// that both have them compare by host and path alone).
func relate(a, b *crule) relation {
	if !a.hosts.intersects(b.hosts) || !a.paths.intersects(b.paths) {
		return 0
	}
	r := relOverlap
	in := func(x, y *crule, bit relation) {
		if y.other && !x.other {
			return
		}
		ok, decided := x.hosts.within(y.hosts)
		if ok && decided {
			ok, decided = x.paths.within(y.paths)
		}
		if !decided {
			r |= relUndecided
		} else if ok {
			r |= bit
		}
	}
	in(a, b, relAInB)
	in(b, a, relBInA)
	return r
}

// Compiled is a Rule with its globs compiled once, for comparing it with many rules
// (a lint compares every pair on a listener).
type Compiled struct{ c crule }

// Compile compiles r's conditions.
func Compile(r Rule) *Compiled { return &Compiled{compileRule(&r)} }

// Overlaps is Overlaps of the two compiled rules.
func (a *Compiled) Overlaps(b *Compiled) bool { return relate(&a.c, &b.c).overlap() }

// Narrower is Narrower of the two compiled rules.
func (a *Compiled) Narrower(b *Compiled) bool { return relate(&a.c, &b.c).aNarrower() }

// Overlaps reports whether some request (host, path) can match both rules.
func Overlaps(a, b Rule) bool {
	ca, cb := compileRule(&a), compileRule(&b)
	return relate(&ca, &cb).overlap()
}

// Narrower reports whether every request a matches also matches b and not the
// reverse, so that a must be evaluated first (take the smaller priority). It is false
// when the patterns are too complex to decide (see the package doc).
func Narrower(a, b Rule) bool {
	ca, cb := compileRule(&a), compileRule(&b)
	return relate(&ca, &cb).aNarrower()
}

// ListenerARNLoadBalancer returns the ARN of the load balancer a listener ARN
// (arn:...:listener/app/NAME/ID/LISTENER-ID) belongs to, so that rules on two
// listeners of a load balancer riglet does not own count together for the quotas.
func ListenerARNLoadBalancer(arn string) (string, bool) {
	i := strings.Index(arn, ":listener/")
	if !strings.HasPrefix(arn, "arn:") || i < 0 {
		return "", false
	}
	rest := arn[i+len(":listener/"):]
	j := strings.LastIndexByte(rest, '/')
	if j <= 0 || strings.Count(rest, "/") != 3 {
		return "", false
	}
	return arn[:i] + ":loadbalancer/" + rest[:j], true
}

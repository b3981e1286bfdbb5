package compiler_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/priority"
)

// The ALB-matching oracle: an implementation of how a load balancer picks a rule,
// written from AWS's documentation and sharing no code with package priority. A
// host-header value matches case-insensitively, a path-pattern value
// case-sensitively; in both '*' matches any characters (also none, also '/' and '.')
// and '?' exactly one; the values of one condition are OR-ed, a rule matches when
// all its conditions do (an absent one matches everything), and of the matching
// rules the lowest priority number wins.

func albGlob(pat string, fold bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^(?s)")
	if fold {
		b.WriteString("(?i)")
	}
	for _, c := range pat {
		switch c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

type albRule struct {
	a            priority.Assignment
	hosts, paths []*regexp.Regexp
}

func (r *albRule) matches(host, path string) bool {
	any := func(gs []*regexp.Regexp, s string) bool {
		if len(gs) == 0 {
			return true
		}
		return slices.ContainsFunc(gs, func(g *regexp.Regexp) bool { return g.MatchString(s) })
	}
	return any(r.hosts, host) && any(r.paths, path)
}

// instances turns a pattern into concrete strings it matches: each '*' becomes
// nothing, a word, a run with a '/' and a dot in it, or a literal piece of another
// pattern (so that "static.*" and "*.example.com" meet in "static.example.com"),
// each '?' a letter or a '/'.
func instances(pat string, pieces []string) []string {
	out := []string{""}
	for _, c := range pat {
		var alts []string
		switch c {
		case '*':
			alts = append([]string{"", "z", "q/r.s"}, pieces...)
		case '?':
			alts = []string{"k", "/"}
		default:
			alts = []string{string(c)}
		}
		var next []string
		for _, s := range out {
			for _, a := range alts {
				next = append(next, s+a)
			}
		}
		out = next
		if len(out) > 256 {
			out = out[:256]
		}
	}
	return out
}

// pieces are the literal runs of the patterns, between their wildcards.
func pieces(pats []string) []string {
	var out []string
	for _, p := range pats {
		for _, s := range strings.FieldsFunc(p, func(r rune) bool { return r == '*' || r == '?' }) {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}

// probes builds requests from the rules' own patterns: every instance of every host
// (also upper-cased) and of every path, plus ones no rule names.
func probes(rules []*albRule) (hosts, paths []string) {
	hs := map[string]bool{"unrelated.example.net": true}
	ps := map[string]bool{"/": true, "/unrelated": true}
	var allHosts, allPaths []string
	for _, r := range rules {
		allHosts = append(allHosts, r.a.Hosts...)
		allPaths = append(allPaths, r.a.Paths...)
	}
	hp, pp := pieces(allHosts), pieces(allPaths)
	for _, h := range allHosts {
		for _, s := range instances(h, hp) {
			hs[s], hs[strings.ToUpper(s)] = true, true
		}
	}
	for _, p := range allPaths {
		for _, s := range instances(p, pp) {
			if strings.HasPrefix(s, "/") { // a request path always starts with '/'
				ps[s], ps[s+"/deeper"], ps[strings.ToUpper(s)] = true, true, true
			}
		}
	}
	for h := range hs {
		hosts = append(hosts, h)
	}
	for p := range ps {
		paths = append(paths, p)
	}
	slices.Sort(hosts)
	slices.Sort(paths)
	return hosts, paths
}

// oracleStats counts what checkListeners saw.
type oracleStats struct{ listeners, rules, requests, routed int }

// checkListeners probes every listener of an env's assignments: the rule the load
// balancer picks for each request must be the narrowest rule that matches it, that
// is, no other matching rule may be strictly inside the picked one (judged over the
// probe set: every probe it matches the picked one matches, and not the reverse).
func checkListeners(t *testing.T, name string, asg []priority.Assignment, st *oracleStats) {
	t.Helper()
	byListener := map[string][]*albRule{}
	for _, a := range asg {
		if a.Other {
			continue // conditions the oracle does not model
		}
		byListener[a.Listener] = append(byListener[a.Listener], oracleRule(a))
	}
	for l, rules := range byListener {
		st.listeners++
		st.rules += len(rules)
		seen := map[int]string{}
		for _, r := range rules {
			if k, ok := seen[r.a.Priority]; ok {
				t.Fatalf("%s: listener %s: %s and %s share priority %d (PriorityInUse)", name, l, k, r.a.Key, r.a.Priority)
			}
			seen[r.a.Priority] = r.a.Key
		}
		slices.SortFunc(rules, func(a, b *albRule) int { return a.a.Priority - b.a.Priority })
		hosts, paths := probes(rules)
		type req struct{ host, path string }
		var reqs []req
		for _, h := range hosts {
			for _, p := range paths {
				reqs = append(reqs, req{h, p})
			}
		}
		// match[i][k]: rule i matches request k
		match := make([][]bool, len(rules))
		for i, r := range rules {
			match[i] = make([]bool, len(reqs))
			for k, q := range reqs {
				match[i][k] = r.matches(q.host, q.path)
			}
		}
		inside := func(i, j int) bool { // rule i strictly inside rule j, over the probes
			strict := false
			for k := range reqs {
				if match[i][k] && !match[j][k] {
					return false
				}
				strict = strict || match[j][k] && !match[i][k]
			}
			return strict
		}
		for k, q := range reqs {
			st.requests++
			pick := -1
			for i := range rules { // rules are in priority order: the first match wins
				if match[i][k] {
					pick = i
					break
				}
			}
			if pick < 0 {
				continue
			}
			st.routed++
			for i := pick + 1; i < len(rules); i++ {
				if match[i][k] && inside(i, pick) {
					t.Fatalf("%s: listener %s: request host %q path %q goes to %s (%v %v, priority %d), but the narrower %s (%v %v, priority %d) matches it too",
						name, l, q.host, q.path, rules[pick].a.Key, rules[pick].a.Hosts, rules[pick].a.Paths, rules[pick].a.Priority,
						rules[i].a.Key, rules[i].a.Hosts, rules[i].a.Paths, rules[i].a.Priority)
				}
			}
		}
	}
}

// TestALBOracleExamples probes every listener of every env of the example riglets.
func TestALBOracleExamples(t *testing.T) {
	var st oracleStats
	for _, spec := range exampleSpecs(t) {
		res, err := compiler.Compile(os.DirFS(".."), blocks.FS, spec, compiler.Options{})
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		for _, e := range res.Envs {
			checkListeners(t, spec+" "+e.Env, e.Priorities, &st)
		}
	}
	if st.rules == 0 || st.routed == 0 {
		t.Fatalf("the examples have no listener rules to probe: %+v", st)
	}
	t.Logf("%+v", st)
}

const hostSvcBlock = `Metadata:
  Riglet:
    Wiring: {ListenerArn: lb.ListenerArn}
    Derived: {Priority: listener.priority}
Parameters:
  ListenerArn: {Type: String}
  Host: {Type: String}
  Path: {Type: String, Default: ""}
  Priority: {Type: Number}
Conditions:
  HasPath: !Not [!Equals [!Ref Path, ""]]
Resources:
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Port: 80, Protocol: HTTP, VpcId: vpc-1}
  Rule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref ListenerArn
      Priority: !Ref Priority
      Actions: [{Type: forward, TargetGroupArn: !Ref Tg}]
      Conditions:
        - Field: host-header
          HostHeaderConfig: {Values: [!Ref Host]}
        - !If
          - HasPath
          - {Field: path-pattern, PathPatternConfig: {Values: [!Ref Path]}}
          - !Ref AWS::NoValue
`

var (
	oraclePaths = []string{"/*", "/a/*", "/a/b/*", "/a/b/c", "/A/*", "/a?c", "/b/*", "/b/v2/*", "/c", "/*.png", "/img/*/thumb", "*"}
	oracleHosts = []string{"api.example.com", "*.example.com", "www.example.com", "a?i.example.com", "static.*"}
	externalArn = "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/edge/50dc6c495c0c9188/f2f7dc8efc522ab2"
)

// oracleSpec draws a riglet of path-only, host-only and host+path services, some
// with explicit priorities, some on a listener the riglet does not own.
func oracleSpec(r *rand.Rand, n int) (string, map[string]priority.Rule) {
	drawn := map[string]priority.Rule{}
	var b strings.Builder
	b.WriteString("riglet: or\nowner: acme\nenvs: [dev]\nstacks:\n  front:\n    blocks:\n      lb: {block: lb}\n")
	for i := range n {
		params := []string{}
		block := "svc"
		var rule priority.Rule
		switch k := r.IntN(10); {
		case k < 5:
			rule.Paths = []string{oraclePaths[r.IntN(len(oraclePaths))]}
		case k < 7:
			block = "hsvc"
			rule.Hosts = []string{oracleHosts[r.IntN(len(oracleHosts))]}
		default:
			block = "hsvc"
			rule.Hosts = []string{oracleHosts[r.IntN(len(oracleHosts))]}
			rule.Paths = []string{oraclePaths[r.IntN(len(oraclePaths))]}
		}
		for _, h := range rule.Hosts {
			params = append(params, fmt.Sprintf("Host: %q", h))
		}
		for _, p := range rule.Paths {
			params = append(params, fmt.Sprintf("Path: %q", p))
		}
		drawn[fmt.Sprintf("svc%d/SRule", i)] = rule
		if r.IntN(8) == 0 {
			params = append(params, fmt.Sprintf("Priority: %d", 1+r.IntN(900)))
		}
		if r.IntN(4) == 0 {
			params = append(params, fmt.Sprintf("ListenerArn: %q", externalArn))
		}
		fmt.Fprintf(&b, "  svc%d:\n    blocks:\n      s: {block: %s, params: {%s}}\n", i, block, strings.Join(params, ", "))
	}
	return b.String(), drawn
}

var refusedRE = regexp.MustCompile(`listener rules (\S+) and (\S+) (can match the same request and neither is narrower|match the same requests)`)

// checkRefusal holds a refused compile to the oracle: when it says two rules overlap
// and neither is narrower, the probes must agree (some request matches both, and
// neither rule's requests lie strictly inside the other's). A narrower rule refused
// as "neither" (a host-only rule beside the catch-all /*) fails here.
func checkRefusal(t *testing.T, name string, err error, drawn map[string]priority.Rule) {
	t.Helper()
	for _, m := range refusedRE.FindAllStringSubmatch(err.Error(), -1) {
		a, b := drawn[m[1]], drawn[m[2]]
		rules := []*albRule{oracleRule(priority.Assignment{Rule: a}), oracleRule(priority.Assignment{Rule: b})}
		hosts, paths := probes(rules)
		both, aOnly, bOnly := false, false, false
		for _, h := range hosts {
			for _, p := range paths {
				ma, mb := rules[0].matches(h, p), rules[1].matches(h, p)
				both = both || ma && mb
				aOnly = aOnly || ma && !mb
				bOnly = bOnly || mb && !ma
			}
		}
		if !both || aOnly != bOnly {
			t.Fatalf("%s: refused %s (%v %v) and %s (%v %v) as %q, but on the probes: overlap %v, only the first %v, only the second %v",
				name, m[1], a.Hosts, a.Paths, m[2], b.Hosts, b.Paths, m[3], both, aOnly, bOnly)
		}
	}
}

func oracleRule(a priority.Assignment) *albRule {
	r := &albRule{a: a}
	for _, h := range a.Hosts {
		r.hosts = append(r.hosts, albGlob(h, true))
	}
	for _, p := range a.Paths {
		r.paths = append(r.paths, albGlob(p, false))
	}
	return r
}

// TestALBOracleGenerated compiles random riglets and probes their listeners. Many
// draws are refused (two rules neither of which is narrower, explicit numbers in the
// wrong order): the test needs enough that compile, and checks every one that does.
func TestALBOracleGenerated(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 7))
	var st oracleStats
	compiled, refused := 0, 0
	for trial := 0; trial < 400; trial++ {
		spec, drawn := oracleSpec(r, 2+r.IntN(6))
		fsys := fstest.MapFS{
			"envs/dev.yaml":          {Data: []byte("env: dev\naccount: \"111122223333\"\nregion: us-east-1\nazs: [us-east-1a, us-east-1b]\ncidr: 10.4.0.0/16\nalarms: {profile: none}\n")},
			"riglets/or.yaml":        {Data: []byte(spec)},
			"blocks/lb/block.yaml":   {Data: []byte(lbBlock)},
			"blocks/svc/block.yaml":  {Data: []byte(svcBlock)},
			"blocks/hsvc/block.yaml": {Data: []byte(hostSvcBlock)},
		}
		res, err := compiler.Compile(fsys, builtinAlarms, "riglets/or.yaml", compiler.Options{})
		if err != nil {
			refused++
			checkRefusal(t, fmt.Sprintf("trial %d:\n%s", trial, spec), err, drawn)
			continue
		}
		compiled++
		checkListeners(t, fmt.Sprintf("trial %d:\n%s", trial, spec), res.Envs[0].Priorities, &st)
	}
	if compiled < 100 {
		t.Fatalf("only %d of %d generated riglets compiled: the oracle checked too little", compiled, compiled+refused)
	}
	t.Logf("compiled %d, refused %d, %+v", compiled, refused, st)
}

package priority

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/riglet/riglet/ir"
)

const https = "staging/alb/https"

var line = 0

// pr makes a path rule on the https listener with its own source line.
func pr(key string, paths ...string) Rule {
	line++
	return Rule{Key: key, Listener: https, LoadBalancer: "staging/alb", Paths: paths,
		TargetGroups: []string{key + "/tg"}, Pos: ir.Pos{File: ir.FileOf("riglets/twig.yaml"), Line: int32(line)}}
}

func hr(key string, hosts ...string) Rule {
	r := pr(key)
	r.Hosts = hosts
	return r
}

func explicit(r Rule, p int) Rule { r.Explicit = p; return r }

// prios maps listener/key to priority and source.
func prios(asg []Assignment) map[string]string {
	m := map[string]string{}
	for _, a := range asg {
		m[a.Listener+" "+a.Key] = fmt.Sprintf("%d %s", a.Priority, a.Source)
	}
	return m
}

func mustAllocate(t *testing.T, rules []Rule, lock *Lock) ([]Assignment, *Lock) {
	t.Helper()
	asg, out, errs := Allocate(rules, lock)
	if len(errs) > 0 {
		t.Fatalf("Allocate: %v", errs)
	}
	return asg, out
}

func TestAllocateFresh(t *testing.T) {
	rules := []Rule{pr("catchall", "/*"), pr("api", "/api/*"), pr("users", "/api/users/*"), pr("ping", "/ping"), pr("web", "/web/*")}
	asg, lock := mustAllocate(t, rules, nil)
	// Narrowest first (no rule inside: api/users, ping, web by key; then api; then the
	// catch-all), each on the next multiple of 100.
	want := map[string]string{
		https + " ping":     "100 derived",
		https + " users":    "200 derived",
		https + " web":      "300 derived",
		https + " api":      "400 derived",
		https + " catchall": "500 derived",
	}
	if diff := cmp.Diff(want, prios(asg)); diff != "" {
		t.Errorf("priorities (-want +got):\n%s", diff)
	}
	for i := 1; i < len(asg); i++ {
		if asg[i-1].Priority >= asg[i].Priority {
			t.Errorf("assignments not sorted by priority: %v", asg)
		}
	}
	if got := lock.Listeners[https]["api"]; got != (Entry{Priority: 400}) {
		t.Errorf("lock entry of api = %+v", got)
	}

	// Adding rules keeps every number and fills the gaps between the neighbours.
	rules = append(rules, pr("admin", "/api/users/admin/*"), pr("docs", "/docs/*"), pr("v2", "/api/v2/*"))
	asg2, lock2 := mustAllocate(t, rules, lock)
	got := prios(asg2)
	for k, v := range want {
		if got[k] != strings.Replace(v, "derived", "locked", 1) {
			t.Errorf("%s moved: %s -> %s", k, v, got[k])
		}
	}
	// admin must precede users (200): the room under 200 holds 101..199, the largest
	// run; v2 must precede api (400): runs 1..99, 101..199, 201..299, 301..399, the
	// highest of which is taken; docs must precede the catch-all (500), and no multiple
	// of 100 leaves room under it.
	for k, v := range map[string]string{"admin": "150 derived", "v2": "350 derived", "docs": "450 derived"} {
		if got[https+" "+k] != v {
			t.Errorf("%s = %s, want %s", k, got[https+" "+k], v)
		}
	}
	if len(lock2.Listeners[https]) != 8 {
		t.Errorf("lock has %d entries, want 8", len(lock2.Listeners[https]))
	}
}

func TestAllocateExplicitAndListeners(t *testing.T) {
	http := "staging/alb/http"
	api := explicit(hr("twig-api", "api.example.com"), 100)
	twig := explicit(hr("twig", "twig.example.com"), 200)
	plain := hr("other", "other.example.com")
	onHTTP := hr("redirect", "api.example.com")
	onHTTP.Listener = http
	asg, lock := mustAllocate(t, []Rule{api, twig, plain, onHTTP}, nil)
	want := map[string]string{
		https + " twig-api": "100 explicit",
		https + " twig":     "200 explicit",
		https + " other":    "300 derived",
		http + " redirect":  "100 derived", // its own numbering
	}
	if diff := cmp.Diff(want, prios(asg)); diff != "" {
		t.Errorf("priorities (-want +got):\n%s", diff)
	}
	// Moving an explicit priority moves its lock entry; the old number is not handed
	// to a rule that is new in the same compile.
	api.Explicit = 50
	narrowNew := hr("new", "new.example.com")
	asg, _ = mustAllocate(t, []Rule{api, twig, plain, onHTTP, narrowNew}, lock)
	got := prios(asg)
	if got[https+" twig-api"] != "50 explicit" || got[https+" new"] != "400 derived" {
		t.Errorf("after moving twig-api: %v", got)
	}
}

func TestRetireAndPrune(t *testing.T) {
	a, b, c := pr("a", "/a/*"), pr("b", "/b/*"), pr("c", "/c/*")
	_, lock := mustAllocate(t, []Rule{a, b, c}, nil)
	// Remove b: its number stays, retired; a new rule does not take it.
	d := pr("d", "/d/*")
	asg, lock2 := mustAllocate(t, []Rule{a, c, d}, lock)
	if e := lock2.Listeners[https]["b"]; e != (Entry{Priority: 200, Retired: true}) {
		t.Errorf("b in the lock = %+v, want retired 200", e)
	}
	if got := prios(asg)[https+" d"]; got != "400 derived" {
		t.Errorf("d = %s, want 400 derived (past the retired 200 and 300)", got)
	}
	// An explicit priority on a retired number is refused until prune.
	e := explicit(pr("e", "/e/*"), 200)
	_, _, errs := Allocate([]Rule{a, c, d, e}, lock2)
	wantErrors(t, errs, `priority 200 is reserved for the removed rule b until riglet lock prune`)

	// b comes back: it gets its number again.
	asg, _ = mustAllocate(t, []Rule{a, b, c, d}, lock2)
	if got := prios(asg)[https+" b"]; got != "200 locked" {
		t.Errorf("b back = %s, want 200 locked", got)
	}

	// Prune drops retired entries of the listeners asked for only.
	other := &Lock{Listeners: map[string]map[string]Entry{
		https:   lock2.Listeners[https],
		"other": {"x": {Priority: 5, Retired: true}, "y": {Priority: 6}},
	}}
	pruned := Prune(other, func(l string) bool { return l == https })
	if _, ok := pruned.Listeners[https]["b"]; ok {
		t.Errorf("prune kept retired b")
	}
	if len(pruned.Listeners[https]) != 3 || len(pruned.Listeners["other"]) != 2 {
		t.Errorf("prune dropped live or unasked entries: %v", pruned.Listeners)
	}
	if all := Prune(other, nil); len(all.Listeners["other"]) != 1 {
		t.Errorf("prune of all kept %v", all.Listeners["other"])
	}
	if _, ok := lock2.Listeners[https]["b"]; !ok {
		t.Errorf("prune changed its input")
	}
	if Prune(nil, nil) == nil {
		t.Errorf("Prune(nil) = nil")
	}
	// A listener no rule names any more is all retired.
	_, lock3 := mustAllocate(t, nil, lock2)
	for k, e := range lock3.Listeners[https] {
		if !e.Retired {
			t.Errorf("%s not retired with no rules", k)
		}
	}
	// Once pruned, the number is free again.
	_, _, errs = Allocate([]Rule{a, c, d, e}, Prune(lock2, nil))
	if len(errs) > 0 {
		t.Errorf("explicit 200 after prune: %v", errs)
	}
}

// wantErrors checks that errs are exactly the given patterns, in order.
func wantErrors(t *testing.T, errs ir.Errors, patterns ...string) {
	t.Helper()
	if len(errs) != len(patterns) {
		t.Errorf("got %d errors, want %d:\n%v", len(errs), len(patterns), errs)
		return
	}
	for i, p := range patterns {
		if !regexp.MustCompile(p).MatchString(errs[i].Msg) {
			t.Errorf("error %d = %q, want %q", i, errs[i].Msg, p)
		}
	}
}

func TestErrors(t *testing.T) {
	lockOf := func(m map[string]Entry) *Lock { return &Lock{Listeners: map[string]map[string]Entry{https: m}} }
	a, b := pr("a", "/a/*"), pr("b", "/b/*")
	api, users := pr("api", "/api/*"), pr("users", "/api/users/*")
	host, path := hr("host", "api.example.com"), pr("path", "/api/*")
	noListener := pr("x", "/x")
	noListener.Listener = ""
	long := pr("long", "/"+strings.Repeat("a", 128))
	odd := pr("odd", "/caf\u00e9")
	empty := pr("empty", "")
	bare := pr("bare")
	other := pr("other")
	other.Other = true
	dupKey := pr("a", "/z/*")
	var many, manyTG []Rule
	for i := range 101 {
		r := pr(fmt.Sprintf("svc%03d", i), fmt.Sprintf("/svc%03d/*", i))
		if i%2 == 1 {
			r.Listener = "staging/alb/http" // the quota counts across listeners
		}
		r.TargetGroups = []string{"shared"}
		many = append(many, r)
	}
	for i := range 51 {
		r := pr(fmt.Sprintf("svc%03d", i), fmt.Sprintf("/svc%03d/*", i))
		r.TargetGroups = []string{fmt.Sprintf("tg%d-blue", i), fmt.Sprintf("tg%d-green", i)}
		manyTG = append(manyTG, r)
	}
	complexA := pr("ca", "*a"+strings.Repeat("?", 20))
	complexB := pr("cb", "*a"+strings.Repeat("?", 20)+"*")

	for _, tc := range []struct {
		name  string
		rules []Rule
		lock  *Lock
		want  []string
		rel   int // related positions of the first error
	}{
		{"two explicit rules with one priority", []Rule{explicit(a, 7), explicit(b, 7)}, nil,
			[]string{`^listener rule b: priority 7 is also given to a on listener staging/alb/https$`}, 1},
		{"explicit on a locked number", []Rule{explicit(a, 7), b}, lockOf(map[string]Entry{"b": {Priority: 7}}),
			[]string{`^listener rule a: priority 7 is held by b in the lock$`}, 1},
		{"explicit too small", []Rule{explicit(a, -1)}, nil, []string{`priority -1 is out of range 1\.\.50000`}, 0},
		{"explicit too large", []Rule{explicit(a, 50001)}, nil, []string{`priority 50001 is out of range 1\.\.50000`}, 0},
		{"lock out of range", []Rule{a}, lockOf(map[string]Entry{"a": {Priority: 0}}),
			[]string{`^lock: listener staging/alb/https: a has priority 0, out of range`}, 0},
		{"lock shares a number", []Rule{a, b}, lockOf(map[string]Entry{"a": {Priority: 5}, "b": {Priority: 5}}),
			[]string{`^lock: listener staging/alb/https: a and b share priority 5$`}, 0},
		{"explicit broad before narrow", []Rule{explicit(api, 10), explicit(users, 20)}, nil,
			[]string{`^listener rule api \(priority 10\) shadows the narrower users \(priority 20\), which must have the smaller number$`}, 1},
		{"locked broad before narrow", []Rule{api, users}, lockOf(map[string]Entry{"api": {Priority: 10}, "users": {Priority: 20}}),
			[]string{`^listener rule api \(priority 10\) shadows the narrower users \(priority 20\).*never moves a locked priority`}, 1},
		{"explicit narrow after locked broad", []Rule{api, explicit(users, 20)}, lockOf(map[string]Entry{"api": {Priority: 10}}),
			[]string{`^listener rule api \(priority 10\) shadows the narrower users \(priority 20\)`}, 1},
		{"host-only vs path-only", []Rule{host, path}, nil,
			[]string{`^listener rules host and path can match the same request and neither is narrower: give them explicit priorities to order them$`}, 1},
		{"host-only vs explicit path-only", []Rule{host, explicit(path, 5)}, nil,
			[]string{`^listener rules host and path can match the same request and neither is narrower: give host an explicit priority`}, 1},
		{"same requests", []Rule{a, pr("a2", "/a/*")}, nil,
			[]string{`^listener rules a and a2 match the same requests: give them explicit priorities`}, 1},
		{"no free priority between neighbours", []Rule{api, users, pr("v1", "/api/v1/*")},
			lockOf(map[string]Entry{"users": {Priority: 100}, "api": {Priority: 101}}),
			nil, 0}, // v1 is not inside users: it only has to precede api, and 1..99 is free
		{"no free priority", []Rule{api, users, pr("admin", "/api/users/admin/*"), pr("all", "/*")},
			lockOf(map[string]Entry{"users": {Priority: 1}, "api": {Priority: 2}, "all": {Priority: 3}}),
			[]string{`^no free priority for listener rule admin between the start of the listener and users \(priority 1\)`}, 1},
		{"no free priority between two", []Rule{api, users, pr("mid", "/api/u*")},
			lockOf(map[string]Entry{"users": {Priority: 100}, "api": {Priority: 101}}),
			[]string{`^no free priority for listener rule mid between users \(priority 100\) and api \(priority 101\)`}, 2},
		{"more than 100 rules", many, nil,
			[]string{`^load balancer staging/alb has 101 listener rules, more than the default quota of 100$`}, 0},
		{"more than 100 target groups", manyTG, nil,
			[]string{`^load balancer staging/alb has 102 target groups, more than the default quota of 100$`}, 0},
		{"no listener", []Rule{noListener}, nil, []string{`^listener rule x names no listener$`}, 0},
		{"no key", []Rule{pr("", "/x")}, nil, []string{`^listener rule has no key$`}, 0},
		{"value too long", []Rule{long}, nil, []string{`path-pattern value "/a+" is longer than 128 characters`}, 0},
		{"value not ascii", []Rule{odd}, nil, []string{`not visible ascii`}, 0},
		{"empty value", []Rule{empty}, nil, []string{`^listener rule empty: empty path-pattern value$`}, 0},
		{"no conditions", []Rule{bare}, nil, []string{`^listener rule bare has no conditions$`}, 0},
		{"other conditions are conditions", []Rule{other}, nil, nil, 0},
		{"one key twice", []Rule{a, dupKey}, nil, []string{`^listener rule key a is used twice on listener staging/alb/https$`}, 1},
		{"too complex", []Rule{complexA, complexB}, nil, []string{`^cannot decide whether listener rule ca or cb is narrower`}, 1},
		{"too complex but explicit", []Rule{explicit(complexA, 1), explicit(complexB, 2)}, nil, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asg, lock, errs := Allocate(tc.rules, tc.lock)
			wantErrors(t, errs, tc.want...)
			if len(errs) > 0 {
				if lock != nil {
					t.Errorf("a lock came back with errors")
				}
				if len(errs[0].Related) != tc.rel {
					t.Errorf("related = %v, want %d", errs[0].Related, tc.rel)
				}
				if !errs[0].Pos.IsValid() && !strings.HasPrefix(errs[0].Msg, "lock:") {
					t.Errorf("error without a position: %v", errs[0])
				}
				for _, e := range errs {
					if e.Msg != strings.ToLower(e.Msg[:1])+e.Msg[1:] || strings.HasSuffix(e.Msg, ".") {
						t.Errorf("error style: %q", e.Msg)
					}
				}
			} else if lock == nil {
				t.Errorf("no lock without errors")
			} else if len(asg) != len(tc.rules) {
				t.Errorf("%d assignments for %d rules", len(asg), len(tc.rules))
			}
		})
	}
}

// TestShuffle checks that neither the order of the rules nor map order changes
// anything.
func TestShuffle(t *testing.T) {
	rules := []Rule{pr("catchall", "/*"), pr("api", "/api/*"), pr("users", "/api/users/*"), pr("ping", "/ping"),
		pr("web", "/web/*"), pr("v1", "/v1/*"), pr("v2", "/v2/*"), pr("img", "/img/*.png"), pr("img2", "/img/*")}
	base, lock := mustAllocate(t, rules[:5], nil)
	_ = base
	want, wantLock := mustAllocate(t, rules, lock)
	r := rand.New(rand.NewPCG(7, 7))
	for range 50 {
		shuffled := append([]Rule(nil), rules...)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		copied := &Lock{Listeners: map[string]map[string]Entry{}}
		for l, m := range lock.Listeners {
			copied.Listeners[l] = map[string]Entry{}
			for k, e := range m {
				copied.Listeners[l][k] = e
			}
		}
		got, gotLock := mustAllocate(t, shuffled, copied)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("assignments depend on input order (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantLock, gotLock); diff != "" {
			t.Fatalf("lock depends on input order (-want +got):\n%s", diff)
		}
	}
}

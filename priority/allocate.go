package priority

import (
	"cmp"
	"fmt"
	"slices"
	"sort"

	"github.com/riglet/riglet/ir"
)

// The numbers AWS and this package work with.
const (
	MinPriority     = 1     // lowest listener rule priority AWS accepts
	MaxPriority     = 50000 // highest listener rule priority AWS accepts
	Step            = 100   // spacing of appended priorities
	MaxRules        = 100   // default quota: rules per load balancer, default rules not counted
	MaxTargetGroups = 100   // default quota: target groups per load balancer
	maxValueLen     = 128   // AWS's limit on one host-header or path-pattern value
)

// Sources of an Assignment's priority.
const (
	SourceExplicit = "explicit" // given in the spec
	SourceLocked   = "locked"   // kept from the lock
	SourceDerived  = "derived"  // allocated by this compile
)

// Lock is the priority part of a riglet lock: listener -> rule key -> entry. A nil
// *Lock, or nil maps in it, read as empty.
type Lock struct {
	Listeners map[string]map[string]Entry
}

// Entry is one rule's priority in the lock. A retired entry belongs to a rule that no
// longer exists: its number stays reserved until Prune.
type Entry struct {
	Priority int
	Retired  bool
}

// Get returns the entry of key on listener.
func (l *Lock) Get(listener, key string) (Entry, bool) {
	if l == nil {
		return Entry{}, false
	}
	e, ok := l.Listeners[listener][key]
	return e, ok
}

func (l *Lock) listener(name string) map[string]Entry {
	if l == nil {
		return nil
	}
	return l.Listeners[name]
}

// Assignment is a rule with its priority.
type Assignment struct {
	Rule
	Priority int
	Source   string // SourceExplicit, SourceLocked or SourceDerived
}

// Prune returns a copy of lock without the retired entries of the listeners for which
// listeners returns true (all listeners when it is nil).
func Prune(lock *Lock, listeners func(string) bool) *Lock {
	out := &Lock{Listeners: map[string]map[string]Entry{}}
	if lock == nil {
		return out
	}
	for name, entries := range lock.Listeners {
		drop := listeners == nil || listeners(name)
		m := map[string]Entry{}
		for k, e := range entries {
			if !(drop && e.Retired) {
				m[k] = e
			}
		}
		if len(m) > 0 {
			out.Listeners[name] = m
		}
	}
	return out
}

// Allocate gives every rule a priority and returns the assignments, sorted by
// listener and priority, and the lock to write back. With errors the lock is nil (it
// must not be written) and the assignments hold the rules that could be placed.
//
// Every listener named in lock is part of the compile: one that no rule names any more
// has all its entries retired, so a caller that compiles some envs only passes the
// lock of their listeners.
func Allocate(rules []Rule, lock *Lock) ([]Assignment, *Lock, ir.Errors) {
	var errs ir.Errors
	byListener := map[string][]*Rule{}
	for i := range rules {
		r := &rules[i]
		if validate(r, &errs) {
			byListener[r.Listener] = append(byListener[r.Listener], r)
		}
	}
	checkQuotas(rules, &errs)

	var names []string
	for name := range byListener {
		names = append(names, name)
	}
	if lock != nil {
		for name := range lock.Listeners {
			if _, ok := byListener[name]; !ok {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)

	out := &Lock{Listeners: map[string]map[string]Entry{}}
	asg := make([]Assignment, 0, len(rules))
	for _, name := range names {
		a, entries := allocListener(name, byListener[name], lock.listener(name), &errs)
		asg = append(asg, a...)
		if len(entries) > 0 {
			out.Listeners[name] = entries
		}
	}
	// asg is already sorted: listeners in name order, each in priority order.
	if len(errs) > 0 {
		return asg, nil, errs.Sorted()
	}
	return asg, out, nil
}

// validate reports bad input that keeps a rule out of the allocation.
func validate(r *Rule, errs *ir.Errors) bool {
	ok := true
	bad := func(format string, args ...any) {
		errs.AddCode(ir.CodePriority, r.Pos, format, args...)
		ok = false
	}
	if r.Key == "" {
		bad("listener rule has no key")
	}
	if r.Listener == "" {
		bad("listener rule %s names no listener", r.Key)
	}
	if r.Explicit < 0 || r.Explicit > MaxPriority {
		bad("listener rule %s: priority %d is out of range %d..%d", r.Key, r.Explicit, MinPriority, MaxPriority)
	}
	if len(r.Hosts) == 0 && len(r.Paths) == 0 && !r.Other {
		bad("listener rule %s has no conditions", r.Key)
	}
	for _, c := range []struct {
		what string
		vals []string
	}{{"host-header", r.Hosts}, {"path-pattern", r.Paths}} {
		for _, v := range c.vals {
			switch {
			case v == "":
				bad("listener rule %s: empty %s value", r.Key, c.what)
			case len(v) > maxValueLen:
				bad("listener rule %s: %s value %q is longer than %d characters", r.Key, c.what, v, maxValueLen)
			default:
				for i := 0; i < len(v); i++ {
					if v[i] <= ' ' || v[i] >= 0x7f {
						bad("listener rule %s: %s value %q has a character that is not visible ascii", r.Key, c.what, v)
						break
					}
				}
			}
		}
	}
	return ok
}

// checkQuotas applies AWS's default quotas per load balancer, across its listeners.
// A rule that names no load balancer is counted with its listener's.
func checkQuotas(rules []Rule, errs *ir.Errors) {
	byLB := map[string][]*Rule{}
	for i := range rules {
		r := &rules[i]
		lb := r.LoadBalancer
		if lb == "" {
			lb = "of listener " + r.Listener
		}
		byLB[lb] = append(byLB[lb], r)
	}
	for lb, rs := range byLB {
		if len(rs) <= MaxRules && countTGs(rs) <= MaxTargetGroups {
			continue
		}
		slices.SortFunc(rs, byPosKey)
		if len(rs) > MaxRules {
			errs.AddCode(ir.CodePriority, rs[MaxRules].Pos, "load balancer %s has %d listener rules, more than the default quota of %d", lb, len(rs), MaxRules)
		}
		seen := map[string]bool{}
		for _, r := range rs {
			for _, tg := range r.TargetGroups {
				if !seen[tg] {
					seen[tg] = true
					if len(seen) == MaxTargetGroups+1 {
						errs.AddCode(ir.CodePriority, r.Pos, "load balancer %s has %d target groups, more than the default quota of %d", lb, countTGs(rs), MaxTargetGroups)
					}
				}
			}
		}
	}
}

func countTGs(rs []*Rule) int {
	seen := map[string]bool{}
	for _, r := range rs {
		for _, tg := range r.TargetGroups {
			seen[tg] = true
		}
	}
	return len(seen)
}

func byPosKey(a, b *Rule) int {
	switch {
	case a.Pos.Before(b.Pos):
		return -1
	case b.Pos.Before(a.Pos):
		return 1
	}
	return cmp.Compare(a.Key, b.Key)
}

// slot is one rule of a listener during allocation.
type slot struct {
	r      *Rule
	c      crule
	prio   int    // 0 until placed
	src    string // "" until placed
	failed bool   // its explicit or locked number is in error: it is not placed at all
	// returning: the lock holds it as retired (its rule was removed and is back). Its
	// old number is kept if it still fits the order, else it is placed afresh: a
	// retired rule is not live, so moving it cannot collide with itself in AWS.
	returning bool
	narrower  int // how many rules of the listener are strictly inside this one
}

func (s *slot) explicit() bool { return s.src == SourceExplicit }

// allocListener numbers the rules of one listener; see the package doc for the order
// of decisions.
func allocListener(name string, rules []*Rule, entries map[string]Entry, errs *ir.Errors) ([]Assignment, map[string]Entry) {
	slices.SortFunc(rules, func(a, b *Rule) int { return cmp.Or(cmp.Compare(a.Key, b.Key), byPosKey(a, b)) })
	var slots []*slot
	live := map[string]*slot{}
	for _, r := range rules {
		if prev, ok := live[r.Key]; ok {
			errs.Add(&ir.Error{Code: ir.CodePriority, Pos: r.Pos, Msg: fmt.Sprintf("listener rule key %s is used twice on listener %s", r.Key, name),
				Related: []ir.Related{{Pos: prev.r.Pos, Msg: "first used here"}}})
			continue
		}
		s := &slot{r: r, c: compileRule(r)}
		slots = append(slots, s)
		live[r.Key] = s
	}

	// The lock: every number it holds, live or retired, is taken by its key.
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	holder := map[int]string{}
	badLock := map[string]bool{}
	for _, k := range keys {
		e := entries[k]
		if e.Priority < MinPriority || e.Priority > MaxPriority {
			errs.AddCode(ir.CodePriority, posOf(live, k), "lock: listener %s: %s has priority %d, out of range %d..%d", name, k, e.Priority, MinPriority, MaxPriority)
			badLock[k] = true
			continue
		}
		if other, ok := holder[e.Priority]; ok {
			errs.AddCode(ir.CodePriority, posOf(live, k), "lock: listener %s: %s and %s share priority %d", name, other, k, e.Priority)
			badLock[k] = true
			continue
		}
		holder[e.Priority] = k
	}
	used := make([]int, 0, len(holder)+len(slots))
	for p := range holder {
		used = append(used, p)
	}

	// Explicit numbers, then locked ones.
	explicitAt := map[int]*slot{}
	for _, s := range slots {
		r := s.r
		if r.Explicit > 0 {
			p := r.Explicit
			if other, ok := explicitAt[p]; ok {
				errs.Add(&ir.Error{Code: ir.CodePriority, Pos: r.Pos, Msg: fmt.Sprintf("listener rule %s: priority %d is also given to %s on listener %s", r.Key, p, other.r.Key, name),
					Related: []ir.Related{{Pos: other.r.Pos, Msg: fmt.Sprintf("priority %d given here", p)}}})
				s.failed = true
				continue
			}
			if k, ok := holder[p]; ok && k != r.Key {
				if hs, ok := live[k]; ok {
					errs.Add(&ir.Error{Code: ir.CodePriority, Pos: r.Pos, Msg: fmt.Sprintf("listener rule %s: priority %d is held by %s in the lock", r.Key, p, k),
						Related: []ir.Related{{Pos: hs.r.Pos, Msg: fmt.Sprintf("%s holds priority %d", k, p)}}})
				} else {
					errs.AddCode(ir.CodePriority, r.Pos, "listener rule %s: priority %d is reserved for the removed rule %s until riglet lock prune", r.Key, p, k)
				}
				s.failed = true
				continue
			}
			explicitAt[p] = s
			s.prio, s.src = p, SourceExplicit
			used = append(used, p)
			continue
		}
		if e, ok := entries[r.Key]; ok {
			if badLock[r.Key] {
				s.failed = true
				continue
			}
			s.prio, s.src, s.returning = e.Priority, SourceLocked, e.Retired
		}
	}
	slices.Sort(used)
	used = slices.Compact(used)

	// The relations of every pair: the listener has at most a hundred rules within
	// quota, so pairwise is cheap, and the fast paths of relate keep it so.
	n := len(slots)
	rel := make([]relation, n*n)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			r := relate(&slots[i].c, &slots[j].c)
			rel[i*n+j], rel[j*n+i] = r, r.swap()
			if r.aNarrower() {
				slots[j].narrower++
			} else if r.bNarrower() {
				slots[i].narrower++
			}
		}
	}
	for i, s := range slots {
		if !s.returning || s.src != SourceLocked {
			continue
		}
		for j, t := range slots {
			if j == i || t.src == "" || t.returning {
				continue
			}
			if r := rel[i*n+j]; (r.aNarrower() && s.prio > t.prio) || (r.bNarrower() && s.prio < t.prio) {
				s.prio, s.src = 0, "" // out of order now: placed afresh below
				break
			}
		}
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			checkPair(slots[i], slots[j], rel[i*n+j], errs)
		}
	}

	// New rules, narrowest first so that the rules a new one must follow are placed
	// before it; ties by key.
	var fresh []int
	for i, s := range slots {
		if s.src == "" && !s.failed {
			fresh = append(fresh, i)
		}
	}
	slices.SortFunc(fresh, func(a, b int) int {
		return cmp.Or(cmp.Compare(slots[a].narrower, slots[b].narrower), cmp.Compare(slots[a].r.Key, slots[b].r.Key))
	})
	for _, i := range fresh {
		s := slots[i]
		lo, hi := 0, MaxPriority+1
		var loBy, hiBy *slot
		for j, t := range slots {
			if t.src == "" || j == i {
				continue
			}
			r := rel[i*n+j]
			switch {
			case r.bNarrower() && t.prio > lo:
				lo, loBy = t.prio, t
			case r.aNarrower() && t.prio < hi:
				hi, hiBy = t.prio, t
			}
		}
		p, ok := choose(lo, hi, used)
		if !ok {
			errs.Add(noRoom(s, loBy, hiBy, lo, hi))
			continue
		}
		s.prio, s.src = p, SourceDerived
		at, _ := slices.BinarySearch(used, p)
		used = slices.Insert(used, at, p)
	}

	placed := make([]*slot, 0, len(slots))
	for _, s := range slots {
		if s.src != "" {
			placed = append(placed, s)
		}
	}
	slices.SortFunc(placed, func(a, b *slot) int { return cmp.Or(cmp.Compare(a.prio, b.prio), cmp.Compare(a.r.Key, b.r.Key)) })
	asg := make([]Assignment, len(placed))
	out := make(map[string]Entry, len(entries)+len(placed))
	for i, s := range placed {
		asg[i] = Assignment{Rule: *s.r, Priority: s.prio, Source: s.src}
		out[s.r.Key] = Entry{Priority: s.prio}
	}
	for k, e := range entries {
		if _, ok := out[k]; !ok {
			if _, isLive := live[k]; !isLive {
				e.Retired = true
			}
			out[k] = e
		}
	}
	return asg, out
}

func posOf(live map[string]*slot, key string) ir.Pos {
	if s, ok := live[key]; ok {
		return s.r.Pos
	}
	return ir.Pos{}
}

// checkPair reports what is wrong with one pair of rules that can match the same
// request: an order that numbers the broader one first, or no order at all.
func checkPair(a, b *slot, r relation, errs *ir.Errors) {
	if !r.overlap() {
		return
	}
	both := a.explicit() && b.explicit()
	switch {
	case r.undecided():
		if !both {
			at, other := blame(a, b)
			errs.Add(&ir.Error{Code: ir.CodePriority, Pos: at.r.Pos, Msg: fmt.Sprintf("cannot decide whether listener rule %s or %s is narrower (the patterns are too complex): give them explicit priorities", a.r.Key, b.r.Key),
				Related: []ir.Related{{Pos: other.r.Pos, Msg: other.r.Key + " is here"}}})
		}
	case r.aNarrower():
		checkOrder(a, b, errs)
	case r.bNarrower():
		checkOrder(b, a, errs)
	case !both:
		at, other := blame(a, b)
		what := "can match the same request and neither is narrower"
		if r&(relAInB|relBInA) == relAInB|relBInA {
			what = "match the same requests"
		}
		give := "give " + at.r.Key + " an explicit priority"
		if !a.explicit() && !b.explicit() {
			give = "give them explicit priorities"
		}
		errs.Add(&ir.Error{Code: ir.CodePriority, Pos: at.r.Pos, Msg: fmt.Sprintf("listener rules %s and %s %s: %s to order them", a.r.Key, b.r.Key, what, give),
			Related: []ir.Related{{Pos: other.r.Pos, Msg: other.r.Key + " is here"}}})
	}
}

// blame picks the rule an ordering error is reported at: one whose number is not
// explicit, the later key when both are not.
func blame(a, b *slot) (at, other *slot) {
	if b.explicit() && !a.explicit() {
		return a, b
	}
	return b, a
}

// checkOrder reports narrow numbered after broad when both are already numbered.
func checkOrder(narrow, broad *slot, errs *ir.Errors) {
	if narrow.src == "" || broad.src == "" || narrow.prio < broad.prio || narrow.prio == broad.prio {
		return
	}
	msg := fmt.Sprintf("listener rule %s (priority %d) shadows the narrower %s (priority %d), which must have the smaller number", broad.r.Key, broad.prio, narrow.r.Key, narrow.prio)
	if !(narrow.explicit() && broad.explicit()) {
		msg += fmt.Sprintf("; riglet never moves a locked priority (%s %s, %s %s): give one of them an explicit priority", broad.r.Key, broad.src, narrow.r.Key, narrow.src)
	}
	errs.Add(&ir.Error{Code: ir.CodePriority, Pos: broad.r.Pos, Msg: msg,
		Related: []ir.Related{{Pos: narrow.r.Pos, Msg: fmt.Sprintf("%s is narrower", narrow.r.Key)}}})
}

func noRoom(s, loBy, hiBy *slot, lo, hi int) *ir.Error {
	e := &ir.Error{Code: ir.CodePriority, Pos: s.r.Pos}
	below, above := "the start of the listener", "the end of the listener"
	if loBy != nil {
		below = fmt.Sprintf("%s (priority %d)", loBy.r.Key, lo)
		e.Related = append(e.Related, ir.Related{Pos: loBy.r.Pos, Msg: loBy.r.Key + " is narrower"})
	}
	if hiBy != nil {
		above = fmt.Sprintf("%s (priority %d)", hiBy.r.Key, hi)
		e.Related = append(e.Related, ir.Related{Pos: hiBy.r.Pos, Msg: hiBy.r.Key + " is broader"})
	}
	e.Msg = fmt.Sprintf("no free priority for listener rule %s between %s and %s; riglet never renumbers live rules (CloudFormation would fail with PriorityInUse): give it an explicit priority and move a neighbour", s.r.Key, below, above)
	return e
}

// choose picks a free number strictly between lo and hi (hi = MaxPriority+1 when
// nothing bounds it from above), given the sorted numbers in use. It appends on the
// next multiple of Step above the highest number in use below hi, when that leaves a
// full Step of room under hi; otherwise it takes the middle of the largest free run
// between lo and hi, the highest of equal runs.
func choose(lo, hi int, used []int) (int, bool) {
	hi = min(hi, MaxPriority+1)
	if lo+1 >= hi {
		return 0, false
	}
	below := sort.SearchInts(used, hi) // used[:below] < hi
	m := lo
	if below > 0 {
		m = max(m, used[below-1])
	}
	if c := (m/Step + 1) * Step; c < hi && (hi == MaxPriority+1 || hi-c >= Step) {
		return c, true
	}
	from := sort.SearchInts(used, lo+1) // used[from:below] lie strictly between lo and hi
	best, bestA, bestB := 0, 0, 0
	a := lo
	for k := from; k <= below; k++ {
		b := hi
		if k < below {
			b = used[k]
		}
		if size := b - a - 1; size > 0 && size >= best {
			best, bestA, bestB = size, a, b
		}
		a = b
	}
	if best == 0 {
		return 0, false
	}
	return (bestA + bestB) / 2, true
}

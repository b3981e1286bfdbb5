package priority

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/riglet/riglet/ir"
)

var propListeners = []struct{ listener, lb string }{
	{"lb1/https", "lb1"}, {"lb1/http", "lb1"}, {"lb2/https", "lb2"},
}

func randPath(r *rand.Rand) string {
	var b strings.Builder
	for range 1 + r.IntN(3) {
		b.WriteByte('/')
		if r.IntN(6) == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte("abc"[r.IntN(3)])
		}
	}
	switch r.IntN(10) {
	case 0, 1, 2:
		return b.String() // exact
	case 3:
		return b.String() + "*"
	}
	return b.String() + "/*"
}

// randRule draws a rule from shapes that mostly nest (path prefixes, exact paths,
// host and path) and sometimes do not (host-only against path-only, explicit numbers),
// so that compiles both succeed and fail.
func randRule(r *rand.Rand, id int) Rule {
	l := propListeners[r.IntN(len(propListeners))]
	rule := Rule{Key: fmt.Sprintf("k%03d", id), Listener: l.listener, LoadBalancer: l.lb,
		TargetGroups: []string{fmt.Sprintf("tg%d", id%40)}, Pos: ir.Pos{File: ir.FileOf("riglets/p.yaml"), Line: int32(id + 1)}}
	switch n := r.IntN(20); {
	case n < 13:
		rule.Paths = []string{randPath(r)}
	case n < 17:
		rule.Hosts = []string{[]string{"x.example.com", "y.example.com", "X.Example.com"}[r.IntN(3)]}
		rule.Paths = []string{randPath(r)}
	case n < 18:
		rule.Hosts = []string{[]string{"x.example.com", "*.example.com"}[r.IntN(2)]}
	default:
		rule.Paths = []string{randPath(r), randPath(r)}
		rule.Other = r.IntN(2) == 0
	}
	if r.IntN(25) == 0 {
		rule.Explicit = 1 + r.IntN(MaxPriority)
	}
	return rule
}

// TestPropertyStable adds and removes rules at random over many compiles, feeding the
// lock back each time, and checks after every compile that succeeded: no surviving
// rule moved, numbers are unique per listener and in range, numbers the lock held
// (retired ones too) are never handed to another rule, every overlapping pair is in
// order, and nothing left the lock but by Prune.
func TestPropertyStable(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			live := map[string]Rule{}
			removed := map[string]Rule{}
			var lock *Lock
			next, accepted, rejected := 0, 0, 0
			for step := 0; step < 150; step++ {
				if step%40 == 39 {
					lock = Prune(lock, nil)
					clear(removed) // a pruned key coming back would be a new rule
				}
				proposed := map[string]Rule{}
				for k, v := range live {
					proposed[k] = v
				}
				keys := sortedKeys(proposed)
				for range r.IntN(3) {
					if len(keys) > 0 {
						delete(proposed, keys[r.IntN(len(keys))])
					}
				}
				for range 1 + r.IntN(3) {
					if rk := sortedKeys(removed); len(rk) > 0 && r.IntN(5) == 0 {
						k := rk[r.IntN(len(rk))]
						proposed[k] = removed[k]
						continue
					}
					next++
					rule := randRule(r, next)
					proposed[rule.Key] = rule
				}
				rules := make([]Rule, 0, len(proposed))
				for _, k := range sortedKeys(proposed) {
					rules = append(rules, proposed[k])
				}
				r.Shuffle(len(rules), func(i, j int) { rules[i], rules[j] = rules[j], rules[i] })

				asg, out, errs := Allocate(rules, lock)
				if len(errs) > 0 {
					rejected++
					for _, e := range errs {
						if strings.HasPrefix(e.Msg, "lock:") || strings.Contains(e.Msg, "used twice") {
							t.Fatalf("step %d: a lock of its own making is refused: %v", step, e)
						}
					}
					continue
				}
				accepted++
				checkCompile(t, step, rules, lock, asg, out)
				slices.Reverse(rules)
				asg2, out2, _ := Allocate(rules, lock)
				if diff := cmp.Diff(asg, asg2); diff != "" {
					t.Fatalf("step %d: input order changed the assignments:\n%s", step, diff)
				}
				if diff := cmp.Diff(out, out2); diff != "" {
					t.Fatalf("step %d: input order changed the lock:\n%s", step, diff)
				}
				for k, v := range live {
					if _, ok := proposed[k]; !ok {
						removed[k] = v
					}
				}
				for k := range proposed {
					delete(removed, k)
				}
				live, lock = proposed, out
			}
			t.Logf("%d compiles accepted, %d refused, %d rules live at the end", accepted, rejected, len(live))
			if accepted < 50 {
				t.Errorf("only %d of 150 compiles succeeded: the property is hardly tested", accepted)
			}
		})
	}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func checkCompile(t *testing.T, step int, rules []Rule, prev *Lock, asg []Assignment, out *Lock) {
	t.Helper()
	if len(asg) != len(rules) {
		t.Fatalf("step %d: %d assignments for %d rules", step, len(asg), len(rules))
	}
	taken := map[string]map[int]string{}
	for _, a := range asg {
		old, inLock := prev.Get(a.Listener, a.Key)
		switch {
		case a.Explicit > 0:
			if a.Priority != a.Explicit || a.Source != SourceExplicit {
				t.Errorf("step %d: %s explicit %d got %d %s", step, a.Key, a.Explicit, a.Priority, a.Source)
			}
		case inLock && old.Retired:
			// a returning rule keeps its old number when it still fits, else is placed
			// afresh (it was not live, so moving it cannot collide in AWS)
			if a.Source == SourceLocked && a.Priority != old.Priority {
				t.Errorf("step %d: returning %s locked at %d, not its old %d", step, a.Key, a.Priority, old.Priority)
			}
		case inLock:
			if a.Priority != old.Priority || a.Source != SourceLocked {
				t.Errorf("step %d: %s moved from %d to %d (%s)", step, a.Key, old.Priority, a.Priority, a.Source)
			}
		default:
			if a.Source != SourceDerived {
				t.Errorf("step %d: new %s has source %s", step, a.Key, a.Source)
			}
		}
		if a.Priority < MinPriority || a.Priority > MaxPriority {
			t.Errorf("step %d: %s has %d, out of range", step, a.Key, a.Priority)
		}
		if taken[a.Listener] == nil {
			taken[a.Listener] = map[int]string{}
		}
		if k, ok := taken[a.Listener][a.Priority]; ok {
			t.Errorf("step %d: %s and %s share %d on %s", step, k, a.Key, a.Priority, a.Listener)
		}
		taken[a.Listener][a.Priority] = a.Key
		if e := out.Listeners[a.Listener][a.Key]; e != (Entry{Priority: a.Priority}) {
			t.Errorf("step %d: lock entry of %s = %+v, want %d live", step, a.Key, e, a.Priority)
		}
	}
	if prev != nil {
		for l, m := range prev.Listeners {
			for k, e := range m {
				if owner, ok := taken[l][e.Priority]; ok && owner != k {
					if a := find(asg, l, owner); a.Source == SourceDerived {
						t.Errorf("step %d: %s got %d, which the lock held for %s (retired %v)", step, owner, e.Priority, k, e.Retired)
					}
				}
				now, ok := out.Listeners[l][k]
				if !ok {
					t.Errorf("step %d: %s left the lock without a prune", step, k)
				} else if find(asg, l, k).Key == "" && now != (Entry{Priority: e.Priority, Retired: true}) {
					t.Errorf("step %d: removed %s is %+v in the lock, was %+v", step, k, now, e)
				}
			}
		}
	}
	for i, a := range asg {
		for _, b := range asg[i+1:] {
			if a.Listener != b.Listener || !Overlaps(a.Rule, b.Rule) {
				continue
			}
			switch {
			case Narrower(a.Rule, b.Rule):
				if a.Priority > b.Priority {
					t.Errorf("step %d: narrower %s (%d) after %s (%d)", step, a.Key, a.Priority, b.Key, b.Priority)
				}
			case Narrower(b.Rule, a.Rule):
				if b.Priority > a.Priority {
					t.Errorf("step %d: narrower %s (%d) after %s (%d)", step, b.Key, b.Priority, a.Key, a.Priority)
				}
			case a.Explicit == 0 || b.Explicit == 0:
				t.Errorf("step %d: %s and %s overlap unordered without explicit numbers", step, a.Key, b.Key)
			}
		}
	}
}

func find(asg []Assignment, listener, key string) Assignment {
	for _, a := range asg {
		if a.Listener == listener && a.Key == key {
			return a
		}
	}
	return Assignment{}
}

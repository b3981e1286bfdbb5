package model

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/riglet/riglet/ir"
)

// TestRetiredStacks: over random stack graphs and removals, every stack the lock had and
// the compile no longer makes is retired, no live stack is, a retired stack comes before
// every retired stack it needs in the delete order, a stack back in the spec is live
// again, and the lock reads back as it was written.
func TestRetiredStacks(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for round := 0; round < 300; round++ {
		n := 1 + r.Intn(8)
		all := map[string]StackEntry{}
		for i := 0; i < n; i++ {
			var needs []string
			for j := 0; j < i; j++ { // a DAG: needs point to earlier stacks
				if r.Intn(3) == 0 {
					needs = append(needs, fmt.Sprintf("s%d", j))
				}
			}
			all[fmt.Sprintf("s%d", i)] = StackEntry{StackName: fmt.Sprintf("o-r-e-s%d", i), Needs: needs}
		}
		l := &Lock{}
		l.RecordStacks(map[string]map[string]StackEntry{"e": all})
		live := map[string]StackEntry{}
		for k, v := range all {
			if r.Intn(2) == 0 {
				live[k] = v
			}
		}
		l.RecordStacks(map[string]map[string]StackEntry{"e": live})
		order := l.RetiredStacks("e")
		pos := map[string]int{}
		for i, s := range order {
			pos[s.Name] = i
			if _, ok := live[s.Name]; ok {
				t.Fatalf("round %d: live stack %s retired", round, s.Name)
			}
			if s.StackName != all[s.Name].StackName {
				t.Fatalf("round %d: %s retired as %s, want its name %s", round, s.Name, s.StackName, all[s.Name].StackName)
			}
		}
		if len(order)+len(live) != len(all) {
			t.Fatalf("round %d: %d retired + %d live of %d stacks", round, len(order), len(live), len(all))
		}
		for _, s := range order {
			for _, d := range s.Needs {
				if p, ok := pos[d]; ok && p < pos[s.Name] {
					t.Fatalf("round %d: %s is deleted before %s, which needs it: %v", round, d, s.Name, order)
				}
			}
		}
		data := l.Marshal("riglets/r.yaml")
		var errs ir.Errors
		back := ParseLock("riglets/r.lock", data, &errs)
		if len(errs) > 0 || string(back.Marshal("riglets/r.yaml")) != string(data) {
			t.Fatalf("round %d: the lock does not read back (%v):\n%s", round, errs, data)
		}
		// the removed stacks come back: all live again, none retired
		l.RecordStacks(map[string]map[string]StackEntry{"e": all})
		if len(l.RetiredStacks("e")) != 0 {
			t.Fatalf("round %d: stacks back in the spec are still retired", round)
		}
	}
}

// TestRetiredStacksOfRemovedEnv: an env gone from the spec keeps its stacks, retired,
// until pruned; pruning one env leaves the others.
func TestRetiredStacksOfRemovedEnv(t *testing.T) {
	l := &Lock{}
	e := map[string]StackEntry{"app": {StackName: "o-r-x-app", Needs: []string{"base"}}, "base": {StackName: "o-r-x-base"}}
	l.RecordStacks(map[string]map[string]StackEntry{"x": e, "y": e})
	l.RecordStacks(map[string]map[string]StackEntry{"y": e})
	got := l.RetiredStacks("x")
	if len(got) != 2 || got[0].Name != "app" || got[1].Name != "base" {
		t.Fatalf("retired stacks of the removed env: %+v, want app then base", got)
	}
	pruned := l.PruneStacks([]string{"x"})
	if len(pruned["x"]) != 2 || l.Stacks["x"] != nil || len(l.Stacks["y"]) != 2 {
		t.Errorf("prune of x: %+v, left %+v", pruned, l.Stacks)
	}
	if !slices.Equal(l.Stacks["y"]["app"].Needs, []string{"base"}) {
		t.Errorf("live entries lost their needs: %+v", l.Stacks["y"])
	}
}

package priority

import (
	"fmt"
	"testing"

	"github.com/riglet/riglet/ir"
)

// benchRules makes n rules, 100 to a load balancer (its quota) on one listener each,
// the worst case for the pairwise checks. Even load balancers route by path (service
// prefixes, nested API prefixes, exact health paths, an explicit catch-all), odd ones
// by host (service hosts, host and path, a wildcard host).
func benchRules(n int) []Rule {
	var rules []Rule
	for lb := 0; len(rules) < n; lb++ {
		name := fmt.Sprintf("env/alb%02d", lb)
		listener := name + "/https"
		add := func(r Rule) {
			if len(rules) < n && len(rules) < (lb+1)*MaxRules {
				r.Key = fmt.Sprintf("%s/rule%03d", name, len(rules)%MaxRules)
				r.Listener, r.LoadBalancer = listener, name
				r.Pos = ir.Pos{File: ir.FileOf("riglets/bench.yaml"), Line: int32(len(rules) + 1)}
				rules = append(rules, r)
			}
		}
		if lb%2 == 0 {
			add(Rule{Paths: []string{"/*"}, Explicit: MaxPriority, TargetGroups: []string{"default"}})
		} else {
			add(Rule{Hosts: []string{"*.example.com"}, TargetGroups: []string{"default"}})
		}
		for s := 0; len(rules) < (lb+1)*MaxRules && len(rules) < n; s++ {
			tg := []string{fmt.Sprintf("svc%d", s)}
			if lb%2 == 0 {
				add(Rule{Paths: []string{fmt.Sprintf("/svc%d/*", s)}, TargetGroups: tg})
				if s%3 == 0 {
					add(Rule{Paths: []string{fmt.Sprintf("/svc%d/api/*", s), fmt.Sprintf("/svc%d/v?/*", s)}, TargetGroups: tg})
				}
				if s%4 == 0 {
					add(Rule{Paths: []string{fmt.Sprintf("/svc%d/health", s)}, TargetGroups: tg})
				}
			} else {
				host := fmt.Sprintf("svc%d.example.com", s)
				add(Rule{Hosts: []string{host}, TargetGroups: tg})
				if s%3 == 0 {
					add(Rule{Hosts: []string{host}, Paths: []string{"/api/*"}, TargetGroups: tg})
				}
			}
		}
	}
	return rules
}

func BenchmarkAllocate(b *testing.B) {
	for _, n := range []int{1250, 2500, 5000} {
		rules := benchRules(n)
		_, lock, errs := Allocate(rules, nil)
		if len(errs) > 0 {
			b.Fatalf("bench rules do not allocate: %v", errs[0])
		}
		b.Run(fmt.Sprintf("fresh/rules=%d", n), func(b *testing.B) {
			for b.Loop() {
				Allocate(rules, nil)
			}
		})
		b.Run(fmt.Sprintf("locked/rules=%d", n), func(b *testing.B) {
			for b.Loop() {
				Allocate(rules, lock)
			}
		})
	}
}

// TestBenchRules keeps the benchmark honest: its rules allocate without errors, in
// order, and the load balancers sit at their quota.
func TestBenchRules(t *testing.T) {
	rules := benchRules(5000)
	asg, _, errs := Allocate(rules, nil)
	if len(errs) > 0 {
		t.Fatalf("bench rules: %v", errs)
	}
	if len(asg) != 5000 {
		t.Fatalf("%d assignments", len(asg))
	}
	ordered := 0
	for i, a := range asg {
		for _, c := range asg[i+1:] {
			if c.Listener == a.Listener && Narrower(c.Rule, a.Rule) {
				t.Fatalf("%s (%d) before the narrower %s (%d)", a.Key, a.Priority, c.Key, c.Priority)
			}
			if c.Listener == a.Listener && Narrower(a.Rule, c.Rule) {
				ordered++
			}
		}
	}
	if ordered < 1000 {
		t.Errorf("only %d ordered pairs: the benchmark hardly exercises ordering", ordered)
	}
}

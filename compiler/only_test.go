package compiler_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
	"golang.org/x/tools/txtar"
)

var onlyEnvs = []string{"dev", "staging", "prod"}

// onlyStack is one service stack of a random riglet: a listener rule (s) and a queue
// (q), the catalogue alarming both; limited, when only is non-nil, to those envs, and
// one of its instances limited further (the other one keeps the stack never empty).
type onlyStack struct {
	only      []string // nil: every env
	inst      string   // "s" or "q": the instance limited by instOnly
	instOnly  []string // nil: not limited
	withQueue bool
}

type onlyRiglet []onlyStack

func (rg onlyRiglet) fs(lock []byte) fstest.MapFS {
	var b strings.Builder
	b.WriteString("riglet: pr\nowner: acme\nenvs: [dev, staging, prod]\nstacks:\n  front:\n    blocks:\n      lb: {block: lb}\n")
	list := func(envs []string) string { return "[" + strings.Join(envs, ", ") + "]" }
	for i, st := range rg {
		fmt.Fprintf(&b, "  svc%d:\n", i)
		if st.only != nil {
			fmt.Fprintf(&b, "    only: %s\n", list(st.only))
		}
		b.WriteString("    blocks:\n")
		for _, in := range []string{"s", "q"} {
			if in == "q" && !st.withQueue {
				continue
			}
			if in == "s" {
				fmt.Fprintf(&b, "      s:\n        block: svc\n        params: {Path: %q}\n", paths[i%len(paths)])
			} else {
				b.WriteString("      q:\n        block: q\n")
			}
			if st.inst == in && st.instOnly != nil {
				fmt.Fprintf(&b, "        only: %s\n", list(st.instOnly))
			}
		}
	}
	fsys := fstest.MapFS{
		"riglets/pr.yaml":       {Data: []byte(b.String())},
		"blocks/lb/block.yaml":  {Data: []byte(lbBlock)},
		"blocks/svc/block.yaml": {Data: []byte(svcBlock)},
		"blocks/q/block.yaml":   {Data: []byte(queueBlock)},
	}
	for _, e := range onlyEnvs {
		fsys["envs/"+e+".yaml"] = &fstest.MapFile{Data: []byte("env: " + e + "\naccount: \"111122223333\"\nregion: us-east-1\nazs: [us-east-1a, us-east-1b]\nalarms: {thresholds: {SqsQueueDepth: 100}}\n")}
	}
	if lock != nil {
		fsys["riglets/pr.lock"] = &fstest.MapFile{Data: lock}
	}
	return fsys
}

// in reports whether instance in of stack i exists in env.
func (rg onlyRiglet) in(i int, in, env string) bool {
	st := rg[i]
	if in == "q" && !st.withQueue || st.only != nil && !slices.Contains(st.only, env) {
		return false
	}
	return st.inst != in || st.instOnly == nil || slices.Contains(st.instOnly, env)
}

func randSubset(r *rand.Rand, of []string) []string {
	for {
		var out []string
		for _, e := range of {
			if r.IntN(2) == 0 {
				out = append(out, e)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
}

func randOnlyRiglet(r *rand.Rand) onlyRiglet {
	rg := make(onlyRiglet, 2+r.IntN(5))
	for i := range rg {
		st := onlyStack{inst: []string{"s", "q"}[r.IntN(2)], withQueue: true}
		if r.IntN(2) == 0 {
			st.only = randSubset(r, onlyEnvs)
		}
		if r.IntN(3) > 0 {
			within := onlyEnvs
			if st.only != nil {
				within = st.only
			}
			st.instOnly = randSubset(r, within)
		}
		rg[i] = st
	}
	return rg
}

// widen adds one env to one only: (or drops the only:, which is every env), keeping
// an instance's within its stack's; false when nothing is left to widen.
func (rg onlyRiglet) widen(r *rand.Rand) (onlyRiglet, string, bool) {
	out := slices.Clone(rg)
	for _, i := range r.Perm(len(rg)) {
		st := out[i]
		if st.only != nil && r.IntN(2) == 0 {
			missing := slices.DeleteFunc(slices.Clone(onlyEnvs), func(e string) bool { return slices.Contains(st.only, e) })
			if len(missing) == 0 || r.IntN(4) == 0 {
				st.only = nil
			} else {
				st.only = append(slices.Clone(st.only), missing[r.IntN(len(missing))])
			}
			out[i] = st
			return out, fmt.Sprintf("stack svc%d only: %v", i, st.only), true
		}
		if st.instOnly != nil {
			within := onlyEnvs
			if st.only != nil {
				within = st.only
			}
			missing := slices.DeleteFunc(slices.Clone(within), func(e string) bool { return slices.Contains(st.instOnly, e) })
			if len(missing) == 0 {
				st.instOnly = nil
			} else {
				st.instOnly = append(slices.Clone(st.instOnly), missing[r.IntN(len(missing))])
			}
			out[i] = st
			return out, fmt.Sprintf("svc%d.%s only: %v", i, st.inst, st.instOnly), true
		}
	}
	return rg, "", false
}

// checkPresence asserts that an instance absent in an env has nothing there (no
// resources, alarms, listener rule priorities, lock entries, stack) and that a present
// one has its resources, so that the check cannot pass by finding nothing anywhere.
// fresh: the lock was written from nothing, so that even retired entries are wrong.
func checkPresence(t *testing.T, rg onlyRiglet, res *compiler.Result, fresh bool, what string) {
	t.Helper()
	for _, er := range res.Envs {
		env := er.Env
		stacks := map[string]*compiler.StackResult{}
		for _, s := range er.Stacks {
			stacks[s.Name] = s
		}
		for i := range rg {
			name := fmt.Sprintf("svc%d", i)
			st := stacks[name]
			stackIn := rg.in(i, "s", env) || rg.in(i, "q", env)
			if (st != nil) != stackIn {
				t.Fatalf("%s: env %s: stack %s compiled %v, exists %v", what, env, name, st != nil, stackIn)
			}
			if lst, ok := res.Lock.Stacks[env][name]; ok && (!stackIn && (fresh || !lst.Retired) || stackIn && lst.Retired) {
				t.Fatalf("%s: env %s: the lock has stack %s as %+v, which exists %v", what, env, name, lst, stackIn)
			}
			for _, in := range []string{"s", "q"} {
				path := name + "." + in
				prefix := model.Pascal(in)
				n := 0
				if st != nil {
					for _, r := range st.Template.Get("Resources").Pairs {
						if strings.HasPrefix(r.Key, prefix) {
							n++
						}
					}
					for id, o := range st.Origins {
						if !rg.in(i, in, env) && (o.Instance == path || strings.HasPrefix(o.Instance, path+".")) {
							t.Fatalf("%s: env %s: %s is absent but %s has resource %s from it", what, env, path, name, id)
						}
					}
				}
				if rg.in(i, in, env) != (n > 0) {
					t.Fatalf("%s: env %s: %s exists %v but has %d resources", what, env, path, rg.in(i, in, env), n)
				}
				if rg.in(i, in, env) {
					continue
				}
				for _, a := range er.Alarms {
					if a.Instance == path || strings.HasPrefix(a.Instance, path+".") {
						t.Fatalf("%s: env %s: absent %s has alarm %s", what, env, path, a.Alarm)
					}
				}
				for _, a := range er.Priorities {
					if strings.HasPrefix(a.Key, name+"/"+prefix) {
						t.Fatalf("%s: env %s: absent %s has priority %d", what, env, path, a.Priority)
					}
				}
				for l, rules := range res.Lock.Priorities[env] {
					for key, e := range rules {
						if strings.HasPrefix(key, name+"/"+prefix) && (fresh || !e.Retired) {
							t.Fatalf("%s: env %s: absent %s has lock entry %s %s %+v", what, env, path, l, key, e)
						}
					}
				}
			}
		}
	}
}

// TestOnlyProperties compiles random riglets whose stacks and instances are limited to
// some envs: what is absent in an env has nothing there; widening one only: (the lock
// fed back) moves no CIDR, no priority and no other resource; narrowing it back
// retires what the widening added, still moving nothing.
func TestOnlyProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 3))
	widened := 0
	for run := 0; run < 40; run++ {
		rg := randOnlyRiglet(r)
		res1, err := compiler.Compile(rg.fs(nil), builtinAlarms, "riglets/pr.yaml", compiler.Options{})
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, rg.fs(nil)["riglets/pr.yaml"].Data)
		}
		checkPresence(t, rg, res1, true, fmt.Sprintf("run %d", run))
		lock1 := res1.Lock.Marshal("riglets/pr.yaml")
		wide, what, ok := rg.widen(r)
		if !ok {
			continue
		}
		widened++
		res2, err := compiler.Compile(wide.fs(lock1), builtinAlarms, "riglets/pr.yaml", compiler.Options{})
		if err != nil {
			t.Fatalf("run %d, widened %s: %v", run, what, err)
		}
		label := fmt.Sprintf("run %d, widened %s", run, what)
		checkPresence(t, wide, res2, false, label)
		movesNothing(t, res1, res2, label)
		// narrowing back retires what the widening added and moves nothing either
		lock2 := res2.Lock.Marshal("riglets/pr.yaml")
		res3, err := compiler.Compile(rg.fs(lock2), builtinAlarms, "riglets/pr.yaml", compiler.Options{})
		if err != nil {
			t.Fatalf("run %d, narrowed back: %v", run, err)
		}
		checkPresence(t, rg, res3, false, label+", then narrowed back")
		movesNothing(t, res1, res3, label+", then narrowed back")
	}
	if widened < 20 {
		t.Fatalf("only %d runs widened an only:", widened)
	}
}

// movesNothing asserts that every CIDR, priority and resource of before is in after
// as it was: the lock's network whole, every rule's number, every resource's body.
func movesNothing(t *testing.T, before, after *compiler.Result, what string) {
	t.Helper()
	network := func(l *model.Lock) string {
		return string((&model.Lock{Network: l.Network}).Marshal("riglets/pr.yaml"))
	}
	if d := cmp.Diff(network(before.Lock), network(after.Lock)); d != "" {
		t.Fatalf("%s: the network moved (-before +after):\n%s", what, d)
	}
	for env, ls := range before.Lock.Priorities {
		for l, rules := range ls {
			for key, e := range rules {
				if got, ok := after.Lock.Priorities[env][l][key]; !ok || got.Priority != e.Priority {
					t.Fatalf("%s: env %s: %s moved from %d to %+v", what, env, key, e.Priority, got)
				}
			}
		}
	}
	for i, er := range before.Envs {
		stacks := map[string]*compiler.StackResult{}
		for _, s := range after.Envs[i].Stacks {
			stacks[s.Name] = s
		}
		for _, s := range er.Stacks {
			a := stacks[s.Name]
			if a == nil {
				t.Fatalf("%s: env %s: stack %s is gone", what, er.Env, s.Name)
			}
			for _, r := range s.Template.Get("Resources").Pairs {
				if got := a.Template.Get("Resources").Get(r.Key); got == nil || !ir.Equal(got, r.Value) {
					t.Fatalf("%s: env %s: resource %s of %s changed or went", what, er.Env, r.Key, s.Name)
				}
			}
		}
	}
}

// An !Output to an instance some envs lack is one error for those envs, coded as
// wiring, at the reference, pointing at the only: that leaves them out; the env that
// has the instance compiles it.
func TestOnlyWiringErrorNamesTheEnvs(t *testing.T) {
	ar, err := txtar.ParseFile("testdata/compile/errors-only.txtar")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, f := range ar.Files {
		fsys[f.Name] = &fstest.MapFile{Data: f.Data}
	}
	_, err = compiler.Compile(fsys, builtinAlarms, "riglets/bad.yaml", compiler.Options{})
	var errs ir.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want ir.Errors, got %v", err)
	}
	var found *ir.Error
	for _, e := range errs {
		if e.Pos.Line == 22 && strings.HasPrefix(e.Msg, "!Output waf.acl.Value") {
			if found != nil {
				t.Fatalf("two errors for one reference:\n%v\n%v", found, e)
			}
			found = e
		}
	}
	if found == nil {
		t.Fatalf("no error at the !Output of waf.acl:\n%v", err)
	}
	if found.Code != ir.CodeWiring || !slices.Equal(found.Envs, []string{"dev", "staging"}) ||
		len(found.Related) != 1 || found.Related[0].Pos.Line != 6 {
		t.Fatalf("got %s %v %+v, want wiring in dev and staging, related to the only: at line 6", found.Code, found.Envs, found.Related)
	}
}

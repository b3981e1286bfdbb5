package compiler_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/compiler"
)

// externalFS is a riglet whose services attach to listeners it does not own, each
// listener written the same way in two stacks.
func externalFS(listener string, lock []byte) fstest.MapFS {
	var b strings.Builder
	b.WriteString("riglet: ext\nowner: acme\nenvs: [dev]\nstacks:\n")
	for i, p := range []string{"/b/*", "/b/v2/*", "/c"} {
		fmt.Fprintf(&b, "  svc%d:\n    blocks:\n      s: {block: svc, params: {Path: %q, ListenerArn: %s}}\n", i, p, listener)
	}
	fsys := fstest.MapFS{
		"envs/dev.yaml":         {Data: []byte("env: dev\naccount: \"111122223333\"\nregion: us-east-1\nazs: [us-east-1a, us-east-1b]\ncidr: 10.4.0.0/16\nalarms: {profile: none}\n")},
		"riglets/ext.yaml":      {Data: []byte(b.String())},
		"blocks/svc/block.yaml": {Data: []byte(svcBlock)},
	}
	if lock != nil {
		fsys["riglets/ext.lock"] = &fstest.MapFile{Data: lock}
	}
	return fsys
}

// Rules on one listener value share one numbering whatever stack they are in: the
// narrower /b/v2/* comes before /b/*, no two share a number, and the lock keys the
// listener by its value and reads back as written.
func TestExternalListenersShareNumbering(t *testing.T) {
	for _, l := range []struct{ spec, key string }{
		{`"arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/edge/50dc6c495c0c9188/f2f7dc8efc522ab2"`, "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/edge/50dc6c495c0c9188/f2f7dc8efc522ab2"},
		{`"{{resolve:ssm:/shared/edge/listener}}"`, "{{resolve:ssm:/shared/edge/listener}}"},
		{`!ImportValue shared-edge-listener`, "shared-edge-listener"},
	} {
		res, err := compiler.Compile(externalFS(l.spec, nil), builtinAlarms, "riglets/ext.yaml", compiler.Options{})
		if err != nil {
			t.Fatalf("%s: %v", l.spec, err)
		}
		byPath := map[string]int{}
		seen := map[int]string{}
		for _, a := range res.Envs[0].Priorities {
			if k, ok := seen[a.Priority]; ok {
				t.Errorf("%s: %s and %s both have priority %d", l.spec, k, a.Key, a.Priority)
			}
			seen[a.Priority] = a.Key
			byPath[a.Paths[0]] = a.Priority
		}
		if len(byPath) != 3 || byPath["/b/v2/*"] >= byPath["/b/*"] {
			t.Errorf("%s: /b/v2/* must come before /b/*: %v", l.spec, byPath)
		}
		lock := res.Lock.Marshal("riglets/ext.yaml")
		if !strings.Contains(string(lock), l.key) {
			t.Errorf("%s: the lock does not key the listener by its value:\n%s", l.spec, lock)
		}
		again, err := compiler.Compile(externalFS(l.spec, lock), builtinAlarms, "riglets/ext.yaml", compiler.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := again.Lock.Marshal("riglets/ext.yaml"); string(got) != string(lock) {
			t.Errorf("%s: the lock does not round-trip:\n%s\nthen\n%s", l.spec, lock, got)
		}
	}
}

// oracleSvc is one service of the edit-sequence property test.
type oracleSvc struct {
	id         int
	host, path string
	explicit   int
	external   bool
}

func editSpec(svcs []oracleSvc) string {
	var b strings.Builder
	b.WriteString("riglet: or\nowner: acme\nenvs: [dev]\nstacks:\n  front:\n    blocks:\n      lb: {block: lb}\n")
	for _, s := range svcs {
		block, params := "svc", []string{}
		if s.host != "" {
			block = "hsvc"
			params = append(params, fmt.Sprintf("Host: %q", s.host))
		}
		if s.path != "" {
			params = append(params, fmt.Sprintf("Path: %q", s.path))
		}
		if s.explicit > 0 {
			params = append(params, fmt.Sprintf("Priority: %d", s.explicit))
		}
		if s.external {
			params = append(params, fmt.Sprintf("ListenerArn: %q", externalArn))
		}
		fmt.Fprintf(&b, "  svc%d:\n    blocks:\n      s: {block: %s, params: {%s}}\n", s.id, block, strings.Join(params, ", "))
	}
	return b.String()
}

// TestEditsNeverMoveLockedPriorities applies random sequences of edits (insert a
// service anywhere, remove one, re-order two, change a path or a host, give or take
// an explicit priority) with the written lock fed back. A compile either fails (and
// the edit is undone, as a user would) or keeps every live locked priority, except
// the one rule whose explicit priority the edit changed; and every listener it
// writes routes each probe to the narrowest rule (the ALB oracle).
func TestEditsNeverMoveLockedPriorities(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 5))
	var st oracleStats
	applied, undone, checked := 0, 0, 0
	draw := func(id int) oracleSvc {
		s := oracleSvc{id: id, external: r.IntN(5) == 0}
		switch k := r.IntN(10); {
		case k < 6:
			s.path = oraclePaths[r.IntN(len(oraclePaths))]
		case k < 8:
			s.host = oracleHosts[r.IntN(len(oracleHosts))]
		default:
			s.host, s.path = oracleHosts[r.IntN(len(oracleHosts))], oraclePaths[r.IntN(len(oraclePaths))]
		}
		return s
	}
	for run := 0; run < 12; run++ {
		var svcs []oracleSvc
		var lock []byte
		live := map[string]int{} // key -> priority of the last successful compile
		next := 0
		for step := 0; step < 40; step++ {
			was := slices.Clone(svcs)
			changed := "" // the key whose explicit priority this edit changes
			switch k := r.IntN(10); {
			case k < 4 || len(svcs) < 2:
				i := r.IntN(len(svcs) + 1)
				svcs = slices.Insert(svcs, i, draw(next))
				next++
			case k < 5:
				i := r.IntN(len(svcs))
				svcs = slices.Delete(svcs, i, i+1)
			case k < 7:
				i, j := r.IntN(len(svcs)), r.IntN(len(svcs))
				svcs[i], svcs[j] = svcs[j], svcs[i]
			case k < 9:
				i := r.IntN(len(svcs))
				d := draw(svcs[i].id)
				d.explicit, d.external = svcs[i].explicit, svcs[i].external
				if (svcs[i].host == "") == (d.host == "") { // the block stays the same
					svcs[i] = d
				}
			default:
				i := r.IntN(len(svcs))
				if svcs[i].explicit > 0 {
					svcs[i].explicit = 0
				} else {
					svcs[i].explicit = 1 + r.IntN(900)
				}
				changed = fmt.Sprintf("svc%d/SRule", svcs[i].id)
			}
			spec := editSpec(svcs)
			fsys := fstest.MapFS{
				"envs/dev.yaml":          {Data: []byte("env: dev\naccount: \"111122223333\"\nregion: us-east-1\nazs: [us-east-1a, us-east-1b]\ncidr: 10.4.0.0/16\nalarms: {profile: none}\n")},
				"riglets/or.yaml":        {Data: []byte(spec)},
				"blocks/lb/block.yaml":   {Data: []byte(lbBlock)},
				"blocks/svc/block.yaml":  {Data: []byte(svcBlock)},
				"blocks/hsvc/block.yaml": {Data: []byte(hostSvcBlock)},
			}
			if lock != nil {
				fsys["riglets/or.lock"] = &fstest.MapFile{Data: lock}
			}
			res, err := compiler.Compile(fsys, builtinAlarms, "riglets/or.yaml", compiler.Options{})
			if err != nil {
				svcs = was
				undone++
				continue
			}
			applied++
			got := map[string]int{}
			for _, a := range res.Envs[0].Priorities {
				got[a.Key] = a.Priority
			}
			for key, p := range live {
				if q, ok := got[key]; ok && q != p && key != changed {
					t.Fatalf("run %d step %d: %s moved from %d to %d\n%s", run, step, key, p, q, spec)
				}
				if _, ok := got[key]; ok {
					checked++
				}
			}
			checkListeners(t, fmt.Sprintf("run %d step %d:\n%s", run, step, spec), res.Envs[0].Priorities, &st)
			live, lock = got, res.Lock.Marshal("riglets/or.yaml")
		}
	}
	if applied < 200 || checked < 800 {
		t.Fatalf("too few edits compiled (%d applied, %d undone, %d locked priorities checked)", applied, undone, checked)
	}
	t.Logf("%d edits applied, %d undone, %d locked priorities checked, %+v", applied, undone, checked, st)
}

// Two listeners of one load balancer riglet does not own share its quota of 100
// rules: their ARNs name the load balancer.
func TestExternalListenersShareTheQuota(t *testing.T) {
	var b strings.Builder
	b.WriteString("riglet: ext\nowner: acme\nenvs: [dev]\nstacks:\n")
	for i := range 101 {
		arn := "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/edge/50dc6c495c0c9188/" + []string{"aaaa", "bbbb"}[i%2]
		fmt.Fprintf(&b, "  svc%d:\n    blocks:\n      s: {block: svc, params: {Path: \"/s%d/*\", ListenerArn: %q}}\n", i, i, arn)
	}
	fsys := externalFS(`""`, nil)
	fsys["riglets/ext.yaml"] = &fstest.MapFile{Data: []byte(b.String())}
	_, err := compiler.Compile(fsys, builtinAlarms, "riglets/ext.yaml", compiler.Options{})
	want := "load balancer arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/edge/50dc6c495c0c9188 has 101 listener rules"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("want %q, got %v", want, err)
	}
}

package compiler_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/ir"
)

const lbBlock = `Resources:
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [subnet-1, subnet-2]
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
      Port: 80
      Protocol: HTTP
      DefaultActions:
        - Type: fixed-response
          FixedResponseConfig: {StatusCode: "404"}
Outputs:
  ListenerArn:
    Value: !Ref Listener
  LoadBalancerFullName:
    Value: !GetAtt Lb.LoadBalancerFullName
`

const svcBlock = `Metadata:
  Riglet:
    Wiring: {ListenerArn: lb.ListenerArn}
    Derived: {Priority: listener.priority}
Parameters:
  ListenerArn: {Type: String}
  Path: {Type: String}
  Priority: {Type: Number}
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
        - Field: path-pattern
          PathPatternConfig: {Values: [!Ref Path]}
`

// paths are nested so that order matters: /a/b/* must come before /a/*.
var paths = []string{"/*", "/a/*", "/a/b/*", "/a/b/c", "/b/*", "/b/c/*", "/c", "/d/*", "/d/e/*", "/e/*", "/a/x/*", "/b/y"}

func stabilityFS(services map[int]bool, lock []byte) fstest.MapFS {
	var b strings.Builder
	b.WriteString("riglet: st\nowner: acme\nenvs: [dev]\nstacks:\n  front:\n    blocks:\n      lb: {block: lb}\n")
	ids := make([]int, 0, len(services))
	for id := range services {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		fmt.Fprintf(&b, "  svc%d:\n    blocks:\n      s: {block: svc, params: {Path: %q}}\n", id, paths[id])
	}
	fsys := fstest.MapFS{
		"envs/dev.yaml":         {Data: []byte("env: dev\naccount: \"111122223333\"\nregion: us-east-1\nazs: [us-east-1a, us-east-1b]\ncidr: 10.4.0.0/16\nalarms: {profile: none}\n")},
		"riglets/st.yaml":       {Data: []byte(b.String())},
		"blocks/lb/block.yaml":  {Data: []byte(lbBlock)},
		"blocks/svc/block.yaml": {Data: []byte(svcBlock)},
	}
	if lock != nil {
		fsys["riglets/st.lock"] = &fstest.MapFile{Data: lock}
	}
	return fsys
}

// TestPrioritiesNeverMove compiles over and over, adding and removing services at
// random and feeding the written lock back: no surviving rule's priority may move,
// narrower paths always get smaller numbers, and the lock reads back as written.
func TestPrioritiesNeverMove(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for run := 0; run < 20; run++ {
		services := map[int]bool{}
		var lock []byte
		prev := map[string]int{}
		for step := 0; step < 25; step++ {
			id := r.IntN(len(paths))
			if services[id] && r.IntN(3) == 0 {
				delete(services, id)
			} else {
				services[id] = true
			}
			res, err := compiler.Compile(stabilityFS(services, lock), builtinAlarms, "riglets/st.yaml", compiler.Options{})
			if err != nil {
				t.Fatalf("run %d step %d: %v", run, step, err)
			}
			got := map[string]int{}
			byPath := map[string]int{}
			for _, a := range res.Envs[0].Priorities {
				got[a.Key] = a.Priority
				byPath[a.Paths[0]] = a.Priority
			}
			for key, p := range prev {
				if q, ok := got[key]; ok && q != p {
					t.Fatalf("run %d step %d: %s moved from %d to %d", run, step, key, p, q)
				}
			}
			for a, pa := range byPath {
				for b, pb := range byPath {
					if a != b && strings.HasPrefix(strings.TrimSuffix(a, "*"), strings.TrimSuffix(b, "*")) && strings.HasSuffix(b, "*") && pa > pb {
						t.Fatalf("run %d step %d: %s (%d) is narrower than %s (%d) but comes later", run, step, a, pa, b, pb)
					}
				}
			}
			newLock := res.Lock.Marshal("riglets/st.yaml")
			// the lock round-trips: compiling with it changes nothing
			again, err := compiler.Compile(stabilityFS(services, newLock), builtinAlarms, "riglets/st.yaml", compiler.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if string(again.Lock.Marshal("riglets/st.yaml")) != string(newLock) {
				t.Fatalf("run %d step %d: the lock does not round-trip:\n%s", run, step, newLock)
			}
			prev = got // rules removed in this step may come back with a new number
			lock = newLock
		}
	}
}

// A rule removed from the spec keeps its number, retired, so that no new rule takes
// a priority that may still be live in AWS.
func TestRetiredPrioritiesStayReserved(t *testing.T) {
	res, err := compiler.Compile(stabilityFS(map[int]bool{1: true, 4: true}, nil), builtinAlarms, "riglets/st.yaml", compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	lock := res.Lock.Marshal("riglets/st.yaml")
	res, err = compiler.Compile(stabilityFS(map[int]bool{4: true, 7: true}, lock), builtinAlarms, "riglets/st.yaml", compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := string(res.Lock.Marshal("riglets/st.yaml"))
	if !strings.Contains(l, "svc1/SRule: {priority: ") || !strings.Contains(l, "retired: true") {
		t.Fatalf("svc1's rule is not retired in the lock:\n%s", l)
	}
	retired := 0
	for _, line := range strings.Split(l, "\n") {
		if strings.Contains(line, "svc1/SRule") {
			retired, _ = strconv.Atoi(strings.TrimSuffix(strings.Fields(line)[2], ","))
		}
	}
	for _, a := range res.Envs[0].Priorities {
		if a.Priority == retired {
			t.Fatalf("%s took retired priority %d", a.Key, retired)
		}
	}
	var _ ir.Pos
}

package compiler_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

const netQueueBlock = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"

type netEnv struct {
	name string
	azs  []string
	cidr string // explicit, or ""
}

func networkFS(envs []netEnv, appSize int, lock []byte) fstest.MapFS {
	names := make([]string, len(envs))
	fsys := fstest.MapFS{"blocks/q/block.yaml": {Data: []byte(netQueueBlock)}}
	for i, e := range envs {
		names[i] = e.name
		f := fmt.Sprintf("env: %s\naccount: \"111122223333\"\nregion: us-east-1\nazs: [%s]\nalarms: {profile: none}\n", e.name, strings.Join(e.azs, ", "))
		if e.cidr != "" {
			f += "cidr: " + e.cidr + "\n"
		}
		fsys["envs/"+e.name+".yaml"] = &fstest.MapFile{Data: []byte(f)}
	}
	spec := fmt.Sprintf("riglet: nw\nowner: acme\nenvs: [%s]\nnetwork:\n  tiers: {public: 24, app: %d, db: 24}\nstacks:\n  base:\n    blocks:\n      q: {block: q}\n",
		strings.Join(names, ", "), appSize)
	fsys["riglets/nw.yaml"] = &fstest.MapFile{Data: []byte(spec)}
	if lock != nil {
		fsys["riglets/nw.lock"] = &fstest.MapFile{Data: lock}
	}
	return fsys
}

// TestNetworkNeverMoves compiles random edits (envs inserted, removed and re-ordered,
// AZs added, removed and re-ordered, the app tier resized) through compiler.Compile,
// feeding the written lock back: no allocation the lock holds in use ever changes, and
// nothing it retired is handed to another env or AZ.
func TestNetworkNeverMoves(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	allEnvs := []string{"alpha", "beta", "gamma", "delta"}
	allAZs := []string{"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"}
	steps, crowded, retiredSeen := 0, 0, 0
	for run := 0; run < 15; run++ {
		var lock []byte
		for step := 0; step < 12; step++ {
			var envs []netEnv
			for _, n := range allEnvs {
				if r.IntN(4) == 0 {
					continue
				}
				azs := slices.Clone(allAZs)
				r.Shuffle(len(azs), func(i, j int) { azs[i], azs[j] = azs[j], azs[i] })
				envs = append(envs, netEnv{name: n, azs: azs[:2+r.IntN(3)]})
			}
			if len(envs) == 0 {
				continue
			}
			r.Shuffle(len(envs), func(i, j int) { envs[i], envs[j] = envs[j], envs[i] })
			appSize := 20 + r.IntN(2)
			res, err := compiler.Compile(networkFS(envs, appSize, lock), builtinAlarms, "riglets/nw.yaml", compiler.Options{})
			steps++
			if err != nil {
				// Only a slot crowded by retired subnets (an AZ swapped for another in one
				// change) may fail; the user deploys it in two steps with a prune between.
				if !strings.Contains(err.Error(), "riglet lock prune") {
					t.Fatalf("run %d step %d: %v", run, step, err)
				}
				crowded++
				continue
			}
			var errs ir.Errors
			old := model.ParseLock("riglets/nw.lock", lock, &errs)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			now := res.Lock.Network
			for name, oe := range old.Network.Envs {
				ne := now.Envs[name]
				if ne == nil || ne.CIDR != oe.CIDR {
					t.Fatalf("run %d step %d: env %s VPC %s moved or vanished: %+v", run, step, name, oe.CIDR, ne)
				}
				if oe.Retired {
					retiredSeen++
				}
				for other, o2 := range now.Envs {
					if other != name && o2.CIDR.Overlaps(oe.CIDR) {
						t.Fatalf("run %d step %d: env %s got env %s's VPC %s", run, step, other, name, oe.CIDR)
					}
				}
				for tier, byAZ := range oe.Subnets {
					for az, p := range byAZ {
						q, inUse := ne.Subnets[tier][az]
						if inUse && q != p || !inUse && ne.RetiredSubnets[tier][az] != p && !ne.Retired {
							t.Fatalf("run %d step %d: %s %s/%s %s is now in use as %s, retired as %s", run, step, name, tier, az, p, q, ne.RetiredSubnets[tier][az])
						}
					}
				}
				for tier, byAZ := range oe.RetiredSubnets {
					for az, p := range byAZ {
						retiredSeen++
						for t2, m := range ne.Subnets {
							for az2, q := range m {
								if q.Overlaps(p) && (t2 != tier || az2 != az) {
									t.Fatalf("run %d step %d: %s %s/%s took retired %s of %s/%s", run, step, name, t2, az2, p, tier, az)
								}
							}
						}
					}
				}
			}
			lock = res.Lock.Marshal("riglets/nw.yaml")
			// the written lock reads back as written: compiling with it changes nothing
			again, err := compiler.Compile(networkFS(envs, appSize, lock), builtinAlarms, "riglets/nw.yaml", compiler.Options{})
			if err != nil || string(again.Lock.Marshal("riglets/nw.yaml")) != string(lock) {
				t.Fatalf("run %d step %d: the lock does not round-trip (%v):\n%s", run, step, err, lock)
			}
		}
	}
	if retiredSeen == 0 || crowded > steps/4 {
		t.Errorf("%d steps, %d crowded, %d retired allocations seen: the generator tests too little", steps, crowded, retiredSeen)
	}
	t.Logf("%d steps, %d crowded, %d retired allocations seen", steps, crowded, retiredSeen)
}

// An explicit cidr equal to another env's locked VPC is an error at the env file's line,
// related to the lock's line, and the lock does not move.
func TestExplicitCIDROverLockedVPC(t *testing.T) {
	envs := []netEnv{{name: "alpha", azs: []string{"us-east-1a", "us-east-1b"}}}
	res, err := compiler.Compile(networkFS(envs, 20, nil), builtinAlarms, "riglets/nw.yaml", compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	lock := res.Lock.Marshal("riglets/nw.yaml")
	envs = append(envs, netEnv{name: "beta", azs: []string{"us-east-1a", "us-east-1b"}, cidr: res.Lock.Network.Envs["alpha"].CIDR.String()})
	_, err = compiler.Compile(networkFS(envs, 20, lock), builtinAlarms, "riglets/nw.yaml", compiler.Options{})
	var found *ir.Error
	if es, ok := err.(ir.Errors); ok {
		for _, e := range es {
			if e.Code == ir.CodeNetwork {
				found = e
			}
		}
	}
	if found == nil {
		t.Fatalf("no network error: %v", err)
	}
	if found.Pos.File.String() != "envs/beta.yaml" || found.Pos.Line != 6 || !strings.Contains(found.Msg, `env "beta" cidr 10.0.0.0/16 overlaps env "alpha"'s locked VPC 10.0.0.0/16`) {
		t.Errorf("error = %v", found)
	}
	if len(found.Related) != 1 || found.Related[0].Pos.File.String() != "riglets/nw.lock" || found.Related[0].Pos.Line != 5 {
		t.Errorf("related = %+v, want the lock's cidr line", found.Related)
	}
}

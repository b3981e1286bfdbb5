package lint

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
)

// TestTierCapacity lints generated riglets: built-in ecs-services with random
// DesiredCounts, some scaled by autoscale to a random MaxCapacity, some in the public
// tier, and a service of the user's own with a random MaximumPercent in the app
// tier, over tiers of random sizes and one to three AZs. NET006 fires for a tier
// exactly when a count made here, from the generated numbers alone, exceeds the
// tier's usable addresses, and says both numbers.
func TestTierCapacity(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 6))
	fired, quiet, publicOver := 0, 0, 0
	for iter := 0; iter < 40; iter++ {
		azs := 1 + r.IntN(3)
		size := map[string]int{"public": 24 + r.IntN(5), "app": 22 + r.IntN(7)}
		need := map[string]int{}
		var svcs strings.Builder
		for i := 0; i < 1+r.IntN(4); i++ {
			d := r.IntN(40)
			tasks := d
			fmt.Fprintf(&svcs, "      s%d:\n        block: ecs-service\n        params: {Image: x, LaunchType: FARGATE, DesiredCount: %d", i, d)
			tier := "app"
			if r.IntN(4) == 0 {
				tier = "public"
				svcs.WriteString(", SubnetIds: !Output foundation.network.PublicSubnetIds")
			}
			svcs.WriteString("}\n")
			if r.IntN(2) == 0 {
				c := 1 + r.IntN(300)
				fmt.Fprintf(&svcs, "        with: [{autoscale: {MinCapacity: 0, MaxCapacity: %d}}]\n", c)
				tasks = max(tasks, c)
			}
			need[tier] += 2 * tasks // the ecs-service deploys at MaximumPercent 200
		}
		own, pct := r.IntN(60), 100+r.IntN(101)
		need["app"] += (own*pct + 99) / 100
		spec := fmt.Sprintf("riglet: cap\nowner: acme\nenvs: [staging]\nnetwork:\n  tiers: {public: %d, app: %d, db: 24}\nstacks:\n  foundation:\n    blocks:\n      network: {block: vpc}\n  app:\n    blocks:\n      cluster: {block: ecs-cluster, params: {LaunchType: FARGATE}}\n%s      own: {block: own}\n",
			size["public"], size["app"], svcs.String())
		fsys := fstest.MapFS{
			"envs/staging.yaml":     {Data: []byte("env: staging\naccount: \"123456789012\"\nregion: us-west-2\nazs: [" + strings.Join([]string{"us-west-2a", "us-west-2b", "us-west-2c"}[:azs], ", ") + "]\ncidr: 10.20.0.0/16\nalarms: {profile: none}\n")},
			"riglets/cap.yaml":      {Data: []byte(spec)},
			"blocks/own/block.yaml": {Data: []byte(fmt.Sprintf("Resources:\n  Svc:\n    Type: AWS::ECS::Service\n    Properties:\n      Cluster: c\n      LaunchType: FARGATE\n      DesiredCount: %d\n      NetworkConfiguration: {AwsvpcConfiguration: {Subnets: [s]}}\n      DeploymentConfiguration: {MaximumPercent: %d}\n", own, pct))},
		}
		rep, err := Lint(fsys, blocks.FS, []string{"riglets/cap.yaml"}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range rep.Findings {
			if f.Rule == "NET006" {
				tier := "app"
				if strings.Contains(f.Msg, "in the public tier") {
					tier = "public"
				}
				got[tier] = f.Msg
			} else if f.Severity == Error {
				t.Fatalf("%s\nunexpected %v", spec, f)
			}
		}
		for _, tier := range []string{"public", "app"} {
			usable := azs * (1<<(32-size[tier]) - 5)
			want := fmt.Sprintf("may run %d tasks at once in the %s tier, more than the %d addresses", need[tier], tier, usable)
			switch over := need[tier] > usable; {
			case over && !strings.Contains(got[tier], want):
				t.Fatalf("%s\n%s tier: want a finding %q, got %q", spec, tier, want, got[tier])
			case !over && got[tier] != "":
				t.Fatalf("%s\n%s tier: %d tasks in %d addresses, but %q", spec, tier, need[tier], usable, got[tier])
			case over:
				fired++
				publicOver += len(tier) % 2 // "public", not "app"
			default:
				quiet++
			}
		}
	}
	if fired < 10 || quiet < 10 || publicOver == 0 {
		t.Fatalf("%d tiers over (%d public), %d within: the generator tries too little of one side", fired, publicOver, quiet)
	}
}

package compiler

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/ir"
)

// TestSqsThresholdQueue compiles riglets whose workers scale on queues named in
// every way sqs-threshold takes one, at random: a literal name of one of the
// riglet's queues (a standalone sqs-queue in this stack or another), a name no
// queue has, a wired !Output, a service-queue before it in with:, an external name,
// both, or neither. The compile fails exactly where a reckoning made here from the
// choices alone says, at the entry's line, and says why.
func TestSqsThresholdQueue(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 2))
	kinds := map[string]int{}
	for iter := 0; iter < 25; iter++ {
		spec := "riglet: q\nowner: acme\nenvs: [dev]\nstacks:\n  net:\n    blocks:\n      vpc: {block: vpc}\n  data:\n    blocks:\n      orders: {block: sqs-queue, params: {QueueName: orders}}\n  app:\n    blocks:\n      cluster: {block: ecs-cluster, params: {LaunchType: FARGATE}}\n      jobs: {block: sqs-queue, params: {QueueName: jobs}}\n"
		line := 15
		var want []string // "line: what"
		for i := 0; i < 1+r.IntN(4); i++ {
			kind := []string{"jobs", "orders", "jbos", "wired", "service-queue", "external", "both", "neither"}[r.IntN(8)]
			kinds[kind]++
			entry := map[string]string{
				"jobs": "{sqs-threshold: {QueueName: jobs}}", "orders": "{sqs-threshold: {QueueName: orders}}",
				"jbos": "{sqs-threshold: {QueueName: jbos}}", "wired": "{sqs-threshold: {QueueName: !Output data.orders.QueueName}}",
				"service-queue": "service-queue, sqs-threshold", "external": "{sqs-threshold: {ExternalQueueName: legacy}}",
				"both": "{sqs-threshold: {QueueName: jobs, ExternalQueueName: legacy}}", "neither": "sqs-threshold",
			}[kind]
			spec += fmt.Sprintf("      w%d:\n        block: ecs-service\n        params: {Image: x, LaunchType: FARGATE}\n        with: [autoscale, %s]\n", i, entry)
			switch kind {
			case "jbos":
				want = append(want, fmt.Sprintf("%d: QueueName of sqs-threshold is \"jbos\", which no AWS::SQS::Queue of the riglet has as its QueueName (did you mean \"jobs\"?)", line+3))
			case "both":
				want = append(want, fmt.Sprintf("%d: sqs-threshold: give QueueName", line+3))
			case "neither":
				want = append(want, fmt.Sprintf("%d: sqs-threshold needs QueueName", line+3))
			}
			line += 4
		}
		if r.IntN(2) == 0 { // a service-queue of another instance names queues too
			spec += "      other:\n        block: ecs-service\n        params: {Image: x, LaunchType: FARGATE}\n        with: [{service-queue: {QueueName: jbos}}]\n"
			for i := len(want) - 1; i >= 0; i-- {
				if strings.Contains(want[i], `"jbos"`) {
					want = append(want[:i], want[i+1:]...)
				}
			}
		}
		fsys := fstest.MapFS{
			"envs/dev.yaml":  {Data: []byte("env: dev\naccount: \"111122223333\"\nregion: us-east-1\nazs: [us-east-1a, us-east-1b]\ncidr: 10.2.0.0/16\nalarms: {profile: none}\n")},
			"riglets/q.yaml": {Data: []byte(spec)},
		}
		_, err := Compile(fsys, blocks.FS, "riglets/q.yaml", Options{})
		var es ir.Errors
		if err != nil && !errors.As(err, &es) {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			if e.Code != ir.CodeModification || e.Pos.File.String() != "riglets/q.yaml" {
				t.Fatalf("%s\nunexpected %v", spec, e)
			}
			got = append(got, fmt.Sprintf("%d: %s", e.Pos.Line, e.Msg))
		}
		sort.Strings(got)
		sort.Strings(want)
		if len(got) != len(want) {
			t.Fatalf("%s\ngot %q\nwant %q", spec, got, want)
		}
		for i := range got {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Fatalf("%s\ngot %q\nwant %q", spec, got, want)
			}
		}
	}
	if len(kinds) != 8 {
		t.Fatalf("tried only %v", kinds)
	}
}

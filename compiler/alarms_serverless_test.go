package compiler

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
)

// serverlessFS is a riglet with an ops topic and functions, each with its failure
// queue, one consuming a queue; the env alarms everything and sets no threshold.
func serverlessFS(fnStack string) fstest.MapFS {
	return fstest.MapFS{
		"envs/dev.yaml":  {Data: []byte("env: dev\naccount: \"111122223333\"\nregion: us-east-1\nazs: [us-east-1a, us-east-1b]\ncidr: 10.2.0.0/16\nalarms: {profile: all}\n")},
		"riglets/s.yaml": {Data: []byte("riglet: s\nowner: acme\nenvs: [dev]\nstacks:\n  base:\n    blocks:\n      ops: {block: ops-topic}\n" + fnStack)},
		// a hand-written mapping that asks for no event counts, so Lambda publishes none
		"blocks/plain-mapping/block.yaml": {Data: []byte("Resources:\n  Mapping:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties: {FunctionName: f, EventSourceArn: arn:aws:sqs:us-east-1:111122223333:q}\n")},
	}
}

func resourceIDs(t *testing.T, fsys fstest.MapFS) map[string]bool {
	t.Helper()
	res, err := Compile(fsys, blocks.FS, "riglets/s.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, er := range res.Envs {
		for _, sr := range er.Stacks {
			for _, p := range sr.Template.Get("Resources").Pairs {
				ids[p.Key] = true
			}
		}
	}
	return ids
}

// A function's failure queue keeps failed events, so it gets the dead-letter alarm
// ("not empty") and not the depth alarm, which has no default threshold and would
// make every function need one; in the function's own stack or another. A mapping
// gets the failed-invocations alarm only when it publishes its event counts.
func TestServerlessAlarms(t *testing.T) {
	for _, stack := range []string{"base", "app"} {
		fns := "      worker:\n        block: lambda-function\n        params: {Code: s3://acme-code/w.zip}\n" +
			"        with: [{sqs-consumer: {QueueArn: arn:aws:sqs:us-east-1:111122223333:jobs}}]\n" +
			"      other: {block: lambda-function, params: {Code: s3://acme-code/o.zip}}\n" +
			"      plain: {block: plain-mapping}\n"
		spec := fns
		if stack == "app" {
			spec = "  app:\n    blocks:\n" + fns
		}
		ids := resourceIDs(t, serverlessFS(spec))
		for _, fn := range []string{"Worker", "Other"} {
			for id, want := range map[string]bool{
				fn + "FailureQueueSqsDeadLetterNotEmpty": true,
				fn + "FailureQueueSqsQueueDepth":         false,
				fn + "FailureQueueSqsOldestMessage":      false,
				fn + "FunctionLambdaErrors":              true,
			} {
				if ids[id] != want {
					t.Errorf("stack %s: alarm %s written = %v, want %v", stack, id, ids[id], want)
				}
			}
		}
		if !ids["WorkerSqsConsumerMappingLambdaEventSourceFailedInvokes"] {
			t.Errorf("stack %s: the sqs-consumer's mapping has no failed-invocations alarm", stack)
		}
		for id := range ids {
			if strings.HasPrefix(id, "PlainMapping") && id != "PlainMapping" {
				t.Errorf("stack %s: %s alarms a mapping that publishes no event counts", stack, id)
			}
		}
	}
}

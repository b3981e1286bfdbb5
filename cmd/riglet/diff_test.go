package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// copyTree copies the files below src (a path relative to the repository root) to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// edit replaces old by new in a file, failing when old is not there once.
func edit(t *testing.T, file, old, new string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(b), old) != 1 {
		t.Fatalf("%s: %q is not there once", file, old)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lineOf is the 1-based line of the first occurrence of s in file.
func lineOf(t *testing.T, file, s string) int {
	t.Helper()
	b, _ := os.ReadFile(file)
	i := strings.Index(string(b), s)
	if i < 0 {
		t.Fatalf("%s lacks %q", file, s)
	}
	return strings.Count(string(b[:i]), "\n") + 1
}

const busBlock = `Description: a topic another stack subscribes to
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: alias/aws/sns
Outputs:
  TopicArn:
    Value: !Ref Topic
`

const jobsBlock = `Description: a job queue and its table
Parameters:
  Fifo:
    Type: String
    Default: "false"
    AllowedValues: ["true", "false"]
  Key:
    Type: String
    Default: id
  AlertTopicArn:
    Type: String
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: !Ref Fifo
      SqsManagedSseEnabled: true
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: !Ref Key, AttributeType: S}
      KeySchema:
        - {AttributeName: !Ref Key, KeyType: HASH}
  Alerts:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref AlertTopicArn
      Protocol: sqs
      Endpoint: !GetAtt Queue.Arn
`

// TestReviewScenario is the review of one pull request on the twig example, end to
// end through git: a queue's FifoQueue and a table's key schema change (create-only:
// replacements that lose data), an instance is renamed (every logical ID under it
// changes), a stack is removed while another still imports its export, and a security
// group opens to the world. riglet diff --format markdown --fail-on data-loss,blocked
// reports each at its source line and exits 1.
func TestReviewScenario(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join("..", "..")
	copyTree(t, filepath.Join(root, "envs"), filepath.Join(dir, "envs"))
	for _, f := range []string{"twig.yaml", "twig.lock"} {
		b, err := os.ReadFile(filepath.Join(root, "riglets", f))
		if err != nil {
			t.Fatal(err)
		}
		write(t, dir, "riglets/"+f, string(b))
	}
	write(t, dir, "blocks/bus/block.yaml", busBlock)
	write(t, dir, "blocks/jobs/block.yaml", jobsBlock)
	spec := filepath.Join(dir, "riglets", "twig.yaml")
	b, _ := os.ReadFile(spec)
	write(t, dir, "riglets/twig.yaml", string(b)+`  events:
    blocks:
      bus: {block: bus}
  store:
    blocks:
      jobs:
        block: jobs
        alarms: {Queue: {SqsQueueDepth: 100}}
        params:
          Fifo: "false"
          Key: id
          AlertTopicArn: !Output events.bus.TopicArn
`)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-C", dir, "compile"}, &stdout, &stderr); code != 0 {
		t.Fatalf("compile: exit %d\n%s", code, stderr.String())
	}
	git(t, dir, "init", "-q")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "base")

	// The pull request.
	edit(t, spec, `Fifo: "false"`, `Fifo: "true"`)
	edit(t, spec, "Key: id", "Key: pk")
	edit(t, spec, "  app-twig:\n    blocks:\n      service:", "  app-twig:\n    blocks:\n      web:")
	edit(t, spec, "ListenerRulePriority: 200", "ListenerRulePriority: 250")
	edit(t, spec, "  events:\n    blocks:\n      bus: {block: bus}\n", "")
	edit(t, spec, "AlertTopicArn: !Output events.bus.TopicArn", "AlertTopicArn: !ImportValue buildit-twig-staging-events--BusTopicArn")
	edit(t, spec, "          ListenerRulePriority: 100\n", "          ListenerRulePriority: 100\n          OpenEgressPorts: [\"5432\"]\n")

	stdout.Reset()
	stderr.Reset()
	code := run([]string{"-C", dir, "diff", "--env", "staging", "--format", "markdown", "--fail-on", "data-loss,blocked"}, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("diff: exit %d, want 1\n%s\n%s", code, stderr.String(), stdout.String())
	}
	md := stdout.String()
	at := func(s string) string {
		return fmt.Sprintf("riglets/twig.yaml:%d:", lineOf(t, spec, s))
	}
	for _, want := range []struct{ class, what, where string }{
		{"data-loss,replace", "JobsQueue (AWS::SQS::Queue) is replaced: FifoQueue", at(`Fifo: "true"`)},
		{"data-loss,replace", "JobsTable (AWS::DynamoDB::Table) is replaced: KeySchema", at("Key: pk")},
		{"data-loss,remove", "ServiceLogGroup (AWS::Logs::LogGroup) is deleted; looks like a rename to WebLogGroup", at("      web:")},
		{"add", "WebService (AWS::ECS::Service) is created; looks like a rename of ServiceService", at("      web:")},
		{"blocked", "export buildit-twig-staging-events--BusTopicArn is removed with its stack while [store]", "riglets/twig.yaml:"},
		{"security", "ServiceSecurityGroup (AWS::EC2::SecurityGroup)", at(`OpenEgressPorts: ["5432"]`)},
	} {
		found := false
		for _, line := range strings.Split(md, "\n") {
			if strings.HasPrefix(line, "| "+want.class) && strings.Contains(line, want.what) && strings.Contains(line, "`"+want.where) {
				found = true
			}
		}
		if !found {
			t.Errorf("the markdown has no row %s | %s at %s", want.class, want.what, want.where)
		}
	}
	for _, want := range []string{"egress rule opened: tcp 5432 to 0.0.0.0/0 (the whole internet)", "```mermaid", "<details>"} {
		if !strings.Contains(md, want) {
			t.Errorf("the markdown lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(md)
	}

	// The working tree is untouched, and without --fail-on the same diff exits 0.
	if code := run([]string{"-C", dir, "diff", "--env", "staging"}, &stdout, &stderr); code != 0 {
		t.Errorf("diff without --fail-on: exit %d", code)
	}
}

// TestDiffUsage: a missing ref, no git repository and an unknown class are bad usage.
func TestDiffUsage(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "riglets/x.yaml", "riglet: x\nowner: o\nenvs: [a]\nstacks: {}\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"diff"}, "is not in a git repository"},
		{[]string{"diff", "--fail-on", "everything"}, "--fail-on everything: not a class"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(append([]string{"-C", dir}, c.args...), &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, stderr.String(), exitUsage, c.want)
		}
	}
	git(t, dir, "init", "-q")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "one")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-C", dir, "diff", "--base", "nosuchref"}, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "nosuchref: no such commit") {
		t.Errorf("--base nosuchref: exit %d, %q", code, stderr.String())
	}
	// A shallow clone without the ref says how to get it.
	clone := filepath.Join(t.TempDir(), "c")
	git(t, dir, "commit", "-q", "--allow-empty", "-m", "two")
	if out, err := exec.Command("git", "clone", "-q", "--depth", "1", "file://"+dir, clone).CombinedOutput(); err != nil {
		t.Fatalf("clone: %v\n%s", err, out)
	}
	stderr.Reset()
	if code := run([]string{"-C", clone, "diff", "--base", "HEAD~1"}, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "shallow clone") {
		t.Errorf("shallow --base HEAD~1: exit %d, %q", code, stderr.String())
	}
}

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const stacksJSON = `{
  "riglet": "twig", "env": "production", "account": "123456789012", "region": "us-west-2",
  "stacks": [
    {"name": "foundation", "stackName": "o-twig-production-foundation", "template": "foundation.yaml",
     "needs": [], "capabilities": ["CAPABILITY_IAM"], "tags": {"riglet:env": "production", "Team": "it's ours"},
     "parameters": [], "templateBytes": 60000, "overBodyLimit": true, "terminationProtection": true},
    {"name": "app", "stackName": "o-twig-production-app", "template": "app.yaml",
     "needs": ["foundation"], "capabilities": [], "tags": {},
     "parameters": [{"name": "ImageTag", "required": true}, {"name": "Mode", "default": "a"}], "templateBytes": 30, "overBodyLimit": false,
     "terminationProtection": true}
  ],
  "source": "riglets/twig.yaml",
  "leftOut": [{"name": "loadtest", "only": ["staging"]}]
}`

const appYAML = `Resources:
  Data:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
  Snap:
    Type: AWS::EC2::Volume
    DeletionPolicy: Snapshot
  Queue:
    Type: AWS::SQS::Queue
`

func fixture(t *testing.T) string {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"stacks.json": stacksJSON, "app.yaml": appYAML,
		"foundation.yaml": "Resources: {}\n" + strings.Repeat("#", 60000),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runOut(t *testing.T, args ...string) (string, error) {
	var b bytes.Buffer
	err := run(args, &b)
	return b.String(), err
}

func TestCommands(t *testing.T) {
	dir := fixture(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"stacks", dir}, "foundation\napp\n"},
		{[]string{"stacks", dir, "--reverse"}, "app\nfoundation\n"},
		{[]string{"field", dir, "account"}, "123456789012\n"},
		{[]string{"get", dir, "app", "stackName"}, "o-twig-production-app\n"},
		{[]string{"get", dir, "app", "terminationProtection"}, "true\n"},
		// what a first deploy must set: the tag without a default, not the one with
		{[]string{"get", dir, "app", "required"}, "ImageTag\n"},
		{[]string{"get", dir, "foundation", "required"}, "\n"},
		{[]string{"retained", dir, "app"}, "Data AWS::S3::Bucket\n"},
		{[]string{"args", dir, "app", "--image-tag", "2"}, "'--stack-name' 'o-twig-production-app' '--template-file' '" +
			filepath.Join(dir, "app.yaml") + "' '--region' 'us-west-2' '--parameter-overrides' 'ImageTag=2'\n"},
		// no IMAGE_TAG: an update keeps the running tag
		{[]string{"args", dir, "app", "--image-tag="}, "'--stack-name' 'o-twig-production-app' '--template-file' '" +
			filepath.Join(dir, "app.yaml") + "' '--region' 'us-west-2'\n"},
	} {
		got, err := runOut(t, tc.args...)
		if err != nil {
			t.Errorf("%v: %v", tc.args, err)
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%v (-want +got):\n%s", tc.args, d)
		}
	}
}

func TestRefusals(t *testing.T) {
	dir := fixture(t)
	for _, tc := range []struct {
		args  []string
		usage bool
		want  string
	}{
		{[]string{"check", dir, "app", "nope"}, false, `no stack "nope"`},
		// a stack only: leaves out of the env: make says so, not "no stack"
		{[]string{"check", dir, "loadtest"}, false, "stack loadtest is not in env production: its only: [staging] in riglets/twig.yaml leaves it out"},
		{[]string{"get", dir, "loadtest", "stackName"}, false, "its only: [staging] in riglets/twig.yaml leaves it out"},
		{[]string{"check", dir, "foundation"}, false, "set S3_BUCKET"},
		{[]string{"args", dir, "foundation"}, false, "set S3_BUCKET"},
		{[]string{"field", filepath.Join(dir, "missing"), "account"}, false, "run riglet compile"},
		{[]string{"field", dir, "colour"}, true, "unknown field"},
		{[]string{"args", dir, "app", "--image-tag"}, true, "needs a value"},
		{[]string{"deploy", dir}, true, "unknown command"},
	} {
		_, err := runOut(t, tc.args...)
		_, isUsage := err.(usageError)
		if err == nil || isUsage != tc.usage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v (usage %v), want one containing %q (usage %v)", tc.args, err, isUsage, tc.want, tc.usage)
		}
	}
	if err := run([]string{"check", dir, "app"}, &bytes.Buffer{}); err != nil {
		t.Errorf("check of a stack under the limit: %v", err)
	}
}

// TestShellQuoting: what args prints, sh reads back as the same words.
func TestShellQuoting(t *testing.T) {
	dir := fixture(t)
	out, err := runOut(t, "args", dir, "foundation", "--s3-bucket", "b k", "--image-tag", `a'b"$c`)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := exec.Command("sh", "-c", `eval "set -- $1"; printf '%s\n' "$@"`, "sh", out).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"--stack-name", "o-twig-production-foundation", "--template-file", filepath.Join(dir, "foundation.yaml"),
		"--region", "us-west-2", "--capabilities", "CAPABILITY_IAM", "--tags", "Team=it's ours", "riglet:env=production",
		"--s3-bucket", "b k", "--s3-prefix", "twig/production"}
	if d := cmp.Diff(want, strings.Split(strings.TrimSuffix(string(sh), "\n"), "\n")); d != "" {
		t.Errorf("words after sh (-want +got):\n%s", d)
	}
}

package deploykit

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riglet/riglet/manifest"
)

// fakeAWS stands in for the AWS CLI: it logs each call and answers the few a test needs
// (the account, a change set), so that the kit's own behaviour is tested without AWS.
const fakeAWS = `#!/bin/sh
printf '%s\n' "$*" >> "$CALLS"
case "$*" in
*"sts get-caller-identity"*) echo 123456789012 ;;
*"--no-execute-changeset"*) echo "Changeset created successfully. Run the following command to review changes:"
	echo "aws cloudformation describe-change-set --change-set-name arn:aws:cloudformation:us-west-2:123456789012:changeSet/cs1/0a1b" ;;
*"describe-stack-resource"*"PipelineDeployRole"*) echo buildit-twig-build-PipelineDeployRole-1A2B ;;
*"describe-stack-resource"*) echo None ;;
*"describe-stacks"*"ends_with(RoleARN, '/buildit-twig-build-PipelineDeployRole-1A2B')"*) printf 'buildit-twig-staging-app-twig\tbuildit-twig-staging-db\n' ;;
*"describe-stacks"*"ends_with"*) echo None ;;
*"describe-stacks"*) echo "the stack" ;;
esac
`

var (
	buildOnce sync.Once
	builtDir  string
	buildErr  error
)

// rigletdeploy builds the real stacks.json reader once for every test.
func rigletdeploy(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		builtDir, buildErr = os.MkdirTemp("", "deploykit-test")
		if buildErr == nil {
			out, err := exec.Command("go", "build", "-o", filepath.Join(builtDir, "rigletdeploy"), "../cmd/rigletdeploy").CombinedOutput()
			if err != nil {
				buildErr = &exec.ExitError{}
				t.Logf("%s", out)
			}
		}
	})
	if buildErr != nil {
		t.Fatalf("go build ../cmd/rigletdeploy: %v", buildErr)
	}
	return filepath.Join(builtDir, "rigletdeploy")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// userRepo is a riglet repository as `riglet new` lays it out: the kit in deploykit/, a
// Makefile holding the Include line (and extra, when given), and twig's staging output.
func userRepo(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	err := fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := FS.ReadFile(p)
		return writeFile(filepath.Join(dir, Dir, p), b)
	})
	if err != nil {
		t.Fatal(err)
	}
	must(t, writeFile(filepath.Join(dir, "Makefile"), []byte(extra+Include+"\n")))
	must(t, writeFile(filepath.Join(dir, "riglets", "twig.yaml"), []byte("riglet: twig\n")))
	for _, env := range []string{"staging", "shared"} {
		files, _ := filepath.Glob(filepath.Join("..", "out", "twig", env, "*"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			must(t, err)
			must(t, writeFile(filepath.Join(dir, "out", "twig", env, filepath.Base(f)), b))
		}
	}
	must(t, writeFile(filepath.Join(dir, "bin", "aws"), []byte(fakeAWS)))
	must(t, os.Chmod(filepath.Join(dir, "bin", "aws"), 0o755))
	return dir
}

// makeIn runs make in dir; the AWS CLI is the fake one, riglet is `true` (what it checks
// is not the kit's business), and the calls land in dir/calls.
func makeIn(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("make", append([]string{"--no-print-directory", "AWS=" + filepath.Join(dir, "bin", "aws"), "RIGLET_BIN=true"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CALLS="+filepath.Join(dir, "calls"), "MAKEFLAGS=")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func writeFile(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o644)
}

// TestUserMakefile: the Makefile a riglet repository gets has the deploy targets and
// none of riglet's developer targets (make test there used to fail with [setup failed]).
func TestUserMakefile(t *testing.T) {
	dir := userRepo(t, "")
	rd := rigletdeploy(t)
	out, err := makeIn(t, dir, "help", "RIGLETDEPLOY_BIN="+rd)
	if err != nil {
		t.Fatalf("make help: %v\n%s", err, out)
	}
	for _, want := range []string{"create-<stack>", "delete-environment", "staging: foundation compute db app-twig-api app-twig", "shared: bootstrap build"} {
		if !strings.Contains(out, want) {
			t.Errorf("make help lacks %q:\n%s", want, out)
		}
	}
	for _, target := range []string{"test", "check", "fuzz", "bench", "e2e", "example"} {
		if strings.Contains(out, "\n  "+target+" ") { // a target is listed at the start of a line
			t.Errorf("make help lists the developer target %s:\n%s", target, out)
		}
		if out, err := makeIn(t, dir, "-n", target); err == nil || !strings.Contains(out, "No rule to make target") {
			t.Errorf("make %s in a riglet repository: err=%v, want no such target\n%s", target, err, out)
		}
	}
}

// TestHelpMakesToolsFirst: help builds what the includer says the tools are before it
// lists stacks with them, so that a fresh clone's help is not an empty list.
func TestHelpMakesToolsFirst(t *testing.T) {
	rd := rigletdeploy(t)
	dir := userRepo(t, "RIGLETDEPLOY_BIN := $(CURDIR)/tools/rigletdeploy\nRIGLET_TOOLS := $(RIGLETDEPLOY_BIN)\n")
	must(t, os.WriteFile(filepath.Join(dir, "Makefile"), append(must2(os.ReadFile(filepath.Join(dir, "Makefile"))),
		[]byte("$(RIGLETDEPLOY_BIN):\n\tmkdir -p tools && cp '"+rd+"' $@\n")...), 0o644))
	out, err := makeIn(t, dir, "help")
	if err != nil || !strings.Contains(out, "staging: foundation compute db app-twig-api app-twig") {
		t.Errorf("make help on a fresh clone: err=%v, want the stacks listed after building rigletdeploy\n%s", err, out)
	}
}

func must2(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestHelpSaysWhyNoStacks: when rigletdeploy cannot list an env's stacks, help says so
// and fails, instead of printing an empty list.
func TestHelpSaysWhyNoStacks(t *testing.T) {
	dir := userRepo(t, "")
	out, err := makeIn(t, dir, "help", "RIGLETDEPLOY_BIN="+filepath.Join(dir, "no-such-rigletdeploy"))
	if err == nil || !strings.Contains(out, "cannot list the stacks of env") || !strings.Contains(out, "rigletdeploy") {
		t.Errorf("make help without rigletdeploy: err=%v, want a failure naming rigletdeploy\n%s", err, out)
	}
}

// TestChangesetHint: the command the change set output suggests works as printed, in a
// repository of several riglets too: it names the riglet.
func TestChangesetHint(t *testing.T) {
	dir := userRepo(t, "")
	must(t, writeFile(filepath.Join(dir, "riglets", "other.yaml"), []byte("riglet: other\n")))
	out, err := makeIn(t, dir, "changeset-app-twig", "ENV=staging", "RIGLET=twig", "RIGLETDEPLOY_BIN="+rigletdeploy(t))
	if err != nil {
		t.Fatalf("make changeset: %v\n%s", err, out)
	}
	if !strings.Contains(out, "apply it with: make update-app-twig ENV=staging RIGLET=twig ") {
		t.Errorf("the change set hint does not name the riglet:\n%s", out)
	}
}

// TestStatusColumns: status asks the CLI for named columns, which --output table prints
// as the table's headers (a list projection prints a headerless table).
func TestStatusColumns(t *testing.T) {
	dir := userRepo(t, "")
	out, err := makeIn(t, dir, "status-environment", "ENV=staging", "RIGLETDEPLOY_BIN="+rigletdeploy(t))
	if err != nil {
		t.Fatalf("make status-environment: %v\n%s", err, out)
	}
	calls := string(must2(os.ReadFile(filepath.Join(dir, "calls"))))
	n := 0
	for _, c := range strings.Split(strings.TrimSpace(calls), "\n") {
		if !strings.Contains(c, "describe-stacks") {
			continue
		}
		n++
		if !strings.Contains(c, "--query Stacks[0].{Stack:StackName,Status:StackStatus,Reason:StackStatusReason}") {
			t.Errorf("status call without named columns: %s", c)
		}
	}
	if n != 5 {
		t.Errorf("%d describe-stacks calls, want one per stack of staging (5):\n%s", n, calls)
	}
}

// retire marks stacks of dir's staging stacks.json as removed from the spec, as a
// compile does when the spec loses them: gone from stacks, listed in retired.
func retire(t *testing.T, dir string, retired ...manifest.Retired) {
	t.Helper()
	p := filepath.Join(dir, "out", "twig", "staging", manifest.File)
	var m manifest.Manifest
	must(t, json.Unmarshal(must2(os.ReadFile(p)), &m))
	for _, r := range retired {
		m.Stacks = slices.DeleteFunc(m.Stacks, func(s manifest.Stack) bool { return s.Name == r.Name })
	}
	m.Retired = retired
	b, _ := json.Marshal(m)
	must(t, os.WriteFile(p, b, 0o644))
}

// deletes are the stacks the logged calls deleted, in order.
func deletes(t *testing.T, dir string) []string {
	b, _ := os.ReadFile(filepath.Join(dir, "calls"))
	var out []string
	for _, c := range strings.Split(string(b), "\n") {
		if f := strings.Fields(c); strings.Contains(c, "delete-stack ") {
			out = append(out, f[len(f)-1])
		}
	}
	os.Remove(filepath.Join(dir, "calls"))
	return out
}

// TestDeleteRetired: stacks removed from the spec are deleted by name, retired ones
// before the stacks they imported from, by delete-retired alone or first in
// delete-environment; they can no longer be created.
func TestDeleteRetired(t *testing.T) {
	dir := userRepo(t, "")
	rd := "RIGLETDEPLOY_BIN=" + rigletdeploy(t)
	retire(t, dir,
		manifest.Retired{Name: "app-twig", StackName: "buildit-twig-staging-app-twig", Needs: []string{"compute", "db", "foundation"}},
		manifest.Retired{Name: "db", StackName: "buildit-twig-staging-db", Needs: []string{"foundation"}})
	out, err := makeIn(t, dir, "delete-retired", "ENV=staging", "YES=1", rd)
	if err != nil {
		t.Fatalf("make delete-retired: %v\n%s", err, out)
	}
	if d := cmp.Diff([]string{"buildit-twig-staging-app-twig", "buildit-twig-staging-db"}, deletes(t, dir)); d != "" {
		t.Errorf("delete-retired deleted (-want +got):\n%s", d)
	}
	if !strings.Contains(out, "its template is no longer in") {
		t.Errorf("delete-retired does not say what it cannot list:\n%s", out)
	}
	out, err = makeIn(t, dir, "delete-db", "ENV=staging", "YES=1", rd)
	if d := cmp.Diff([]string{"buildit-twig-staging-db"}, deletes(t, dir)); err != nil || d != "" {
		t.Errorf("make delete-db of a retired stack: %v (-want +got):\n%s\n%s", err, d, out)
	}
	out, err = makeIn(t, dir, "delete-environment", "ENV=staging", "YES=1", rd)
	want := []string{"buildit-twig-staging-app-twig", "buildit-twig-staging-db", "buildit-twig-staging-app-twig-api",
		"buildit-twig-staging-compute", "buildit-twig-staging-foundation"}
	if d := cmp.Diff(want, deletes(t, dir)); err != nil || d != "" {
		t.Errorf("delete-environment: %v (-want +got):\n%s\n%s", err, d, out)
	}
	out, err = makeIn(t, dir, "create-db", "ENV=staging", "ALLOW_DIRTY=1", rd) // not a git repository: the refusal under test is the retired one
	if err == nil || !strings.Contains(out, "removed from the spec") || len(deletes(t, dir)) > 0 {
		t.Errorf("create of a retired stack: err=%v, want a refusal\n%s", err, out)
	}
	// none retired: nothing to do, and said so
	dir = userRepo(t, "")
	out, err = makeIn(t, dir, "delete-retired", "ENV=staging", "YES=1", rd)
	if err != nil || !strings.Contains(out, "no retired stacks") || len(deletes(t, dir)) > 0 {
		t.Errorf("delete-retired with none: err=%v\n%s", err, out)
	}
}

// TestDeployRoleWarning: deleting the shared stack whose role CloudFormation deployed
// other stacks with (the pipeline's) warns, naming them, before anything is deleted.
func TestDeployRoleWarning(t *testing.T) {
	dir := userRepo(t, "")
	out, err := makeIn(t, dir, "delete-build", "ENV=shared", "YES=1", "RIGLETDEPLOY_BIN="+rigletdeploy(t))
	if err != nil {
		t.Fatalf("make delete-build: %v\n%s", err, out)
	}
	warn := strings.Index(out, "warning: stack buildit-twig-build holds buildit-twig-build-PipelineDeployRole-1A2B")
	if warn < 0 || !strings.Contains(out, "buildit-twig-staging-app-twig buildit-twig-staging-db") {
		t.Errorf("no warning naming the role and the stacks deployed with it:\n%s", out)
	}
	if del := strings.Index(out, "==> delete"); del < warn {
		t.Errorf("the warning comes after the delete:\n%s", out)
	}
	// a stack holding no such role: no warning, and no call to look
	os.Remove(filepath.Join(dir, "calls"))
	out, _ = makeIn(t, dir, "delete-app-twig", "ENV=staging", "YES=1", "RIGLETDEPLOY_BIN="+rigletdeploy(t))
	if strings.Contains(out, "warning") || strings.Contains(string(must2(os.ReadFile(filepath.Join(dir, "calls")))), "ends_with") {
		t.Errorf("a warning or a role lookup for a stack without a deploy role:\n%s", out)
	}
}

// TestCrossAccountFirstDeploy: an env in another account than the shared stacks cannot
// ask for the bootstrap with its own credentials; its first deploy says what to create
// first, and where, instead of reporting the bootstrap missing (or asking for it at all).
func TestCrossAccountFirstDeploy(t *testing.T) {
	dir := userRepo(t, "")
	shared := filepath.Join(dir, "out", "twig", "shared", "stacks.json")
	b := must2(os.ReadFile(shared))
	must(t, os.WriteFile(shared, []byte(strings.Replace(string(b), `"account": "123456789012"`, `"account": "999988887777"`, 1)), 0o644))
	for _, target := range []string{"create-environment", "check-env"} {
		out, err := makeIn(t, dir, target, "ENV=staging", "IMAGE_TAG=0a1b2c3d", "ALLOW_DIRTY=1", "RIGLETDEPLOY_BIN="+rigletdeploy(t))
		if err != nil {
			t.Fatalf("make %s: %v\n%s", target, err, out)
		}
		for _, want := range []string{"account 999988887777: create them there first", "make create-bootstrap ENV=shared RIGLET=twig", "its deploy stack first"} {
			if !strings.Contains(out, want) {
				t.Errorf("make %s does not say %q:\n%s", target, want, out)
			}
		}
	}
	calls := string(must2(os.ReadFile(filepath.Join(dir, "calls"))))
	if strings.Contains(calls, "--stack-name buildit-twig-bootstrap") {
		t.Errorf("the env's credentials were asked for the bootstrap of another account:\n%s", calls)
	}
}

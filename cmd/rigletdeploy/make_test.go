package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The Makefile's deploy targets and deploykit/deploy.sh, with a fake AWS CLI on PATH that
// answers as the real one does when a stack is missing, access is denied or calls are
// throttled: what moto_server cannot be made to do. The moto e2e (build tag e2e) covers
// the calls that succeed.

// fakeAWS answers by $FAKE_DESCRIBE for describe-stacks (ok, missing, denied, throttled)
// and logs every call to $FAKE_LOG. Its messages are the AWS CLI's, word for word.
const fakeAWS = `#!/bin/sh
printf '%s\n' "$*" >> "$FAKE_LOG"
case "$*" in
*"sts get-caller-identity"*) echo 123456789012 ;;
*"cloudformation describe-stacks"*)
	name=$(printf '%s\n' "$@" | sed -n '/^--stack-name$/{n;p;}')
	case $FAKE_DESCRIBE in
	ok) echo CREATE_COMPLETE ;;
	missing)
		echo "An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id $name does not exist" >&2
		exit 254 ;;
	denied)
		echo "An error occurred (AccessDenied) when calling the DescribeStacks operation: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DescribeStacks" >&2
		exit 254 ;;
	throttled)
		echo "An error occurred (Throttling) when calling the DescribeStacks operation (reached max retries: 4): Rate exceeded" >&2
		exit 254 ;;
	esac ;;
*"ec2 describe-availability-zones"*) printf 'us-west-2a\tus-west-2b\n' ;;
*"acm describe-certificate"*)
	if [ "$FAKE_CERT" = ok ]; then echo ISSUED; else
		echo "An error occurred (ResourceNotFoundException) when calling the DescribeCertificate operation: Certificate not found" >&2
		exit 254
	fi ;;
*"--version"*) echo "aws-cli/9.9.9 fake" ;;
esac
exit 0
`

type deployRepo struct {
	t   *testing.T
	dir string // the riglet repository make runs in
	bin string
	log string
}

// newDeployRepo copies the twig example (sources, lock, out/) into a git repository with
// one commit, and builds riglet and rigletdeploy.
func newDeployRepo(t *testing.T) *deployRepo {
	t.Helper()
	for _, tool := range []string{"make", "git", "sh"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not on PATH; the deploy targets need it", tool)
		}
	}
	tmp := t.TempDir()
	r := &deployRepo{t: t, dir: filepath.Join(tmp, "repo"), bin: filepath.Join(tmp, "bin"), log: filepath.Join(tmp, "calls.log")}
	for _, cmd := range []string{"riglet", "rigletdeploy"} {
		c := exec.Command("go", "build", "-o", filepath.Join(r.bin, cmd), "github.com/riglet/riglet/cmd/"+cmd)
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", cmd, err, out)
		}
	}
	if err := os.WriteFile(filepath.Join(r.bin, "aws"), []byte(fakeAWS), 0o755); err != nil {
		t.Fatal(err)
	}
	copyDir(t, "../../envs", filepath.Join(r.dir, "envs"))
	copyDir(t, "../../out/twig", filepath.Join(r.dir, "out", "twig"))
	for _, f := range []string{"twig.yaml", "twig.lock"} {
		copyDir(t, filepath.Join("../../riglets", f), filepath.Join(r.dir, "riglets", f))
	}
	r.git("init", "-q")
	r.git("add", ".")
	r.git("commit", "-q", "-m", "twig")
	return r
}

func (r *deployRepo) git(args ...string) {
	r.t.Helper()
	c := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	c.Dir = r.dir
	if out, err := c.CombinedOutput(); err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// make runs a target with the fake AWS CLI and returns its output, whether it succeeded,
// and the AWS CLI calls it made.
func (r *deployRepo) make(env []string, args ...string) (string, bool, []string) {
	r.t.Helper()
	os.Remove(r.log)
	root, _ := filepath.Abs("../..")
	full := append([]string{"--no-print-directory", "-f", filepath.Join(root, "Makefile"),
		"AWS=" + filepath.Join(r.bin, "aws"), "RIGLET_BIN=" + filepath.Join(r.bin, "riglet"),
		"RIGLETDEPLOY_BIN=" + filepath.Join(r.bin, "rigletdeploy")}, args...)
	c := exec.Command("make", full...)
	c.Dir = r.dir
	c.Env = append(os.Environ(), "FAKE_LOG="+r.log, "MAKEFLAGS=", "MFLAGS=")
	c.Env = append(c.Env, env...)
	out, err := c.CombinedOutput()
	b, _ := os.ReadFile(r.log)
	var calls []string
	if s := strings.TrimSpace(string(b)); s != "" {
		calls = strings.Split(s, "\n")
	}
	return string(out), err == nil, calls
}

// run runs one of the built tools in the repository.
func (r *deployRepo) run(tool string, args ...string) string {
	r.t.Helper()
	c := exec.Command(filepath.Join(r.bin, tool), args...)
	c.Dir = r.dir
	out, err := c.Output()
	if err != nil {
		r.t.Fatalf("%s %v: %v", tool, args, err)
	}
	return string(out)
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if rel == "." {
			dst = to
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func called(calls []string, what string) bool {
	for _, c := range calls {
		if strings.Contains(c, what) {
			return true
		}
	}
	return false
}

// TestDescribeFailures: only the CLI's "does not exist" means a stack does not exist;
// throttling or AccessDenied stop the target with the CLI's message, and delete
// deletes nothing after one.
func TestDescribeFailures(t *testing.T) {
	r := newDeployRepo(t)
	for _, c := range []struct{ mode, message string }{
		{"denied", "is not authorized to perform: cloudformation:DescribeStacks"},
		{"throttled", "Rate exceeded"},
	} {
		for _, target := range [][]string{
			{"status-environment", "ENV=staging"},
			{"status-app-twig", "ENV=staging"},
			{"delete-environment", "ENV=staging", "YES=1"},
			{"delete-app-twig", "ENV=staging", "YES=1"},
			{"update-app-twig", "ENV=staging"},
		} {
			out, ok, calls := r.make([]string{"FAKE_DESCRIBE=" + c.mode}, target...)
			if ok || !strings.Contains(out, c.message) || strings.Contains(out, "does not exist") {
				t.Errorf("make %v with describe-stacks %s: ok=%v, want a failure with the CLI's message %q and no \"does not exist\":\n%s",
					target, c.mode, ok, c.message, out)
			}
			if called(calls, "delete-stack") || called(calls, "cloudformation deploy") {
				t.Errorf("make %v with describe-stacks %s went on to change a stack: %q", target, c.mode, calls)
			}
		}
	}
	// what does not exist is said so, and a delete of it is no error
	out, ok, calls := r.make([]string{"FAKE_DESCRIBE=missing"}, "status-environment", "ENV=staging")
	if n := len(strings.Fields(r.run("rigletdeploy", "stacks", "out/twig/staging"))); !ok || strings.Count(out, "does not exist") != n {
		t.Errorf("status-environment of missing stacks: ok=%v, want %d \"does not exist\":\n%s", ok, n, out)
	}
	out, ok, calls = r.make([]string{"FAKE_DESCRIBE=missing"}, "delete-environment", "ENV=staging", "YES=1")
	if !ok || called(calls, "delete-stack") || !strings.Contains(out, "buildit-twig-staging-foundation does not exist") {
		t.Errorf("delete-environment of missing stacks: ok=%v, calls %q:\n%s", ok, calls, out)
	}
	out, ok, _ = r.make([]string{"FAKE_DESCRIBE=ok"}, "status-app-twig", "ENV=staging", "OUTPUT=text")
	if !ok || !strings.Contains(out, "CREATE_COMPLETE") {
		t.Errorf("status of a live stack: ok=%v:\n%s", ok, out)
	}
}

// TestDeployCommitted: a deploy target deploys only what git's HEAD holds of out/<riglet>/<env>
// and the lock; ALLOW_DIRTY=1 overrides, and the refusal says so.
func TestDeployCommitted(t *testing.T) {
	r := newDeployRepo(t)
	ok200 := []string{"FAKE_DESCRIBE=ok"}
	if out, ok, _ := r.make(ok200, "update-app-twig", "ENV=staging"); !ok {
		t.Fatalf("update of the committed out/ failed:\n%s", out)
	}
	// a change compiled but not committed: out/ matches the sources, not HEAD
	spec := filepath.Join(r.dir, "riglets", "twig.yaml")
	b, _ := os.ReadFile(spec)
	if err := os.WriteFile(spec, []byte(strings.Replace(string(b), "ContainerPort: 80\n", "ContainerPort: 8080\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, ok, _ := r.make(nil, "compile", "RIGLET=twig"); !ok {
		t.Fatalf("compile: %s", out)
	}
	for _, c := range []struct {
		name    string
		target  []string
		prepare func()
	}{
		{"modified template", []string{"update-app-twig", "ENV=staging"}, func() {}},
		{"modified template, whole env", []string{"create-environment", "ENV=staging"}, func() {}},
		{"uncommitted lock", []string{"create-foundation", "ENV=production"}, func() {
			r.git("add", ".")
			r.git("commit", "-q", "-m", "port 8080")
			r.git("rm", "-q", "--cached", "riglets/twig.lock")
			r.git("commit", "-q", "-m", "no lock")
		}},
	} {
		c.prepare()
		out, ok, calls := r.make(ok200, c.target...)
		if ok || !strings.Contains(out, "differ from git HEAD") || !strings.Contains(out, "ALLOW_DIRTY=1") || len(calls) > 0 {
			t.Errorf("%s: make %v: ok=%v, calls %q; want a refusal naming ALLOW_DIRTY=1 and no AWS call:\n%s", c.name, c.target, ok, calls, out)
		}
		out, ok, calls = r.make(append(ok200, "ALLOW_DIRTY=1"), c.target...)
		if !ok || !called(calls, "cloudformation deploy") {
			t.Errorf("%s: make %v ALLOW_DIRTY=1: ok=%v, calls %q; want a deploy:\n%s", c.name, c.target, ok, calls, out)
		}
	}
	r.git("add", "riglets/twig.lock")
	r.git("commit", "-q", "-m", "the lock")
	if out, ok, _ := r.make(ok200, "create-foundation", "ENV=production"); !ok {
		t.Errorf("deploy of a clean tree refused:\n%s", out)
	}
	// outside git nothing says what was reviewed
	os.RemoveAll(filepath.Join(r.dir, ".git"))
	if out, ok, calls := r.make(ok200, "create-foundation", "ENV=staging"); ok || !strings.Contains(out, "ALLOW_DIRTY=1") || len(calls) > 0 {
		t.Errorf("deploy outside git: ok=%v, calls %q:\n%s", ok, calls, out)
	}
}

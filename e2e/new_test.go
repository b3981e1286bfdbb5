//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// makeOwn runs make in the repository copy with its own Makefile (what riglet new wrote,
// including the deploy kit), AWS pointing at moto through the logging wrapper.
func (w *world) makeOwn(args ...string) (string, bool) {
	w.t.Helper()
	full := append([]string{"--no-print-directory",
		"AWS=" + filepath.Join(w.bin, "aws"), "AWS_ARGS=--endpoint-url=" + w.endpoint,
		"RIGLET_BIN=" + filepath.Join(w.bin, "riglet"), "RIGLETDEPLOY_BIN=" + filepath.Join(w.bin, "rigletdeploy")}, args...)
	cmd := exec.Command("make", full...)
	cmd.Dir = w.repo
	cmd.Env = w.env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	w.t.Logf("make %s (%.1fs)\n%s", strings.Join(args, " "), time.Since(start).Seconds(), out)
	return string(out), err == nil
}

func (w *world) mustMakeOwn(args ...string) string {
	w.t.Helper()
	out, ok := w.makeOwn(args...)
	if !ok {
		w.t.Fatalf("make %s failed", strings.Join(args, " "))
	}
	return out
}

// run runs a command in the repository copy, which must succeed.
func (w *world) run(name string, args ...string) string {
	w.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = w.repo
	cmd.Env = append(append([]string{}, w.env...), "GIT_AUTHOR_NAME=e2e", "GIT_AUTHOR_EMAIL=e2e@example.com",
		"GIT_COMMITTER_NAME=e2e", "GIT_COMMITTER_EMAIL=e2e@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		w.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// compileCommit compiles the new repository and commits it, as its README says: what is
// deployed is what was committed.
func (w *world) compileCommit(msg string) {
	w.t.Helper()
	w.run(filepath.Join(w.bin, "riglet"), "compile")
	w.run("git", "add", "-A")
	w.run("git", "commit", "-qm", msg)
}

// TestNew deploys what riglet new writes, through the Makefile it writes: create the env,
// add a service with riglet new service, show a change set, remove the service and
// delete its retired stack, prune the lock, and delete the env.
func TestNew(t *testing.T) {
	w := newWorld(t)
	w.repo = filepath.Join(filepath.Dir(w.repo), "shop")
	cmd := exec.Command(filepath.Join(w.bin, "riglet"), "new", "shop", "--owner", "acme", "--envs", "dev", "--region", "us-west-2")
	cmd.Dir = filepath.Dir(w.repo)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("riglet new: %v\n%s", err, out)
	}
	w.run("git", "init", "-q")
	w.compileCommit("riglet new shop")
	stack := func(s string) string { return "acme-shop-dev-" + s }

	if out := w.mustMakeOwn("help"); !strings.Contains(out, "dev: foundation app-shop") || strings.Contains(out, "Develop") {
		t.Errorf("make help in the new repository: want its stacks and no developer targets")
	}
	w.mustMakeOwn("create-environment", "ENV=dev", "IMAGE_TAG=1") // a first deploy names the image tag
	live := w.stacks()
	for _, s := range []string{"foundation", "app-shop"} {
		if st := live[stack(s)].StackStatus; st != "CREATE_COMPLETE" {
			t.Errorf("stack %s: %q, want CREATE_COMPLETE", stack(s), st)
		}
	}
	if out := w.mustMakeOwn("status-environment", "ENV=dev"); !strings.Contains(out, "Stack") || !strings.Contains(out, "Status") ||
		!strings.Contains(out, "CREATE_COMPLETE") {
		t.Errorf("status-environment prints no table headers")
	}
	if t.Failed() {
		t.FailNow()
	}

	t.Run("new service", func(t *testing.T) {
		w.run(filepath.Join(w.bin, "riglet"), "new", "service", "api", "--path", "/api/*")
		w.compileCommit("add api")
		w.mustMakeOwn("create-app-api", "ENV=dev", "IMAGE_TAG=1")
		if st := w.stacks()[stack("app-api")].StackStatus; st != "CREATE_COMPLETE" {
			t.Fatalf("stack %s: %q, want CREATE_COMPLETE", stack("app-api"), st)
		}
		out := w.mustMakeOwn("changeset-app-api", "ENV=dev", "IMAGE_TAG=2")
		if !strings.Contains(out, "apply it with: make update-app-api ENV=dev RIGLET=shop") {
			t.Errorf("the change set hint does not name the riglet")
		}
	})

	t.Run("remove the service", func(t *testing.T) {
		spec := filepath.Join(w.repo, "riglets", "shop.yaml")
		b, err := os.ReadFile(spec)
		if err != nil {
			t.Fatal(err)
		}
		i := strings.Index(string(b), "  # The api service")
		if i < 0 {
			t.Fatalf("no api service in the spec:\n%s", b)
		}
		if err := os.WriteFile(spec, b[:i], 0o644); err != nil {
			t.Fatal(err)
		}
		w.compileCommit("remove api")
		plan := w.run(filepath.Join(w.bin, "riglet"), "plan", "shop", "--env", "dev")
		if !strings.Contains(plan, "Retired stacks") || !strings.Contains(plan, stack("app-api")) {
			t.Errorf("plan does not show the retired stack:\n%s", plan)
		}
		w.mustMakeOwn("update-environment", "ENV=dev")
		n := w.callCount()
		w.mustMakeOwn("delete-retired", "ENV=dev", "YES=1")
		var deleted []string
		for _, c := range w.callsSince(n) {
			if strings.Contains(c, "cloudformation delete-stack ") {
				deleted = append(deleted, flag(c, "--stack-name"))
			}
		}
		if strings.Join(deleted, " ") != stack("app-api") {
			t.Errorf("delete-retired deleted %q, want %s alone", deleted, stack("app-api"))
		}
		live := w.stacks()
		if _, ok := live[stack("app-api")]; ok {
			t.Errorf("the retired stack %s is still in moto", stack("app-api"))
		}
		if _, ok := live[stack("app-shop")]; !ok {
			t.Errorf("delete-retired deleted a live stack")
		}
		w.run(filepath.Join(w.bin, "riglet"), "lock", "prune", "shop")
		lock, _ := os.ReadFile(filepath.Join(w.repo, "riglets", "shop.lock"))
		if strings.Contains(string(lock), "app-api") {
			t.Errorf("the lock still holds app-api after the prune:\n%s", lock)
		}
		w.run(filepath.Join(w.bin, "riglet"), "compile", "--check", "--frozen")
		w.run("git", "commit", "-qam", "prune")
	})

	t.Run("delete-environment", func(t *testing.T) {
		w.mustMakeOwn("delete-environment", "ENV=dev", "YES=1")
		for name := range w.stacks() {
			if strings.HasPrefix(name, "acme-shop-") {
				t.Errorf("stack %s left", name)
			}
		}
	})
}

//go:build e2e

package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const walkthrough = "## From an empty account, on moto_server"

// docScript is the walkthrough of docs/deploy.md as one sh script: its sh blocks in order,
// and after each `<!-- e2e: NAME -->` marker a call of $E2E_CHECKPOINT NAME, where the test
// looks at moto before the script goes on.
func docScript(t *testing.T, root string) (script string, checkpoints []string) {
	b, err := os.ReadFile(filepath.Join(root, "docs", "deploy.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "\n"+walkthrough+"\n")
	if i < 0 {
		t.Fatalf("docs/deploy.md has no section %q", walkthrough)
	}
	text = text[i+len(walkthrough)+2:]
	if j := strings.Index(text, "\n## "); j >= 0 {
		text = text[:j]
	}
	var sb strings.Builder
	sb.WriteString("set -eu\n")
	in := false
	for _, line := range strings.Split(text, "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```sh":
			in = true
		case in && strings.TrimSpace(line) == "```":
			in = false
		case in:
			sb.WriteString(line + "\n")
		case strings.HasPrefix(line, "<!-- e2e: "):
			name := strings.TrimSuffix(strings.TrimPrefix(line, "<!-- e2e: "), " -->")
			checkpoints = append(checkpoints, name)
			fmt.Fprintf(&sb, "\"$E2E_CHECKPOINT\" %s\n", name)
		}
	}
	return sb.String(), checkpoints
}

// checkpointScript tells the test it has reached $1, then waits for it to say go on (or stop).
const checkpointScript = `#!/bin/sh
touch "$E2E_DIR/$1.reached"
while [ ! -e "$E2E_DIR/$1.go" ]; do sleep 0.2; done
[ ! -e "$E2E_DIR/$1.stop" ]
`

// TestDocsWalkthrough runs docs/deploy.md's moto walkthrough as written, in a copy of the
// repository (its tracked and new files, as one commit), on a free port instead of 5000:
// the three example riglets from an empty account to deployed, released and deleted. At
// its checkpoints the test asserts on what moto holds.
func TestDocsWalkthrough(t *testing.T) {
	awsPath := requirements(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	script, checkpoints := docScript(t, root)
	if strings.Join(checkpoints, " ") != "deployed deleted" {
		t.Fatalf("docs/deploy.md's walkthrough has checkpoints %q, want deployed, deleted", checkpoints)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	if !strings.Contains(script, "export MOTO_PORT=5000\n") {
		t.Fatalf("the walkthrough does not start with export MOTO_PORT=5000, which the test replaces by a free port")
	}
	script = strings.Replace(script, "export MOTO_PORT=5000\n", fmt.Sprintf("export MOTO_PORT=%d\n", port), 1)

	tmp := t.TempDir()
	w := &world{t: t, root: root, repo: filepath.Join(tmp, "repo"), awsPath: awsPath,
		endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), riglets: []string{"twig", "fluoride", "otx"}}
	ls := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard")
	ls.Dir = root
	files, err := ls.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	for _, f := range strings.Split(strings.TrimSpace(string(files)), "\n") {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			copyFile(t, filepath.Join(root, f), filepath.Join(w.repo, f))
		}
	}
	var base []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "MAKEFLAGS=") && !strings.HasPrefix(kv, "MFLAGS=") {
			base = append(base, kv)
		}
	}
	// the reader's shell: no AWS settings but what the walkthrough exports, none of the
	// machine user's AWS or git config, and the aws the test found first on PATH
	base = append(base, "AWS_CONFIG_FILE="+filepath.Join(tmp, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(tmp, "no-aws-credentials"), "AWS_PAGER=",
		"PATH="+filepath.Dir(awsPath)+string(os.PathListSeparator)+os.Getenv("PATH"))
	base = append(base, gitEnv...)
	w.env = append(append([]string{}, base...), "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_DEFAULT_REGION=us-west-2")
	w.git("init", "-q")
	w.commit("riglet, as cloned")

	hook := filepath.Join(tmp, "checkpoint")
	if err := os.WriteFile(hook, []byte(checkpointScript), 0o755); err != nil {
		t.Fatal(err)
	}
	scriptFile := filepath.Join(tmp, "walkthrough.sh")
	if err := os.WriteFile(scriptFile, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(tmp, "walkthrough.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", scriptFile)
	cmd.Dir = w.repo
	cmd.Env = append(append([]string{}, base...), "E2E_CHECKPOINT="+hook, "E2E_DIR="+tmp)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // moto, started in the background, goes with it
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	done := false
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if !done {
			<-exited
		}
		logFile.Close()
		b, _ := os.ReadFile(logFile.Name())
		if t.Failed() {
			t.Logf("walkthrough output (last 6000 bytes):\n%s", tail(b, 6000))
			m, _ := os.ReadFile(filepath.Join(w.repo, "moto.log"))
			t.Logf("moto.log (last 2000 bytes):\n%s", tail(m, 2000))
		}
	})

	// wait runs until the script reaches a checkpoint or ends.
	wait := func(name string) {
		t.Helper()
		for {
			select {
			case err := <-exited:
				done = true
				t.Fatalf("the walkthrough ended (%v) before the checkpoint %s, after %.0fs", err, name, time.Since(start).Seconds())
			case <-time.After(500 * time.Millisecond):
			}
			if _, err := os.Stat(filepath.Join(tmp, name+".reached")); err == nil {
				t.Logf("walkthrough: %s after %.0fs", name, time.Since(start).Seconds())
				return
			}
		}
	}
	goOn := func(name string) {
		if t.Failed() {
			os.WriteFile(filepath.Join(tmp, name+".stop"), nil, 0o644)
		}
		os.WriteFile(filepath.Join(tmp, name+".go"), nil, 0o644)
		if t.Failed() {
			t.FailNow()
		}
	}

	wait("deployed")
	live := w.stacks()
	for _, r := range w.riglets {
		for _, env := range []string{"shared", "staging"} {
			m := w.manifest(r, env)
			for _, s := range m.Stacks {
				if s.Name == "build" {
					continue // the pipeline needs a source connection; the walkthrough leaves it
				}
				if st := live[s.StackName].StackStatus; st != "CREATE_COMPLETE" && st != "UPDATE_COMPLETE" {
					t.Errorf("%s: %q, want it deployed", s.StackName, st)
				}
			}
		}
		m := w.manifest(r, "staging")
		t.Run(r+"/network", func(t *testing.T) { w.checkNetwork(m, r, "staging") })
		t.Run(r+"/exports and imports", func(t *testing.T) { w.checkExports(m, r, "staging") })
		t.Run(r+"/topics and queues", func(t *testing.T) { w.checkTopicsQueues(m, r, "staging") })
		t.Run(r+"/listener rule priorities", func(t *testing.T) { w.checkPriorities(m, r, "staging") })
	}
	for _, s := range w.manifest("twig", "production").Stacks {
		if got := live[s.StackName]; got.StackStatus != "CREATE_COMPLETE" || !got.EnableTerminationProtection {
			t.Errorf("%s: %s, protected %v; want created and protected", s.StackName, got.StackStatus, got.EnableTerminationProtection)
		}
	}
	for _, app := range []struct{ riglet, stack string }{{"twig", "app-twig-api"}, {"fluoride", "app"}} {
		name := w.manifest(app.riglet, "staging").stackName(app.stack)
		if got := param(live[name], "ImageTag"); got != "1.4.2" {
			t.Errorf("%s runs ImageTag %q, want the release's 1.4.2", name, got)
		}
	}
	log, _ := os.ReadFile(logFile.Name())
	shown := ""
	if i := strings.Index(string(log), "==> change set for"); i >= 0 {
		shown = string(log[i:])
		if j := strings.Index(shown, "apply it with"); j >= 0 {
			shown = shown[:j]
		}
	}
	t.Logf("the walkthrough's change set:\n%s", shown)
	if !strings.Contains(shown, "change set arn:aws:cloudformation:") || !strings.Contains(shown, "Modify") {
		t.Errorf("the walkthrough shows no change set that modifies the service")
	}
	goOn("deployed")

	wait("deleted")
	if left := w.stacks(); len(left) > 0 {
		for name, s := range left {
			t.Errorf("stack %s left after the walkthrough's deletes: %s", name, s.StackStatus)
		}
	}
	goOn("deleted")
	select {
	case err := <-exited:
		done = true
		if err != nil {
			t.Fatalf("the walkthrough's last block failed: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatalf("the walkthrough did not end within a minute of its last checkpoint")
	}
	t.Logf("walkthrough: %.0fs in all", time.Since(start).Seconds())
}

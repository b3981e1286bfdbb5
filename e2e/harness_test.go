//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
)

// world is one moto_server and one copy of a riglet repository that make deploys from.
type world struct {
	t        *testing.T
	root     string // the riglet module
	repo     string // the copy make runs in
	bin      string // riglet, rigletdeploy and the logging aws wrapper
	endpoint string
	awsPath  string
	calls    string // the AWS CLI calls made through make, one per line
	env      []string
	riglets  []string
}

// requirements fails the test, naming what is missing, when a tool is not there.
func requirements(t *testing.T) (awsPath string) {
	t.Helper()
	var missing []string
	for _, tool := range []string{"make", "go", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool+" (not on PATH)")
		}
	}
	if out, err := exec.Command("python3", "-c", "import moto, moto.server, flask, yaml").CombinedOutput(); err != nil {
		missing = append(missing, "moto with its server extras for python3 (pip install 'moto[server]'): "+lastLine(out))
	}
	awsPath = os.Getenv("RIGLET_E2E_AWS")
	if awsPath == "" {
		awsPath = "aws"
	}
	p, err := exec.LookPath(awsPath)
	if err != nil {
		missing = append(missing, "the AWS CLI (pip install awscli, or apt-get install awscli; RIGLET_E2E_AWS names another)")
	}
	if len(missing) > 0 {
		t.Fatalf("the end-to-end test cannot run; missing:\n  %s", strings.Join(missing, "\n  "))
	}
	return p
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// newWorld builds the tools, copies the named riglets with envs/ and out/ into a temporary
// repository, and starts moto_server.
func newWorld(t *testing.T, riglets ...string) *world {
	awsPath := requirements(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	w := &world{t: t, root: root, repo: filepath.Join(tmp, "repo"), bin: filepath.Join(tmp, "bin"),
		awsPath: awsPath, calls: filepath.Join(tmp, "calls.log"), riglets: riglets}
	for _, cmd := range []string{"riglet", "rigletdeploy"} {
		c := exec.Command("go", "build", "-o", filepath.Join(w.bin, cmd), "./cmd/"+cmd)
		c.Dir = root
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("go build ./cmd/%s: %v\n%s", cmd, err, out)
		}
	}
	// Every call make makes goes through this wrapper, so the test can assert on them.
	wrapper := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$*\" >> '%s'\nexec '%s' \"$@\"\n", w.calls, awsPath)
	if err := os.WriteFile(filepath.Join(w.bin, "aws"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	copyTree(t, filepath.Join(root, "envs"), filepath.Join(w.repo, "envs"))
	for _, r := range riglets {
		for _, f := range []string{r + ".yaml", r + ".lock"} {
			copyFile(t, filepath.Join(root, "riglets", f), filepath.Join(w.repo, "riglets", f))
		}
		copyTree(t, filepath.Join(root, "out", r), filepath.Join(w.repo, "out", r))
	}
	w.startMoto(tmp)
	// deploy targets deploy only what git's HEAD holds
	w.git("init", "-q")
	w.commit("the example riglets")
	return w
}

// gitEnv is who commits in the repository copies: no git config of the machine's user.
var gitEnv = []string{"GIT_AUTHOR_NAME=e2e", "GIT_AUTHOR_EMAIL=e2e@example.com", "GIT_COMMITTER_NAME=e2e",
	"GIT_COMMITTER_EMAIL=e2e@example.com", "GIT_CONFIG_NOSYSTEM=1"}

func (w *world) git(args ...string) {
	w.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = w.repo
	cmd.Env = append(append([]string{}, w.env...), gitEnv...)
	if out, err := cmd.CombinedOutput(); err != nil {
		w.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// commit commits everything in the repository copy, as a reviewed change would be.
func (w *world) commit(msg string) {
	w.t.Helper()
	w.git("add", "-A")
	w.git("commit", "-q", "--allow-empty", "-m", msg)
}

// startMoto runs testdata/moto_server.py on a free port of 127.0.0.1 until the test ends.
func (w *world) startMoto(tmp string) {
	t := w.t
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	logf, err := os.Create(filepath.Join(tmp, "moto.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", filepath.Join(w.root, "e2e", "testdata", "moto_server.py"),
		"-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto_server: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("moto_server log (last 3000 bytes):\n%s", tail(b, 3000))
		}
	})
	w.endpoint = fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := net.Dial("tcp", l.Addr().String())
		if err == nil {
			conn.Close()
			break
		}
		select {
		case err := <-exited:
			b, _ := os.ReadFile(logf.Name())
			t.Fatalf("moto_server exited: %v\n%s", err, tail(b, 3000))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer on %s within 60s", w.endpoint)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Dummy credentials (moto's account is 123456789012, the examples' account), and no
	// config of the machine's user.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "MAKEFLAGS=") && !strings.HasPrefix(kv, "MFLAGS=") {
			w.env = append(w.env, kv)
		}
	}
	w.env = append(w.env,
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_DEFAULT_REGION=us-west-2",
		"AWS_CONFIG_FILE="+filepath.Join(tmp, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(tmp, "no-aws-credentials"),
		"AWS_PAGER=",
		// `aws cloudformation deploy --s3-bucket` uploads with a client that ignores
		// --endpoint-url; the endpoint variable reaches it. localhost, not 127.0.0.1: moto
		// reads a TemplateURL's bucket from the path only when the host is localhost.
		"AWS_ENDPOINT_URL_S3="+strings.Replace(w.endpoint, "127.0.0.1", "localhost", 1),
	)
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// make runs make in the repository copy with AWS pointing at moto through the wrapper,
// and returns its combined output and whether it succeeded.
func (w *world) make(env []string, args ...string) (string, bool) {
	w.t.Helper()
	full := append([]string{"--no-print-directory", "-f", filepath.Join(w.root, "Makefile"),
		"AWS=" + filepath.Join(w.bin, "aws"), "AWS_ARGS=--endpoint-url=" + w.endpoint,
		"RIGLET_BIN=" + filepath.Join(w.bin, "riglet"), "RIGLETDEPLOY_BIN=" + filepath.Join(w.bin, "rigletdeploy")}, args...)
	cmd := exec.Command("make", full...)
	cmd.Dir = w.repo
	cmd.Env = append(append([]string{}, w.env...), env...)
	cmd.Stdin = nil // no terminal: delete must not wait for an answer
	start := time.Now()
	out, err := cmd.CombinedOutput()
	w.t.Logf("make %s (%.1fs)\n%s", strings.Join(args, " "), time.Since(start).Seconds(), out)
	return string(out), err == nil
}

// mustMake is make that must succeed.
func (w *world) mustMake(args ...string) string {
	w.t.Helper()
	out, ok := w.make(nil, args...)
	if !ok {
		w.t.Fatalf("make %s failed", strings.Join(args, " "))
	}
	return out
}

// callsSince returns the AWS CLI calls logged after the first n.
func (w *world) callsSince(n int) []string {
	b, err := os.ReadFile(w.calls)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		w.t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		lines = nil
	}
	if n > len(lines) {
		n = len(lines)
	}
	return lines[n:]
}

func (w *world) callCount() int { return len(w.callsSince(0)) }

// aws asks moto directly (not through make, not logged) and decodes the JSON answer.
func (w *world) aws(v any, args ...string) {
	w.t.Helper()
	if err := w.awsErr(v, args...); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) awsErr(v any, args ...string) error {
	return w.awsIn("us-west-2", nil, v, args...)
}

// awsIn asks moto in region with the given credentials (environment variables; nil for
// the default ones) and decodes the JSON answer.
func (w *world) awsIn(region string, creds []string, v any, args ...string) error {
	full := append([]string{"--endpoint-url=" + w.endpoint, "--region", region, "--output", "json"}, args...)
	cmd := exec.Command(w.awsPath, full...)
	cmd.Env = append(append([]string{}, w.env...), creds...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	if v == nil || len(bytes.TrimSpace(out)) == 0 {
		return nil
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// manifest is what the test reads of stacks.json.
type manifest struct {
	Env     string `json:"env"`
	Account string `json:"account"`
	Region  string `json:"region"`
	Stacks  []struct {
		Name                  string            `json:"name"`
		StackName             string            `json:"stackName"`
		Template              string            `json:"template"`
		Needs                 []string          `json:"needs"`
		Capabilities          []string          `json:"capabilities"`
		Tags                  map[string]string `json:"tags"`
		OverBodyLimit         bool              `json:"overBodyLimit"`
		TerminationProtection bool              `json:"terminationProtection"`
	} `json:"stacks"`
}

func (w *world) manifest(riglet, env string) manifest {
	w.t.Helper()
	var m manifest
	b, err := os.ReadFile(filepath.Join(w.repo, "out", riglet, env, "stacks.json"))
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil {
		w.t.Fatal(err)
	}
	return m
}

// template is what the test reads of a generated template.
type template struct {
	Resources map[string]struct {
		Type           string `yaml:"Type"`
		DeletionPolicy string `yaml:"DeletionPolicy"`
	} `yaml:"Resources"`
	Outputs map[string]struct {
		Export struct {
			Name string `yaml:"Name"`
		} `yaml:"Export"`
	} `yaml:"Outputs"`
	Imports []string `yaml:"-"`
}

func (w *world) template(riglet, env, file string) template {
	w.t.Helper()
	b, err := os.ReadFile(filepath.Join(w.repo, "out", riglet, env, file))
	if err != nil {
		w.t.Fatal(err)
	}
	var tpl template
	if err := yaml.Unmarshal(b, &tpl); err != nil {
		w.t.Fatalf("%s: %v", file, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		for _, key := range []string{"!ImportValue ", "Fn::ImportValue: "} {
			if _, after, ok := strings.Cut(line, key); ok {
				tpl.Imports = append(tpl.Imports, strings.Trim(strings.TrimSpace(after), `'"`))
			}
		}
	}
	return tpl
}

func (tpl template) count(typ string) int {
	n := 0
	for _, r := range tpl.Resources {
		if r.Type == typ {
			n++
		}
	}
	return n
}

// lock is what the test reads of a riglet's lock: the derived CIDRs.
type lock struct {
	Network map[string]struct {
		Cidr    string                       `yaml:"cidr"`
		Subnets map[string]map[string]string `yaml:"subnets"`
	} `yaml:"network"`
	// env -> listener -> rule -> priority
	Priorities map[string]map[string]map[string]int `yaml:"priorities"`
}

func (w *world) lock(riglet string) lock {
	w.t.Helper()
	var l lock
	b, err := os.ReadFile(filepath.Join(w.repo, "riglets", riglet+".lock"))
	if err == nil {
		err = yaml.Unmarshal(b, &l)
	}
	if err != nil {
		w.t.Fatal(err)
	}
	return l
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		copyFile(t, p, filepath.Join(to, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// edit replaces old by new in a file of the repository copy, which must hold old once.
func (w *world) edit(file, old, new string) {
	w.t.Helper()
	p := filepath.Join(w.repo, file)
	b, err := os.ReadFile(p)
	if err != nil {
		w.t.Fatal(err)
	}
	if n := strings.Count(string(b), old); n != 1 {
		w.t.Fatalf("%s holds %q %d times, want once", file, old, n)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

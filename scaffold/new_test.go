package scaffold

import (
	"os"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/riglet/riglet/deploykit"
)

func repoFiles(t *testing.T, o Options) map[string]File {
	t.Helper()
	fs, err := Repo(o)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]File{}
	for _, f := range fs {
		m[f.Path] = f
	}
	return m
}

// TestRepoHooks: the pre-commit config uses hooks this repository defines, and keeps
// cfn-lint on out/ only.
func TestRepoHooks(t *testing.T) {
	f := repoFiles(t, Options{Name: "shop"})
	var defined []struct{ ID string }
	b, err := os.ReadFile("../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &defined); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, h := range defined {
		ids[h.ID] = true
	}
	var cfg struct {
		Repos []struct {
			Repo  string
			Rev   string
			Hooks []struct{ ID, Files string }
		}
	}
	if err := yaml.Unmarshal(f[".pre-commit-config.yaml"].Data, &cfg); err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, r := range cfg.Repos {
		for _, h := range r.Hooks {
			found[h.ID] = h.Files
			if r.Repo == "https://github.com/riglet/riglet" && !ids[h.ID] {
				t.Errorf("hook %s is not in riglet's .pre-commit-hooks.yaml", h.ID)
			}
		}
	}
	for _, id := range []string{"riglet-check"} {
		if _, ok := found[id]; !ok {
			t.Errorf("the pre-commit config lacks %s", id)
		}
	}
	if found["cfn-lint"] != `^out/.*\.yaml$` {
		t.Errorf("cfn-lint's hook runs on %q, want out/ only", found["cfn-lint"])
	}
	var rc struct {
		Templates       []string `yaml:"templates"`
		IgnoreTemplates []string `yaml:"ignore_templates"`
	}
	if err := yaml.Unmarshal(f[".cfnlintrc"].Data, &rc); err != nil {
		t.Fatal(err)
	}
	if strings.Join(rc.Templates, " ") != "out/**/*.yaml" || strings.Join(rc.IgnoreTemplates, " ") != "blocks/**/*.yaml" {
		t.Errorf(".cfnlintrc lints %v and ignores %v, want out/ and not blocks/", rc.Templates, rc.IgnoreTemplates)
	}
}

// TestRepoWorkflow: CI checks the lock and out/, uploads lint's SARIF and comments the
// diff on pull requests.
func TestRepoWorkflow(t *testing.T) {
	f := repoFiles(t, Options{Name: "shop"})
	var wf struct {
		Permissions map[string]string
		Jobs        map[string]struct {
			Steps []struct {
				Uses, Run, If string
				With          map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(f[".github/workflows/riglet.yml"].Data, &wf); err != nil {
		t.Fatal(err)
	}
	var runs, uses []string
	for _, j := range wf.Jobs {
		for _, s := range j.Steps {
			runs = append(runs, s.Run)
			uses = append(uses, s.Uses)
		}
	}
	all := strings.Join(runs, "\n")
	for _, want := range []string{"riglet compile --check --frozen", "riglet lint --format sarif > riglet.sarif",
		"riglet diff --base", "--format markdown > riglet-diff.md", "gh pr comment", "riglet lint --format github"} {
		if !strings.Contains(all, want) {
			t.Errorf("the workflow does not run %q", want)
		}
	}
	if !strings.Contains(strings.Join(uses, " "), "github/codeql-action/upload-sarif") {
		t.Errorf("the workflow does not upload the SARIF")
	}
	if wf.Permissions["security-events"] != "write" || wf.Permissions["pull-requests"] != "write" {
		t.Errorf("permissions %v: upload and comment need security-events and pull-requests write", wf.Permissions)
	}
}

// TestRepoKit: the deploy kit is riglet's own, and the Makefile includes it.
func TestRepoKit(t *testing.T) {
	f := repoFiles(t, Options{Name: "shop", Envs: []string{"qa"}})
	for _, p := range []string{"riglet.mk", "deploy.sh"} {
		want, _ := deploykit.FS.ReadFile(p)
		if string(f["deploykit/"+p].Data) != string(want) {
			t.Errorf("deploykit/%s differs from riglet's", p)
		}
	}
	if !f["deploykit/deploy.sh"].Exec {
		t.Errorf("deploy.sh is not executable")
	}
	if !strings.Contains(string(f["Makefile"].Data), "\n"+deploykit.Include+"\n") {
		t.Errorf("the Makefile does not include the kit:\n%s", f["Makefile"].Data)
	}
	if _, ok := f["envs/qa.yaml"]; !ok || len(f) != 10 {
		t.Errorf("files %v, want the one env qa among 10", len(f))
	}
}

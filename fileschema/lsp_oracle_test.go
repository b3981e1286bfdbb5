//go:build oracle

package fileschema_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/source"
)

// TestLanguageServer runs the YAML language server (oracles/npm/yaml-language-server)
// headless, as VS Code would, over an example spec whose modeline names spec.json
// relative to the file (as the language server resolves it) and with one parameter
// out of range: it must report that one problem at its line and nothing else (the
// short tags, told as yaml.customTags, are no errors), and complete an ecs-service
// instance's params with exactly the block's parameters not yet set.
func TestLanguageServer(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("the language server oracle needs node: apt-get install nodejs")
	}
	server, _ := filepath.Abs("../oracles/npm/yaml-language-server/node_modules/yaml-language-server/bin/yaml-language-server")
	if _, err := os.Stat(server); err != nil {
		t.Fatal("the language server oracle is not installed: npm ci --prefix oracles/npm/yaml-language-server")
	}
	repo := t.TempDir()
	os.MkdirAll(filepath.Join(repo, "riglets"), 0o755)
	os.MkdirAll(filepath.Join(repo, ".riglet", "schema"), 0o755)
	schema, err := os.ReadFile("../docs/schema/spec.json")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(repo, ".riglet", "schema", "spec.json"), schema, 0o644)

	src, err := os.ReadFile("../riglets/twig.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	wrong, params := -1, -1
	for i, l := range lines {
		if strings.TrimSpace(l) == "ContainerPort: 3000" {
			wrong = i
		}
		if wrong >= 0 && params < 0 && strings.TrimSpace(l) == "PathPattern: /api/*" {
			params = i + 1
		}
	}
	if wrong < 0 || params < 0 {
		t.Fatal("riglets/twig.yaml has no twig-api service with ContainerPort: 3000 and PathPattern: /api/*")
	}
	lines[wrong] = strings.Replace(lines[wrong], "3000", "70000", 1) // above the block's MaxValue 65535
	indent := strings.Repeat(" ", len(lines[wrong])-len(strings.TrimLeft(lines[wrong], " ")))
	lines = append(lines[:params], append([]string{indent}, lines[params:]...)...) // where an editor asks for a parameter
	text := "# yaml-language-server: $schema=../.riglet/schema/spec.json\n" + strings.Join(lines, "\n")
	file := filepath.Join(repo, "riglets", "twig.yaml")
	os.WriteFile(file, []byte(text), 0o644)
	wrongLine := wrong + 2 // 1-based, below the modeline

	var tags []string
	for _, tg := range source.ShortTags() {
		tags = append(tags, tg+" scalar", tg+" sequence", tg+" mapping")
	}
	tagJSON, _ := json.Marshal(tags)
	cmd := exec.Command(node, "testdata/lsp.cjs", server, file, strconv.Itoa(params+1), strconv.Itoa(len(indent)))
	cmd.Env = append(os.Environ(), "RIGLET_TAGS="+string(tagJSON))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("language server: %v", err)
	}
	t.Logf("language server: %s", out)
	var res struct {
		Diagnostics []struct {
			Line    int    `json:"line"`
			Message string `json:"message"`
		} `json:"diagnostics"`
		Completion []string `json:"completion"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Diagnostics) != 1 || res.Diagnostics[0].Line != wrongLine || !strings.Contains(res.Diagnostics[0].Message, "65535") {
		t.Errorf("want one diagnostic, ContainerPort above 65535 at line %d; got %+v", wrongLine, res.Diagnostics)
	}

	b, err := model.NewLibrary(nil, blocks.FS).Get("ecs-service")
	if err != nil {
		t.Fatal(err)
	}
	// the parameters the spec's app-twig-api service sets already, read from the spec
	var errs ir.Errors
	spec := model.LoadSpec(os.DirFS(".."), "riglets/twig.yaml", &errs)
	if spec == nil {
		t.Fatal(errs.Err())
	}
	set := map[string]bool{}
	for _, st := range spec.Stacks {
		for _, in := range st.Instances {
			if st.Name == "app-twig-api" && in.Block == "ecs-service" && in.Params != nil {
				for _, k := range in.Params.Keys() {
					set[k] = true
				}
			}
		}
	}
	if !set["ContainerPort"] || !set["PathPattern"] {
		t.Fatalf("the app-twig-api service's params, as read: %v", set)
	}
	want := map[string]bool{}
	for _, p := range b.Params {
		if !set[p.Name] {
			want[p.Name] = true
		}
	}
	got := map[string]bool{}
	for _, c := range res.Completion {
		if !strings.HasPrefix(c, "!") {
			got[c] = true
		}
	}
	for p := range want {
		if !got[p] {
			t.Errorf("completion misses ecs-service parameter %s", p)
		}
	}
	for c := range got {
		if !want[c] {
			t.Errorf("completion offers %s, not an unset ecs-service parameter", c)
		}
	}
}

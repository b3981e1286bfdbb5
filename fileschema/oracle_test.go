//go:build oracle

package fileschema_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/fileschema"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/source"
)

// ajv runs the ajv oracle (oracles/npm/ajv) over YAML files, each read by riglet's own
// parser (short tags long, as the compiler sees them) and given to ajv as JSON; it
// returns, per file, the errors ajv found (none: valid).
func ajv(t *testing.T, schema string, files map[string][]byte) map[string][]string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("the ajv oracle needs node: apt-get install nodejs")
	}
	dir, _ := filepath.Abs("../oracles/npm/ajv/node_modules/ajv")
	if _, err := os.Stat(dir); err != nil {
		t.Fatal("the ajv oracle is not installed: npm ci --prefix oracles/npm/ajv")
	}
	tmp := t.TempDir()
	args := []string{"testdata/validate.cjs", schema}
	byJSON := map[string]string{}
	i := 0
	for name, data := range files {
		n, err := source.Parse(name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		js, err := json.Marshal(toJSON(n))
		if err != nil {
			t.Fatal(err)
		}
		i++
		p := filepath.Join(tmp, strconv.Itoa(i)+".json")
		if err := os.WriteFile(p, js, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
		byJSON[p] = name
	}
	cmd := exec.Command(node, args...)
	cmd.Env = append(os.Environ(), "AJV_DIR="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ajv: %v\n%s", err, stderr.String())
	}
	res := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r struct {
			File   string   `json:"file"`
			Valid  bool     `json:"valid"`
			Errors []string `json:"errors"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("ajv said %q: %v", sc.Text(), err)
		}
		if !r.Valid && len(r.Errors) == 0 {
			r.Errors = []string{"invalid"}
		}
		res[byJSON[r.File]] = r.Errors
	}
	if len(res) != len(files) {
		t.Fatalf("ajv judged %d of %d files", len(res), len(files))
	}
	return res
}

func toJSON(n *ir.Node) any {
	switch n.Kind {
	case ir.Map:
		m := map[string]any{}
		for _, p := range n.Pairs {
			m[p.Key] = toJSON(p.Value)
		}
		return m
	case ir.List:
		l := []any{}
		for _, it := range n.Items {
			l = append(l, toJSON(it))
		}
		return l
	case ir.Number:
		if _, err := strconv.ParseFloat(n.Text, 64); err == nil {
			return json.Number(n.Text)
		}
		return n.Text
	case ir.Bool:
		return n.Text == "true"
	case ir.Null:
		return nil
	}
	return n.Text
}

func glob(t *testing.T, pattern string) map[string][]byte {
	t.Helper()
	m, _ := filepath.Glob(pattern)
	if len(m) == 0 {
		t.Fatalf("no %s", pattern)
	}
	out := map[string][]byte{}
	for _, f := range m {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = data
	}
	return out
}

// TestExamplesValidate: every example env file, riglet spec and built-in block is
// valid against its committed schema, as ajv judges.
func TestExamplesValidate(t *testing.T) {
	for schema, files := range map[string]map[string][]byte{
		"../docs/schema/env.json":   glob(t, "../envs/*.yaml"),
		"../docs/schema/spec.json":  glob(t, "../riglets/*.yaml"),
		"../docs/schema/block.json": glob(t, "../blocks/*/block.yaml"),
	} {
		for f, errs := range ajv(t, schema, files) {
			if len(errs) > 0 {
				t.Errorf("%s is not valid against %s: %v", f, schema, errs)
			}
		}
	}
}

// TestWrongFilesFailValidation: each file of the corpus, which the compiler rejects
// (TestWrongFilesFailToCompile), is rejected by its schema too, and the base files it
// is made from are valid.
func TestWrongFilesFailValidation(t *testing.T) {
	byFormat := map[string]map[string][]byte{}
	for _, c := range wrongCases(t) {
		if byFormat[c.format] == nil {
			byFormat[c.format] = map[string][]byte{}
		}
		byFormat[c.format][c.name] = c.data
	}
	for format, files := range byFormat {
		res := ajv(t, "../docs/schema/"+format+".json", files)
		for name, errs := range res {
			if len(errs) == 0 {
				t.Errorf("%s: the compiler rejects it, %s.json accepts it", name, format)
			}
		}
	}
	// The base spec names the repository's own block b: valid against the schema
	// riglet schema writes in that repository, not against the built-in one.
	base := baseFiles(t)
	repo := fstest.MapFS{"blocks/b/block.yaml": {Data: base["block"]}}
	spec, err := fileschema.Spec(model.NewLibrary(repo, blocks.FS))
	if err != nil {
		t.Fatal(err)
	}
	userSchema := filepath.Join(t.TempDir(), "spec.json")
	if err := os.WriteFile(userSchema, spec, 0o644); err != nil {
		t.Fatal(err)
	}
	for schema, f := range map[string]string{"../docs/schema/env.json": "env", "../docs/schema/block.json": "block", userSchema: "spec"} {
		for name, errs := range ajv(t, schema, map[string][]byte{"base/" + f + ".yaml": base[f]}) {
			if len(errs) > 0 {
				t.Errorf("%s is not valid: %v", name, errs)
			}
		}
	}
	if errs := ajv(t, "../docs/schema/spec.json", map[string][]byte{"base/spec.yaml": base["spec"]}); len(errs["base/spec.yaml"]) == 0 {
		t.Error("the built-in schema knows the repository's block b")
	}
}

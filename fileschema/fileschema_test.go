package fileschema_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/fileschema"
	"github.com/riglet/riglet/model"
)

// TestCommittedSchemasAreCurrent: docs/schema holds what the key tables and the
// built-in library give today, and nothing else.
func TestCommittedSchemasAreCurrent(t *testing.T) {
	want, err := fileschema.All(model.NewLibrary(nil, blocks.FS))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{fileschema.EnvFile, fileschema.SpecFile, fileschema.BlockFile} {
		got, err := os.ReadFile(filepath.Join("..", fileschema.Dir, name))
		if err != nil {
			t.Errorf("%s/%s is missing: run go generate ./...", fileschema.Dir, name)
			continue
		}
		if !bytes.Equal(got, want[name]) {
			t.Errorf("%s/%s is stale: run go generate ./... (-committed +generated):\n%s", fileschema.Dir, name, cmp.Diff(string(got), string(want[name])))
		}
	}
	if len(want) != 3 {
		t.Errorf("%d schemas, want env, spec and block", len(want))
	}
}

// TestSpecSchemaKnowsTheLibrary: the spec schema lists every block of the library in
// effect, the repository's own included, with each parameter's allowed values and
// default, and refuses a parameter the block does not have.
func TestSpecSchemaKnowsTheLibrary(t *testing.T) {
	user := fstest.MapFS{"blocks/mine/block.yaml": {Data: []byte(
		"Parameters:\n  Size: {Type: String, AllowedValues: [small, large], Default: small}\nResources:\n  T: {Type: AWS::SNS::Topic}\n")}}
	data, err := fileschema.Spec(model.NewLibrary(user, blocks.FS))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Definitions map[string]json.RawMessage `json:"definitions"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	var inst struct {
		Properties struct {
			Block struct {
				Enum []string `json:"enum"`
			} `json:"block"`
		} `json:"properties"`
	}
	json.Unmarshal(s.Definitions["instance"], &inst)
	names := map[string]bool{}
	for _, n := range inst.Properties.Block.Enum {
		names[n] = true
	}
	for _, want := range []string{"mine", "ecs-service", "vpc"} {
		if !names[want] {
			t.Errorf("block %s is not among the instance's blocks %v", want, inst.Properties.Block.Enum)
		}
	}
	if names["autoscale"] {
		t.Error("a modification is offered as an instance's block")
	}
	var mine struct {
		Properties           map[string]map[string]any `json:"properties"`
		AdditionalProperties bool                      `json:"additionalProperties"`
	}
	json.Unmarshal(s.Definitions["params-mine"], &mine)
	size := mine.Properties["Size"]
	if size == nil || size["default"] != "small" || mine.AdditionalProperties {
		t.Fatalf("params of block mine: %s", s.Definitions["params-mine"])
	}
	if got, _ := json.Marshal(size["anyOf"]); !bytes.Contains(got, []byte(`{"enum":["small","large"]}`)) {
		t.Errorf("Size's allowed values are not an enum: %s", got)
	}
	if _, err := fileschema.Spec(model.NewLibrary(nil, blocks.FS)); err != nil {
		t.Fatal(err)
	}
}

// TestSchemasAreDeterministic: the same library gives the same bytes.
func TestSchemasAreDeterministic(t *testing.T) {
	a, _ := fileschema.All(model.NewLibrary(nil, blocks.FS))
	for i := 0; i < 3; i++ {
		b, _ := fileschema.All(model.NewLibrary(nil, blocks.FS))
		if !cmp.Equal(a, b) {
			t.Fatal("two runs differ")
		}
	}
}

package docs_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/docs"
	"github.com/riglet/riglet/model"
)

// TestCommittedDocsAreCurrent regenerates the block docs in memory and compares them
// with docs/blocks: a block change without `riglet docs` fails here (and in CI).
func TestCommittedDocsAreCurrent(t *testing.T) {
	lib := model.NewLibrary(nil, blocks.FS)
	cat, err := lib.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	want, err := docs.All(lib, cat)
	if err != nil {
		t.Fatal(err)
	}
	dir := "blocks" // docs/blocks, from this package's directory
	for name, data := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("docs/blocks/%s is missing: run riglet docs", name)
			continue
		}
		if !bytes.Equal(got, data) {
			t.Errorf("docs/blocks/%s is stale: run riglet docs (-committed +generated):\n%s", name, cmp.Diff(string(got), string(data)))
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if _, ok := want[e.Name()]; !ok && strings.HasSuffix(e.Name(), ".md") {
			t.Errorf("docs/blocks/%s documents no block: delete it", e.Name())
		}
	}
}

// TestBlockDocs checks what a reader needs from a block's README.
func TestBlockDocs(t *testing.T) {
	lib := model.NewLibrary(nil, blocks.FS)
	cat, err := lib.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	service, err := docs.Block(lib, cat, "ecs-service")
	if err != nil {
		t.Fatal(err)
	}
	threshold, err := docs.Block(lib, cat, "sqs-threshold")
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.ForType("AWS::ECS::Service")) == 0 {
		t.Fatal("the catalogue has no ECS service alarm to look for")
	}
	for _, c := range []struct {
		doc  []byte
		want string
	}{
		{service, "| `ContainerPort` | Number | `80` |"},                                        // default
		{service, "| `ImageTag` | String | *required* |  | deploy-time parameter |"},            // DeployTime, no default
		{service, "wired: `alb.ServiceListenerArn`"},                                            // Wiring
		{service, "derived: `listener.priority`"},                                               // Derived
		{service, "| [autoscale](autoscale.md) |"},                                              // accepted modification
		{service, "| [sqs-threshold](sqs-threshold.md) |"},                                      // and its requirement
		{service, "| `AWS::ECS::Service` | " + cat.ForType("AWS::ECS::Service")[0].Name + " |"}, // catalogue alarm by type
		{threshold, "The instance must also have [autoscale](autoscale.md)"},                    // Requires
		{threshold, "target: ecs-service output `ServiceName`"},                                 // fed by the target
		{threshold, "| `ClusterName` | String | *required* |"},                                  // required parameter
		{threshold, "names an `AWS::SQS::Queue` of the riglet by its `QueueName` (checked)"},    // Names
	} {
		if !bytes.Contains(c.doc, []byte(c.want)) {
			t.Errorf("docs lack %q", c.want)
		}
	}
	if _, err := docs.Block(lib, cat, "no-such-block"); err == nil {
		t.Error("docs of an unknown block: no error")
	}
}

//go:build oracle

package scaffold

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
)

// TestCfnLintRC: in a new repository, cfn-lint with no arguments (what its settings in
// .cfnlintrc say) lints every generated template and passes, and leaves blocks/ alone,
// where a Block:: type is an error to it.
func TestCfnLintRC(t *testing.T) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("this oracle test needs cfn-lint on PATH (python3 -m pip install cfn-lint)")
	}
	dir := t.TempDir()
	fs, err := Repo(Options{Name: "shop", Envs: []string{"dev"}})
	if err != nil {
		t.Fatal(err)
	}
	write := func(p string, b []byte) {
		t.Helper()
		p = filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range fs {
		write(f.Path, f.Data)
	}
	block := "Parameters:\n  Name: {Type: String}\nResources:\n  Orders:\n    Type: Block::sqs-queue\n    Properties: {QueueName: !Ref Name}\n"
	write("blocks/orders/block.yaml", []byte(block))
	res, err := compiler.Compile(os.DirFS(dir), blocks.FS, "riglets/shop.yaml", compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range res.Files() {
		write("out/"+f.Path, f.Data)
		n += strings.Count(f.Path, ".yaml")
	}
	if n < 2 {
		t.Fatalf("%d templates compiled", n)
	}
	cmd := exec.Command(bin)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("cfn-lint in the new repository: %v\n%s", err, out)
	}
	// what .cfnlintrc keeps it from: the block is a finding when named
	// (from elsewhere: named in the repository, the block is still ignored)
	cmd = exec.Command(bin, "--", filepath.Join(dir, "blocks", "orders", "block.yaml"))
	cmd.Dir = t.TempDir()
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "E3006") {
		t.Errorf("cfn-lint on the block: %v, want E3006 (else the test proves nothing)\n%s", err, out)
	}
	// and it does lint out/: a broken template there is found
	write("out/shop/dev/broken.yaml", []byte("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {Nope: 1}\n"))
	cmd = exec.Command(bin)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "broken.yaml") {
		t.Errorf("cfn-lint missed a broken template in out/: %v\n%s", err, out)
	}
}

package compiler_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/ir"
)

// partialFS is a riglet of two envs and three stacks: app needs broken, which has
// an unknown block; clean has nothing wrong.
func partialFS() fstest.MapFS {
	spec := `riglet: p
owner: acme
envs: [staging, production]
stacks:
  broken:
    blocks:
      x: {block: sqs-queu}
  app:
    needs: [broken]
    blocks:
      q: {block: sqs-queue}
  clean:
    blocks:
      q: {block: sqs-queue}
`
	env := func(name, cidr string) []byte {
		return []byte("env: " + name + "\naccount: \"111122223333\"\nregion: us-east-1\nazs: [us-east-1a, us-east-1b]\ncidr: " + cidr + "\nalarms: {profile: none}\n")
	}
	return fstest.MapFS{"riglets/p.yaml": {Data: []byte(spec)},
		"envs/staging.yaml": {Data: env("staging", "10.1.0.0/16")}, "envs/production.yaml": {Data: env("production", "10.2.0.0/16")}}
}

func stackNames(er *compiler.EnvResult) []string {
	var out []string
	for _, s := range er.Stacks {
		out = append(out, s.Name)
	}
	return out
}

// TestPartialLeavesOutWhatFailed: under Partial the result holds what compiled
// cleanly, never the stack with the error nor a stack that needs it, and an env whose
// file has a problem is left out; without Partial nothing is returned, so riglet
// compile has nothing to write.
func TestPartialLeavesOutWhatFailed(t *testing.T) {
	fsys := partialFS()
	res, err := compiler.Compile(fsys, blocks.FS, "riglets/p.yaml", compiler.Options{})
	if err == nil || res != nil {
		t.Fatalf("a compile with errors returned %v, %v; want no result", res, err)
	}
	res, err = compiler.Compile(fsys, blocks.FS, "riglets/p.yaml", compiler.Options{Partial: true})
	var errs ir.Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Code != ir.CodeUnknownBlock {
		t.Fatalf("want the one unknown block error, got %v", err)
	}
	if res == nil || res.Lock != nil || len(res.Envs) != 2 {
		t.Fatalf("partial result %+v: want both envs and no lock to write", res)
	}
	for _, er := range res.Envs {
		if got := stackNames(er); !slices.Equal(got, []string{"clean"}) {
			t.Errorf("env %s kept stacks %v, want [clean]", er.Env, got)
		}
		for _, s := range er.Stacks {
			if s.Template == nil || s.Template.Get("Resources").Get("QQueue") == nil {
				t.Errorf("env %s stack %s: template not whole", er.Env, s.Name)
			}
		}
	}

	// An env whose file has a problem is left out; the other env is whole.
	fsys = partialFS()
	fsys["riglets/p.yaml"].Data = []byte(strings.Replace(string(fsys["riglets/p.yaml"].Data), "sqs-queu}", "sqs-queue}", 1))
	fsys["envs/staging.yaml"].Data = append(fsys["envs/staging.yaml"].Data, "regoin: x\n"...)
	if res, err := compiler.Compile(fsys, blocks.FS, "riglets/p.yaml", compiler.Options{}); err == nil || res != nil {
		t.Fatalf("a compile with an env error returned %v, %v; want no result", res, err)
	}
	res, err = compiler.Compile(fsys, blocks.FS, "riglets/p.yaml", compiler.Options{Partial: true})
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Pos.File.String() != "envs/staging.yaml" {
		t.Fatalf("want the one env error, got %v", err)
	}
	if len(res.Envs) != 1 || res.Envs[0].Env != "production" || !slices.Equal(stackNames(res.Envs[0]), []string{"broken", "app", "clean"}) {
		t.Fatalf("want production whole, got %d envs", len(res.Envs))
	}

	// Without errors, Partial changes nothing.
	fsys["envs/staging.yaml"].Data = partialFS()["envs/staging.yaml"].Data
	res, err = compiler.Compile(fsys, blocks.FS, "riglets/p.yaml", compiler.Options{Partial: true})
	if err != nil || res.Lock == nil || len(res.Envs) != 2 {
		t.Fatalf("clean partial compile: %v", err)
	}
}

// TestAZsStringIsOneError: `azs: us-west-2a` (a string where a list belongs) is one
// error at the value, not a cascade from expanding an env without AZs.
func TestAZsStringIsOneError(t *testing.T) {
	for _, partial := range []bool{false, true} {
		fsys := azFS([]string{"us-east-1a"}, false, nil)
		fsys["envs/dev.yaml"].Data = []byte(strings.Replace(string(fsys["envs/dev.yaml"].Data), "azs: [us-east-1a]", "azs: us-east-1a", 1))
		_, err := compiler.Compile(fsys, blocks.FS, "riglets/az.yaml", compiler.Options{Partial: partial})
		var errs ir.Errors
		if !errors.As(err, &errs) || len(errs) != 1 {
			t.Fatalf("partial %v: want one error, got %v", partial, err)
		}
		if e := errs[0]; e.Pos.File.String() != "envs/dev.yaml" || e.Pos.Line != 4 {
			t.Errorf("partial %v: error at %s, want envs/dev.yaml:4: %s", partial, e.Pos, e.Msg)
		}
	}
}

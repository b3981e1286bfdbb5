package model_test

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// TestExamplesLoad: the example specs and their env files load without a problem, and
// what they say is what the model holds.
func TestExamplesLoad(t *testing.T) {
	repo := os.DirFS("..")
	specs, _ := fs.Glob(repo, "riglets/*.yaml")
	if len(specs) < 3 {
		t.Fatalf("only %d example specs", len(specs))
	}
	for _, f := range specs {
		var errs ir.Errors
		s := model.LoadSpec(repo, f, &errs)
		if s == nil || len(errs) > 0 {
			t.Fatalf("%s: %v", f, errs.Err())
		}
		if want := strings.TrimSuffix(path.Base(f), ".yaml"); s.Name != want {
			t.Errorf("%s: name %q, want %q", f, s.Name, want)
		}
		if len(s.Stacks) == 0 || len(s.Envs) == 0 {
			t.Errorf("%s: %d stacks, %d envs", f, len(s.Stacks), len(s.Envs))
		}
		for _, e := range s.Envs {
			env := model.LoadEnv(repo, e, &errs)
			if env == nil || len(errs) > 0 {
				t.Fatalf("%s: env %s: %v", f, e, errs.Err())
			}
			if env.Name != e || len(env.AZs) == 0 || len(env.Account) != 12 {
				t.Errorf("env %s: %+v", e, env)
			}
		}
	}
}

// TestLockRoundTrip: every committed lock reads and writes back byte for byte, so that
// a compile that changes nothing leaves the lock alone.
func TestLockRoundTrip(t *testing.T) {
	repo := os.DirFS("..")
	locks, _ := fs.Glob(repo, "riglets/*.lock")
	if len(locks) == 0 {
		t.Fatal("no committed locks")
	}
	for _, f := range locks {
		var errs ir.Errors
		data, l := model.ReadLock(repo, f, &errs)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", f, errs.Err())
		}
		if got := l.Marshal(strings.TrimSuffix(f, ".lock") + ".yaml"); !bytes.Equal(got, data) {
			t.Errorf("%s does not round-trip", f)
		}
	}
}

// TestBuiltinBlocksParse: every built-in block is a valid block.
func TestBuiltinBlocksParse(t *testing.T) {
	lib := model.NewLibrary(nil, blocks.FS)
	names := lib.Names()
	if len(names) < 15 {
		t.Fatalf("only %d built-in blocks", len(names))
	}
	for _, n := range names {
		b, err := lib.Get(n)
		if err != nil || b == nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if !b.Builtin || !lib.IsBuiltin(b.File) || b.Kind == "" {
			t.Errorf("%s: builtin %v, kind %q", n, b.Builtin, b.Kind)
		}
	}
}

// TestMistakesHaveCodesAndLines: each kind of mistake in a spec, an env file, a block
// or a lock is reported with its code at the line and column of the mistake.
func TestMistakesHaveCodesAndLines(t *testing.T) {
	cases := []struct {
		name, file, data string
		code             ir.Code
		line, col        int32
	}{
		{"unknown spec key", "riglets/x.yaml", "riglet: x\nowner: o\nenvs: [a]\nstaks: {}\n", ir.CodeUnknownKey, 4, 1},
		{"spec missing stacks", "riglets/x.yaml", "riglet: x\nowner: o\nenvs: [a]\n", ir.CodeMissingKey, 1, 1},
		{"env listed twice", "riglets/x.yaml", "riglet: x\nowner: o\nenvs: [a, a]\nstacks: {s: {blocks: {i: {block: b}}}}\n", ir.CodeDuplicateName, 3, 11},
		{"bad stack name", "riglets/x.yaml", "riglet: x\nowner: o\nenvs: [a]\nstacks: {Bad_Name: {blocks: {i: {block: b}}}}\n", ir.CodeInvalidValue, 4, 10},
		{"bad account", "envs/a.yaml", "env: a\naccount: \"12\"\nregion: us-east-1\nazs: [us-east-1a]\n", ir.CodeInvalidValue, 2, 10},
		{"az outside region", "envs/a.yaml", "env: a\naccount: \"111122223333\"\nregion: us-east-1\nazs: [eu-west-1a]\n", ir.CodeInvalidValue, 4, 7},
		{"duplicate key", "envs/a.yaml", "env: a\nenv: b\n", ir.CodeDuplicateKey, 2, 1},
		{"bad lock cidr", "riglets/x.lock", "network:\n  a: {cidr: nope}\n", ir.CodeLock, 2, 13},
		{"bad block kind", "blocks/b/block.yaml", "Metadata:\n  Riglet: {Kind: thing}\nResources:\n  R: {Type: AWS::SNS::Topic}\n", ir.CodeBlockDefinition, 2, 18},
		{"names without property", "blocks/b/block.yaml", "Metadata:\n  Riglet: {Names: {Q: AWS::SQS::Queue}}\nParameters:\n  Q: {Type: String}\nResources:\n  R: {Type: AWS::SNS::Topic}\n", ir.CodeBlockDefinition, 2, 23},
		{"names of no parameter", "blocks/b/block.yaml", "Metadata:\n  Riglet: {Names: {Q: AWS::SQS::Queue.QueueName}}\nResources:\n  R: {Type: AWS::SNS::Topic}\n", ir.CodeBlockDefinition, 2, 23},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{tc.file: {Data: []byte(tc.data)}}
			var errs ir.Errors
			switch {
			case strings.HasPrefix(tc.file, "riglets/") && strings.HasSuffix(tc.file, ".lock"):
				model.ReadLock(fsys, tc.file, &errs)
			case strings.HasPrefix(tc.file, "riglets/"):
				model.LoadSpec(fsys, tc.file, &errs)
			case strings.HasPrefix(tc.file, "envs/"):
				model.LoadEnv(fsys, strings.TrimSuffix(filepath.Base(tc.file), ".yaml"), &errs)
			default:
				_, err := model.ParseBlock("b", tc.file, []byte(tc.data))
				errs.Merge(err)
			}
			for _, e := range errs {
				if e.Code == tc.code && e.Pos.File.String() == tc.file && e.Pos.Line == tc.line && e.Pos.Col == tc.col {
					return
				}
			}
			t.Errorf("no %s at %s:%d:%d; got %v", tc.code, tc.file, tc.line, tc.col, errs.Err())
		})
	}
}

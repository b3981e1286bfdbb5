package compiler_test

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/model"
)

// builtinAlarms is the built-in library without its blocks: the alarm catalogue
// alone, for cases whose blocks are all their own.
var builtinAlarms = func() fs.FS {
	data, err := fs.ReadFile(blocks.FS, "alarms.yaml")
	if err != nil {
		panic(err)
	}
	return fstest.MapFS{"alarms.yaml": {Data: data}}
}()

const queueBlock = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"

// TestCompileWithSharedLibrary compiles twice through one library: the library's
// files are read once, and both compiles see the same blocks.
func TestCompileWithSharedLibrary(t *testing.T) {
	fsys := fstest.MapFS{
		"envs/staging.yaml": {Data: []byte("env: staging\naccount: \"123456789012\"\nregion: us-west-2\nazs: [us-west-2a, us-west-2b]\ncidr: 10.20.0.0/16\nalarms: {profile: none}\n")},
		"riglets/a.yaml":    {Data: []byte("riglet: a\nowner: acme\nenvs: [staging]\nstacks:\n  app:\n    blocks:\n      q: {block: q}\n")},
		"riglets/b.yaml":    {Data: []byte("riglet: b\nowner: acme\nenvs: [staging]\nstacks:\n  app:\n    blocks:\n      q: {block: q}\n")},
	}
	builtin := fstest.MapFS{"q/block.yaml": {Data: []byte(queueBlock)}}
	lib := model.NewLibrary(fsys, builtin)
	for _, spec := range []string{"riglets/a.yaml", "riglets/b.yaml"} {
		res, err := compiler.CompileWith(fsys, lib, spec, compiler.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Envs) != 1 || len(res.Envs[0].Stacks) != 1 {
			t.Fatalf("%s: %d envs", spec, len(res.Envs))
		}
	}
	// what the compile read stays what the library serves, whatever the tree does next
	builtin["q/block.yaml"] = &fstest.MapFile{Data: []byte("changed")}
	if data, _ := lib.ReadFile("blocks/q/block.yaml"); string(data) != queueBlock {
		t.Errorf("ReadFile after the compile = %q, want the bytes the compile parsed", data)
	}
}

package lint

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
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

// TestBuiltinSuppression lints a riglet whose block is built in: a riglet:ignore
// comment in the built-in block silences the finding on its line, as one in the
// user's own block does, and a user block of the same name replaces it, comments
// and all.
func TestBuiltinSuppression(t *testing.T) {
	const plain = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
	const ignored = "Resources:\n  # riglet:ignore SEC004 public announcements only\n  Topic:\n    Type: AWS::SNS::Topic\n"
	const unused = "Resources:\n  # riglet:ignore SEC003 for a queue, should the block grow one\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties: {KmsMasterKeyId: alias/t}\n"
	repo := func(user string) fstest.MapFS {
		fsys := fstest.MapFS{
			"envs/staging.yaml": {Data: []byte("env: staging\naccount: \"123456789012\"\nregion: us-west-2\nazs: [us-west-2a, us-west-2b]\ncidr: 10.20.0.0/16\n")},
			"riglets/demo.yaml": {Data: []byte("riglet: demo\nowner: acme\nenvs: [staging]\nstacks:\n  app:\n    blocks:\n      x: {block: b}\n")},
		}
		if user != "" {
			fsys["blocks/b/block.yaml"] = &fstest.MapFile{Data: []byte(user)}
		}
		return fsys
	}
	library := func(block string) fs.FS {
		lib := fstest.MapFS{"b/block.yaml": {Data: []byte(block)}}
		for k, v := range builtinAlarms.(fstest.MapFS) {
			lib[k] = v
		}
		return lib
	}
	for _, c := range []struct {
		name          string
		user, builtin string
		want          []string // rule IDs found
	}{
		{"built-in finding", "", plain, []string{"SEC004"}},
		{"built-in suppression", "", ignored, nil},
		{"built-in suppression unused here", "", unused, nil},
		{"user block over the built-in suppression", plain, ignored, []string{"SEC004"}},
		{"user suppression over the built-in block", ignored, plain, nil},
		{"user suppression unused", unused, plain, []string{"LINT002"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep, err := Lint(repo(c.user), library(c.builtin), []string{"riglets/demo.yaml"}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			var all []string
			for _, f := range rep.Findings {
				all = append(all, f.Pos.String()+": "+f.Msg+" ("+f.Rule+")")
				if f.Rule == "SEC004" || strings.HasPrefix(f.Rule, "LINT") {
					got = append(got, f.Rule)
				}
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("found %v, want %v; every finding:\n%s", got, c.want, strings.Join(all, "\n"))
			}
		})
	}
}

// TestBuiltinSuppressionsAreSound checks every riglet:ignore comment of the
// built-in library: its reason and rule IDs are the library's to get right, since a
// user can neither fix nor remove them (an unused one is not reported to users).
func TestBuiltinSuppressionsAreSound(t *testing.T) {
	err := fs.WalkDir(blocks.FS, ".", func(file string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(blocks.FS, file)
		if err != nil {
			return err
		}
		for _, s := range parseComments("blocks/"+file, strings.Split(string(data), "\n")) {
			if s.reason == "" || len(s.ids) == 0 {
				t.Errorf("%s: riglet:ignore without a rule or a reason", s.pos)
			}
			for _, id := range s.ids {
				if Lookup(id) == nil {
					t.Errorf("%s: riglet:ignore names unknown rule %s", s.pos, id)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

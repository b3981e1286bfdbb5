package record

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// A compile's reads, recorded through the Tracker, then checked against changed trees:
// every change to something read (content, a listing, a kind, a path that appeared)
// breaks the record, and nothing else does.
func TestCheckSeesEveryInputChange(t *testing.T) {
	base := func() fstest.MapFS {
		return fstest.MapFS{
			"riglets/a.yaml":        {Data: []byte("riglet: a\n")},
			"envs/dev.yaml":         {Data: []byte("env: dev\n")},
			"blocks/x/block.yaml":   {Data: []byte("x\n")},
			"unrelated/notes.txt":   {Data: []byte("not read\n")},
			"blocks/y/readme.md":    {Data: []byte("y\n")},
			"riglets/a.lock":        {Data: []byte("lock\n")},
			"blocks/x/extra/z.yaml": {Data: []byte("z\n")},
		}
	}
	read := func(fsys fs.FS) {
		fs.ReadFile(fsys, "riglets/a.yaml")
		fs.ReadFile(fsys, "riglets/a.lock")
		fs.Glob(fsys, "envs/*.yaml")
		fs.ReadFile(fsys, "envs/dev.yaml")
		fs.ReadDir(fsys, "blocks")
		fs.Stat(fsys, "blocks/y/block.yaml") // absent: y is no block
		fs.Stat(fsys, "blocks/x")
		fs.ReadFile(fsys, "blocks/sqs/block.yaml") // absent: the built-in one is used
	}
	tr := Track(base())
	read(tr)
	in, err := tr.Inputs()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "dev"), 0o755)
	os.WriteFile(filepath.Join(root, "dev", "stacks.json"), []byte("{}"), 0o644)
	r := &Record{Compiler: "c1", Spec: "riglets/a.yaml", Inputs: in, Outputs: []Output{{"dev/stacks.json", Sum([]byte("{}"))}}}
	if why := r.Check(base(), "c1", root); why != "" {
		t.Fatalf("unchanged tree: %s", why)
	}
	changes := map[string]func(fstest.MapFS){
		"a spec byte":            func(m fstest.MapFS) { m["riglets/a.yaml"] = &fstest.MapFile{Data: []byte("riglet: a \n")} },
		"the lock":               func(m fstest.MapFS) { delete(m, "riglets/a.lock") },
		"a new env file":         func(m fstest.MapFS) { m["envs/qa.yaml"] = &fstest.MapFile{Data: []byte("env: qa\n")} },
		"a new block directory":  func(m fstest.MapFS) { m["blocks/w/block.yaml"] = &fstest.MapFile{Data: []byte("w\n")} },
		"a block where none was": func(m fstest.MapFS) { m["blocks/y/block.yaml"] = &fstest.MapFile{Data: []byte("y\n")} },
		"a user block shadowing": func(m fstest.MapFS) { m["blocks/sqs/block.yaml"] = &fstest.MapFile{Data: []byte("s\n")} },
		"a stat'd dir become file": func(m fstest.MapFS) {
			delete(m, "blocks/x/block.yaml")
			delete(m, "blocks/x/extra/z.yaml")
			m["blocks/x"] = &fstest.MapFile{Data: []byte("f")}
		},
	}
	for what, change := range changes {
		m := base()
		change(m)
		if why := r.Check(m, "c1", root); why == "" {
			t.Errorf("%s: the record still holds", what)
		}
	}
	// what was not read may change freely
	m := base()
	m["unrelated/notes.txt"] = &fstest.MapFile{Data: []byte("changed\n")}
	m["blocks/x/extra/z.yaml"] = &fstest.MapFile{Data: []byte("changed\n")}
	if why := r.Check(m, "c1", root); why != "" {
		t.Errorf("a change to what was not read broke the record: %s", why)
	}
	if why := r.Check(base(), "c2", root); why == "" {
		t.Errorf("another compiler's record held")
	}
	// outputs: a changed, an extra and a missing file each break it
	os.WriteFile(filepath.Join(root, "dev", "stacks.json"), []byte("{ }"), 0o644)
	if why := r.Check(base(), "c1", root); why == "" {
		t.Errorf("a changed output: the record still holds")
	}
	os.WriteFile(filepath.Join(root, "dev", "stacks.json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(root, "dev", "x.yaml"), nil, 0o644)
	if why := r.Check(base(), "c1", root); why == "" {
		t.Errorf("an extra output: the record still holds")
	}
	os.Remove(filepath.Join(root, "dev", "x.yaml"))
	os.Remove(filepath.Join(root, "dev", "stacks.json"))
	if why := r.Check(base(), "c1", root); why == "" {
		t.Errorf("a missing output: the record still holds")
	}
}

// Marshal is deterministic whatever the order of the lists, and Parse reads it back.
func TestMarshalRoundTrip(t *testing.T) {
	r := &Record{Version: "0.1.0", Compiler: "abc", Spec: "riglets/a.yaml", Templates: 3, Envs: 2,
		Inputs:  []Input{{KindFile, "b", "11"}, {KindAbsent, "a", ""}, {KindDir, "b", "22"}},
		Outputs: []Output{{"dev/z.yaml", "1"}, {"dev/a.yaml", "2"}}}
	a := r.Marshal()
	r.Inputs[0], r.Inputs[2] = r.Inputs[2], r.Inputs[0]
	r.Outputs[0], r.Outputs[1] = r.Outputs[1], r.Outputs[0]
	if b := r.Marshal(); string(a) != string(b) {
		t.Fatalf("order changed the bytes:\n%s\n%s", a, b)
	}
	back, err := Parse(a)
	if err != nil {
		t.Fatal(err)
	}
	if again := back.Marshal(); string(again) != string(a) {
		t.Errorf("round trip:\n%s", cmp.Diff(string(a), string(again)))
	}
	for _, bad := range []string{"", "compiler x\n", "riglet 1\ncompiler x\nspec s\nin file\n", "compiler x\nspec s\ntemplates many\n"} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) took it", bad)
		}
	}
}

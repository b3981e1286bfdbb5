package fileschema_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/tools/txtar"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/ir"
)

// wrongCase is one file of testdata/wrong.txtar: its format (env, spec, block), the
// repository it is compiled in, and where it sits in that repository.
type wrongCase struct {
	name, format, file string
	data               []byte
	line               int // the line marked # wrong
	repo               fstest.MapFS
}

// baseFiles are the corpus's valid files, by format: what each wrong file is compiled beside.
func baseFiles(t *testing.T) map[string][]byte {
	t.Helper()
	ar, err := txtar.ParseFile("testdata/wrong.txtar")
	if err != nil {
		t.Fatal(err)
	}
	base := map[string][]byte{}
	for _, f := range ar.Files {
		if dir, name, _ := strings.Cut(f.Name, "/"); dir == "base" {
			base[strings.TrimSuffix(name, ".yaml")] = f.Data
		}
	}
	return base
}

func wrongCases(t *testing.T) []wrongCase {
	t.Helper()
	ar, err := txtar.ParseFile("testdata/wrong.txtar")
	if err != nil {
		t.Fatal(err)
	}
	base := baseFiles(t)
	var out []wrongCase
	for _, f := range ar.Files {
		format, _, _ := strings.Cut(f.Name, "/")
		if format == "base" {
			continue
		}
		c := wrongCase{name: f.Name, format: format, data: f.Data}
		for i, l := range strings.Split(string(f.Data), "\n") {
			if strings.HasSuffix(l, "# wrong") {
				c.line = i + 1
			}
		}
		if c.line == 0 {
			t.Fatalf("%s marks no line # wrong", f.Name)
		}
		c.repo = fstest.MapFS{
			"riglets/x.yaml":      {Data: base["spec"]},
			"envs/dev.yaml":       {Data: base["env"]},
			"blocks/b/block.yaml": {Data: base["block"]},
		}
		c.file = map[string]string{"env": "envs/dev.yaml", "spec": "riglets/x.yaml", "block": "blocks/b/block.yaml"}[format]
		if c.file == "" {
			t.Fatalf("%s: unknown format %s", f.Name, format)
		}
		c.repo[c.file] = &fstest.MapFile{Data: f.Data}
		out = append(out, c)
	}
	return out
}

// TestWrongFilesFailToCompile: every file of the corpus the schemas must reject is one
// the compiler rejects, at the line it marks, and the base repository compiles, so
// that the corpus holds the compiler's mistakes, not the schema's opinions.
func TestWrongFilesFailToCompile(t *testing.T) {
	cases := wrongCases(t)
	if len(cases) < 30 {
		t.Fatalf("only %d wrong files", len(cases))
	}
	base := baseFiles(t)
	good := fstest.MapFS{
		"riglets/x.yaml":      {Data: base["spec"]},
		"envs/dev.yaml":       {Data: base["env"]},
		"blocks/b/block.yaml": {Data: base["block"]},
	}
	if _, err := compiler.Compile(good, blocks.FS, "riglets/x.yaml", compiler.Options{}); err != nil {
		t.Fatalf("the base repository does not compile: %v", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := compiler.Compile(c.repo, blocks.FS, "riglets/x.yaml", compiler.Options{})
			if err == nil {
				t.Fatal("compiles")
			}
			errs, _ := err.(ir.Errors)
			var at []string
			for _, e := range errs {
				if e.Pos.File.String() == c.file && int(e.Pos.Line) == c.line {
					return
				}
				at = append(at, e.Error())
			}
			t.Errorf("no error at %s:%d; errors:\n%s", c.file, c.line, strings.Join(at, "\n"))
		})
	}
}

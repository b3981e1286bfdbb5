package model_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// TestEnvNames: an env name is accepted exactly when it is a name CloudFormation takes
// in a stack name and a directory name that stays put under out/<riglet>/; every
// refusal is at the spec's envs entry.
func TestEnvNames(t *testing.T) {
	names := []string{"dev", "Prod2", "eu-west", "a", strings.Repeat("a", model.MaxNameLen),
		strings.Repeat("a", model.MaxNameLen+1), "../keepme", "..", ".", "a/b", "a.b", "2dev", "-dev", "dev_1", "dév", "a b", `a\b`, ""}
	for _, n := range names {
		spec := fmt.Sprintf("riglet: demo\nowner: acme\nenvs: [%q]\nstacks:\n  app:\n    blocks:\n      x: {block: b}\n", n)
		var errs ir.Errors
		model.LoadSpec(fstest.MapFS{"riglets/demo.yaml": {Data: []byte(spec)}}, "riglets/demo.yaml", &errs)
		refused := errs.Has(ir.CodeInvalidValue)
		// what must hold whatever the rule's spelling: a name that is a path, or
		// could leave its directory, or is too long for a stack name, is refused
		safe := n != "" && filepath.Base(n) == n && filepath.Clean(n) == n && !strings.ContainsAny(n, `./\ _`) &&
			len(n) <= model.MaxNameLen && n[0] >= 'A' && strings.Trim(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == ""
		if refused == safe {
			t.Errorf("env %q: refused %v, want %v (%v)", n, refused, !safe, errs.Err())
		}
		for _, e := range errs {
			if e.Code == ir.CodeInvalidValue && e.Pos.Line != 3 {
				t.Errorf("env %q: refused at %v, want the envs line", n, e.Pos)
			}
		}
	}
	var errs ir.Errors
	long := strings.Repeat("r", model.MaxNameLen+1)
	model.LoadSpec(fstest.MapFS{"riglets/demo.yaml": {Data: []byte("riglet: " + long + "\nowner: acme\nenvs: [dev]\nstacks:\n  app:\n    blocks:\n      x: {block: b}\n")}}, "riglets/demo.yaml", &errs)
	if !errs.Has(ir.CodeInvalidValue) {
		t.Errorf("riglet name of %d characters accepted", len(long))
	}
}

// TestCheckUniqueNames: two specs of one riglet name are one error naming both files;
// distinct names none.
func TestCheckUniqueNames(t *testing.T) {
	spec := func(name string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("riglet: " + name + "\nowner: acme\nenvs: [dev]\nstacks:\n  app:\n    blocks:\n      x: {block: b}\n")}
	}
	fsys := fstest.MapFS{"riglets/a.yaml": spec("demo"), "riglets/b.yaml": spec("other"), "riglets/c.yaml": spec("demo")}
	if err := model.CheckUniqueNames(fsys, []string{"riglets/a.yaml", "riglets/b.yaml"}); err != nil {
		t.Fatalf("distinct names: %v", err)
	}
	err := model.CheckUniqueNames(fsys, []string{"riglets/a.yaml", "riglets/b.yaml", "riglets/c.yaml"})
	var es ir.Errors
	if err == nil || !asErrors(err, &es) || len(es) != 1 {
		t.Fatalf("same names: %v", err)
	}
	e := es[0]
	if e.Code != ir.CodeDuplicateName || e.Pos.File.String() != "riglets/c.yaml" || e.Pos.Line != 1 || len(e.Related) != 1 || e.Related[0].Pos.File.String() != "riglets/a.yaml" {
		t.Errorf("same names: %+v", e)
	}
}

func asErrors(err error, es *ir.Errors) bool {
	e, ok := err.(ir.Errors)
	*es = e
	return ok
}

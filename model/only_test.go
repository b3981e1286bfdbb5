package model_test

import (
	"slices"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// only: on a stack and an instance loads with its positions; an instance is in an env
// when both its stack's and its own only: keep it, and LeftOutBy names the stack's
// first; a malformed only: is one error, not also "lists no env".
func TestOnlyLoads(t *testing.T) {
	spec := "riglet: r\nowner: o\nenvs: [a, b, c]\nstacks:\n  s:\n    only: [a, b]\n    blocks:\n      i: {block: x, only: [b]}\n      j: {block: x}\n"
	var errs ir.Errors
	s := model.LoadSpec(fstest.MapFS{"riglets/r.yaml": {Data: []byte(spec)}}, "riglets/r.yaml", &errs)
	if len(errs) > 0 {
		t.Fatal(errs.Err())
	}
	st := s.Stacks[0]
	i, j := st.Instances[0], st.Instances[1]
	if !st.Only.Set || !slices.Equal(st.Only.Envs, []string{"a", "b"}) || st.Only.KeyPos.Line != 6 || st.Only.Pos[1].Col != 15 {
		t.Fatalf("stack only: %+v", st.Only)
	}
	for env, want := range map[string][3]bool{"a": {true, false, true}, "b": {true, true, true}, "c": {false, false, false}} {
		if got := [3]bool{st.In(env), i.In(env), j.In(env)}; got != want {
			t.Errorf("env %s: stack, i, j in %v, want %v", env, got, want)
		}
	}
	if by := i.LeftOutBy("c"); by != &st.Only {
		t.Errorf("i is left out of c by %+v, want the stack's only:", by)
	}
	if by := i.LeftOutBy("a"); by != &i.Only {
		t.Errorf("i is left out of a by %+v, want its own only:", by)
	}
	if i.LeftOutBy("b") != nil || j.Only.Set {
		t.Errorf("i is in b, j has no only:")
	}
	for _, bad := range []string{"only: a", "only: [{a: 1}]", "only: {a: b}"} {
		var errs ir.Errors
		spec := "riglet: r\nowner: o\nenvs: [a]\nstacks:\n  s:\n    " + bad + "\n    blocks:\n      i: {block: x}\n"
		s := model.LoadSpec(fstest.MapFS{"riglets/r.yaml": {Data: []byte(spec)}}, "riglets/r.yaml", &errs)
		if len(errs) != 1 || errs[0].Code != ir.CodeInvalidValue || s.Stacks[0].Only.Set {
			t.Errorf("%s: %v, only: %+v; want one invalid-value error and no only:", bad, errs.Err(), s.Stacks[0].Only)
		}
	}
}

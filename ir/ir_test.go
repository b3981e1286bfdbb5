package ir

import "testing"

func TestPosString(t *testing.T) {
	for _, tc := range []struct {
		p    Pos
		want string
	}{
		{Pos{}, "-"},
		{Pos{File: "a.yaml"}, "a.yaml"},
		{Pos{File: "a.yaml", Line: 3}, "a.yaml:3"},
		{Pos{File: "a.yaml", Line: 3, Col: 7}, "a.yaml:3:7"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestErrorsSortedAndDeduplicated(t *testing.T) {
	var es Errors
	es.AddCode(CodeOther, Pos{File: "b.yaml", Line: 1, Col: 1}, "second")
	es.AddCode(CodeOther, Pos{File: "a.yaml", Line: 9, Col: 1}, "first")
	es.AddCode(CodeOther, Pos{File: "b.yaml", Line: 1, Col: 1}, "second")
	es.AddCode(CodeUnknownKey, Pos{File: "a.yaml", Line: 2, Col: 5}, "zero %d", 0)
	got := es.Sorted()
	want := []string{"a.yaml:2:5: zero 0", "a.yaml:9:1: first", "b.yaml:1:1: second"}
	if len(got) != len(want) {
		t.Fatalf("Sorted() = %v", got)
	}
	for i := range want {
		if got[i].Error() != want[i] {
			t.Errorf("Sorted()[%d] = %q, want %q", i, got[i].Error(), want[i])
		}
	}
	if got[0].Code != CodeUnknownKey {
		t.Errorf("code lost: %q", got[0].Code)
	}
	if (Errors{}).Err() != nil {
		t.Error("an empty list is not an error")
	}
}

func TestCloneAndEqual(t *testing.T) {
	n := NewMap(Pos{})
	n.Set("a", NewList(Pos{}, Str("x", Pos{}), Int(3, Pos{Line: 4})))
	c := n.Clone()
	if !Equal(n, c) {
		t.Fatal("clone differs")
	}
	c.Get("a").Items[0].Text = "y"
	if Equal(n, c) || n.Get("a").Items[0].Text != "x" {
		t.Fatal("clone shares nodes with the original")
	}
	if name, arg, ok := Ref("Q", Pos{}).Intrinsic(); !ok || name != "Ref" || arg.Text != "Q" {
		t.Fatalf("Ref is not an intrinsic: %v %v %v", name, arg, ok)
	}
}

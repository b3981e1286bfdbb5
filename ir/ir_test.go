package ir

import (
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

func TestPosString(t *testing.T) {
	for _, tc := range []struct {
		p    Pos
		want string
	}{
		{Pos{}, "-"},
		{Pos{File: FileOf("a.yaml")}, "a.yaml"},
		{Pos{File: FileOf("a.yaml"), Line: 3}, "a.yaml:3"},
		{Pos{File: FileOf("a.yaml"), Line: 3, Col: 7}, "a.yaml:3:7"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestErrorsSortedAndDeduplicated(t *testing.T) {
	var es Errors
	es.AddCode(CodeOther, Pos{File: FileOf("b.yaml"), Line: 1, Col: 1}, "second")
	es.AddCode(CodeOther, Pos{File: FileOf("a.yaml"), Line: 9, Col: 1}, "first")
	es.AddCode(CodeOther, Pos{File: FileOf("b.yaml"), Line: 1, Col: 1}, "second")
	es.AddCode(CodeUnknownKey, Pos{File: FileOf("a.yaml"), Line: 2, Col: 5}, "zero %d", 0)
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

func TestQuoteEscapesAndCaps(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"abc", `"abc"`},
		{"", `""`},
		{"a\tb\x1b[2J\x00", `"a\tb\x1b[2J\x00"`},
		{"\xff\xfe", `"\xff\xfe"`},
		{"\ufeffkey", `"\ufeffkey"`},
	} {
		if got := Quote(tc.in); got != tc.want {
			t.Errorf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	long := strings.Repeat("é", 10*MaxEcho)
	got := Quote(long)
	if want := `"` + strings.Repeat("é", MaxEcho) + `"...`; got != want {
		t.Errorf("Quote of %d runes = %s, want %d runes and ...", 10*MaxEcho, got, MaxEcho)
	}
	// Whatever the input, the result holds no control byte and is bounded.
	for _, s := range []string{strings.Repeat("\x01\n\t", 500), strings.Repeat("x", 1<<16)} {
		q := Quote(s)
		if len(q) > 4*6*MaxEcho+8 {
			t.Errorf("Quote of %d bytes is %d bytes", len(s), len(q))
		}
		for _, b := range []byte(q) {
			if b < 0x20 || b == 0x7f {
				t.Fatalf("Quote(%q...) holds control byte %#x", s[:10], b)
			}
		}
	}
}

func TestNameQuotesOnlyWhatNeedsIt(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"sqs-queue", "sqs-queue"},
		{"", `""`},
		{"my q", `"my q"`},
		{"a\tb", `"a\tb"`},
		{"\x1b[31m", `"\x1b[31m"`},
		{"\ufeffq", `"\ufeffq"`},
		{`a"b`, `"a\"b"`},
		{strings.Repeat("x", MaxEcho+1), `"` + strings.Repeat("x", MaxEcho) + `"...`},
	} {
		if got := Name(tc.in); got != tc.want {
			t.Errorf("Name(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestSizes keeps the layout that makes a large compile's trees small: a Node and a
// Pair are made by the million, and each byte over a size class costs the class.
func TestSizes(t *testing.T) {
	if s := unsafe.Sizeof(Pos{}); s != 12 {
		t.Errorf("Pos is %d bytes, want 12", s)
	}
	if s := unsafe.Sizeof(Node{}); s != 80 {
		t.Errorf("Node is %d bytes, want 80", s)
	}
	if s := unsafe.Sizeof(Pair{}); s != 40 {
		t.Errorf("Pair is %d bytes, want 40", s)
	}
}

// TestSmallNodesShareNothing: maps and lists of a few, allocated with their node, hold
// what they were given, grow past their room like any slice, and share nothing with
// a clone or with the caller's slice, whatever their size.
func TestSmallNodesShareNothing(t *testing.T) {
	for n := range 8 {
		m := NewMapCap(Pos{Line: 1}, n)
		var items []*Node
		for i := range n + 3 { // past the room asked for
			m.Set(strconv.Itoa(i), Int(i, Pos{Line: int32(i)}))
			items = append(items, Str(strconv.Itoa(i), Pos{}))
		}
		l := NewList(Pos{}, items[:n]...)
		items[0] = nil
		if n > 0 && l.Items[0] == nil {
			t.Fatalf("NewList of %d shares the caller's slice", n)
		}
		for _, c := range []*Node{m, l} {
			d := c.Clone()
			if !Equal(c, d) {
				t.Fatalf("clone of %d differs", n)
			}
			if len(d.Pairs) > 0 {
				d.Pairs[0].Value = Str("changed", Pos{})
				d.Set("new", Str("x", Pos{}))
			}
			if len(d.Items) > 0 {
				d.Items[0] = Str("changed", Pos{})
				d.Items = append(d.Items, Str("x", Pos{}))
			}
			if (len(c.Pairs) > 0 && c.Pairs[0].Value.Text == "changed") || (len(c.Items) > 0 && c.Items[0].Text == "changed") {
				t.Fatalf("clone of %d shares its pairs or items", n)
			}
		}
		for i := range n + 3 {
			if v := m.Get(strconv.Itoa(i)); v == nil || v.Text != strconv.Itoa(i) {
				t.Fatalf("map of room %d lost key %d: %v", n, i, v)
			}
		}
		if fn := Fn("Ref", Str("X", Pos{}), Pos{}); len(fn.Pairs) != 1 || cap(fn.Pairs) != 1 {
			t.Fatalf("Fn has %d pairs, room for %d", len(fn.Pairs), cap(fn.Pairs))
		}
	}
	// Empty stays empty, and nil stays nil (an empty list and none render alike, but
	// a clone keeps which it was).
	if NewList(Pos{}).Items != nil || NewMapCap(Pos{}, 0).Pairs != nil {
		t.Error("an empty list or map allocated room")
	}
	if c := (&Node{Kind: List, Items: []*Node{}}).Clone(); c.Items == nil {
		t.Error("clone of an empty list lost its list")
	}
}

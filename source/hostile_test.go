package source

import (
	"strings"
	"testing"
	"time"

	"github.com/riglet/riglet/ir"
)

// parseFast parses and fails the test when it takes longer than a second: the inputs
// here cost goccy minutes and gigabytes before the pre-scan refused them.
func parseFast(t *testing.T, src string) error {
	t.Helper()
	start := time.Now()
	_, err := Parse("x.yaml", []byte(src))
	if d := time.Since(start); d > time.Second {
		t.Errorf("Parse of %d bytes took %s", len(src), d)
	}
	return err
}

func TestDeepNestingIsRefusedBeforeGoccy(t *testing.T) {
	for name, src := range map[string]string{
		"flow seq":  "a: " + strings.Repeat("[", 30000) + "\n",
		"flow map":  "a: " + strings.Repeat("{a: ", 30000) + "\n",
		"mixed":     strings.Repeat("[{a: ", 20000),
		"block seq": strings.Repeat("- ", 30000) + "x\n",
		"indented": func() string {
			var b strings.Builder
			for i := 0; i < 1000; i++ {
				b.WriteString(strings.Repeat(" ", i) + "a:\n")
			}
			return b.String()
		}(),
	} {
		err := parseFast(t, src)
		if err == nil || !strings.Contains(err.Error(), "nested more than 256 deep") {
			t.Errorf("%s: err = %v, want the nesting refused", name, err)
		}
	}
	// The refusal is where the nesting went over the limit.
	err := parseFast(t, "a: "+strings.Repeat("[", 400)+"\n")
	if err == nil || !strings.HasPrefix(err.Error(), "x.yaml:1:260: values nested more than 256 deep") {
		t.Errorf("err = %v, want it at the 257th [ (column 260)", err)
	}
}

// The pre-scan refuses nothing that is within the limit, whatever hides brackets:
// quotes, comments, block scalars, brackets inside plain scalars.
func TestPrescanAcceptsWhatIsWithinTheLimit(t *testing.T) {
	deep := strings.Repeat("[", 250) + strings.Repeat("]", 250)
	many := strings.Repeat("[", 300)
	for _, src := range []string{
		"a: " + deep + "\n",
		"a: '" + many + "'\nb: 1\n",
		"a: \"" + many + "\\\"\"\nb: 1\n",
		"a: x # " + many + "\n",
		"a: |\n  " + many + "\n  " + many + "\nb: 1\n",
		"a: >-\n  " + many + "\nb: 1\n",
		"a: x" + many + "\n",
		"a: it's ok\nb: " + deep + "\n",
		"a: 'it''s " + many + "'\n",
	} {
		if _, err := Parse("x.yaml", []byte(src)); err != nil {
			t.Errorf("Parse(%.60q...) = %v", src, err)
		}
	}
}

// A quote in the middle of a plain scalar opens nothing: it cannot hide nesting from
// the pre-scan that goccy then builds.
func TestPrescanCannotBeBlinded(t *testing.T) {
	for _, src := range []string{
		"a: Bob 's\nb: " + strings.Repeat("[", 30000) + "\n",
		"a: x |\nb: " + strings.Repeat("[", 30000) + "\n",
		"# c\rb: " + strings.Repeat("[", 30000) + "\n",
	} {
		if err := parseFast(t, src); err == nil || !strings.Contains(err.Error(), "nested more than") {
			t.Errorf("Parse(%.30q...) = %v, want the nesting refused", src, err)
		}
	}
}

func TestFileSizeIsCapped(t *testing.T) {
	err := parseFast(t, "a: "+strings.Repeat("x", MaxFileSize))
	if err == nil || !strings.HasPrefix(err.Error(), "x.yaml:1:1: the file is 8388611 bytes; riglet reads at most 8388608 (8 MiB)") {
		t.Errorf("err = %v", err)
	}
	if _, err := Parse("x.yaml", []byte("a: "+strings.Repeat("x", MaxFileSize-4)+"\n")); err != nil {
		t.Errorf("a file of exactly the cap: %v", err)
	}
}

func TestByteOrderMarkIsNoPartOfTheDocument(t *testing.T) {
	n, err := Parse("x.yaml", []byte("\ufeffriglet: a\nowner: b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := compact(n); got != `{"riglet":"a","owner":"b"}` {
		t.Errorf("tree = %s", got)
	}
	if p := n.Pairs[0].KeyPos; p.Line != 1 || p.Col != 1 {
		t.Errorf("first key at %v, want 1:1", p)
	}
}

func TestMergeKeyThenOverride(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"s: &s {ClusterSize: 1, Other: x}\nb: {<<: *s, ClusterSize: 2}\n", `{"ClusterSize":2,"Other":"x"}`},
		{"s: &s {ClusterSize: 1}\nb:\n  <<: *s\n  ClusterSize: 2\n", `{"ClusterSize":2}`},
		{"s: &s {ClusterSize: 1}\nb:\n  ClusterSize: 2\n  <<: *s\n", `{"ClusterSize":2}`},
		{"s: &s {A: 1}\nt: &t {A: 2, B: 3}\nb: {<<: [*s, *t], B: 4}\n", `{"A":1,"B":4}`},
	} {
		n, err := Parse("x.yaml", []byte(tc.src))
		if err != nil {
			t.Errorf("Parse(%q) = %v", tc.src, err)
			continue
		}
		if got := compact(n.Get("b")); got != tc.want {
			t.Errorf("Parse(%q): b = %s, want %s", tc.src, got, tc.want)
		}
	}
	// Written twice is still a duplicate, merge key or not.
	_, err := Parse("x.yaml", []byte("s: &s {A: 1}\nb: {<<: *s, A: 2, A: 3}\n"))
	if err == nil || !strings.Contains(err.Error(), `duplicate key "A"`) {
		t.Errorf("err = %v, want the duplicate A", err)
	}
}

// Every node of a CRLF file is where it is in the same file with LF: the lines an
// editor shows. goccy alone counted each comment line twice.
func TestCRLFPositionsAreTheLFOnes(t *testing.T) {
	src := "# head\nriglet: a # trailing\n# one\n# two\nstacks:\n  s:\n    # three\n    blocks:\n      q: {block: sqs-queue}\n      l: |\n        text\n        # not a comment\n      m: [1,\n        2]\n"
	lf, err := Parse("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	crlf, err := Parse("x.yaml", []byte(strings.ReplaceAll(src, "\n", "\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(a, b *ir.Node, path string)
	walk = func(a, b *ir.Node, path string) {
		if a.Pos != b.Pos || a.Kind != b.Kind || a.Text != b.Text || len(a.Pairs) != len(b.Pairs) || len(a.Items) != len(b.Items) {
			t.Errorf("%s: CRLF %v %s %q, LF %v %s %q", path, b.Pos, b.Kind, b.Text, a.Pos, a.Kind, a.Text)
			return
		}
		for i := range a.Pairs {
			if a.Pairs[i].KeyPos != b.Pairs[i].KeyPos {
				t.Errorf("%s.%s: key at %v with CRLF, %v with LF", path, a.Pairs[i].Key, b.Pairs[i].KeyPos, a.Pairs[i].KeyPos)
			}
			walk(a.Pairs[i].Value, b.Pairs[i].Value, path+"."+a.Pairs[i].Key)
		}
		for i := range a.Items {
			walk(a.Items[i], b.Items[i], path+"[]")
		}
	}
	walk(lf, crlf, "")
	if p := lf.Get("stacks").Get("s").Get("blocks").Get("q").Pos; p.Line != 9 {
		t.Errorf("q at line %d, want 9", p.Line)
	}
}

func TestUnclosedIsReportedWhereItOpens(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"a: [1, 2\nb: 3\nc: 4\n", "x.yaml:1:4: yaml: the [ opened here is never closed with ]"},
		{"a: 1\nb: {x: 1,\n  y: [2]\nc: 3\n", "x.yaml:2:4: yaml: the { opened here is never closed with }"},
		{"a: 'abc\nb: 1\nc: 2\nd: 3\n", "x.yaml:1:4: yaml: the quoted string opened here (') is never closed"},
		{"a: x\nb: \"abc\\\"\nc: 1\n", "x.yaml:2:4: yaml: the quoted string opened here (\") is never closed"},
		{"# c\r\na: 1\r\n# d\r\nb: [\r\n", "x.yaml:4:4: yaml: the [ opened here"},
	} {
		_, err := Parse("x.yaml", []byte(tc.src))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want prefix %q", tc.src, err, tc.want)
		}
	}
}

// TestWideFlowIsRefusedBeforeGoccy: a flat flow list of more values than the converter
// takes is refused by the pre-scan, in linear time, not after goccy built all of it
// (4 million items took 18.5 s and 3.3 GB); a list within the budget still parses.
func TestWideFlowIsRefusedBeforeGoccy(t *testing.T) {
	wide := "a: [" + strings.Repeat("1,", MaxNodes+1) + "1]\n"
	start := time.Now()
	_, err := Parse("wide.yaml", []byte(wide))
	if err == nil || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("a list of %d items: %v", MaxNodes+2, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("refusing took %v: the pre-scan is not what refused it", d)
	}
	ok := "a: [" + strings.Repeat("1, ", 1000) + "\"x,y\"]\n"
	if _, err := Parse("ok.yaml", []byte(ok)); err != nil {
		t.Errorf("a list of 1001 items: %v", err)
	}
}

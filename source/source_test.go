package source

import (
	"strings"
	"testing"

	"github.com/riglet/riglet/ir"
)

func TestShortTagsBecomeLongForm(t *testing.T) {
	n, err := Parse("x.yaml", []byte("a: !GetAtt Db.Endpoint.Address\nb: !Ref AWS::Region\nc: !GetAZs \"\"\nd: !Output foundation.alb.Arn\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a": `{"Fn::GetAtt":["Db","Endpoint.Address"]}`,
		"b": `{"Ref":"AWS::Region"}`,
		"c": `{"Fn::GetAZs":""}`,
		"d": `{"Riglet::Output":"foundation.alb.Arn"}`,
	}
	for k, w := range want {
		if got := compact(n.Get(k)); got != w {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}
}

func compact(n *ir.Node) string {
	switch n.Kind {
	case ir.Map:
		var parts []string
		for _, p := range n.Pairs {
			parts = append(parts, `"`+p.Key+`":`+compact(p.Value))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case ir.List:
		var parts []string
		for _, it := range n.Items {
			parts = append(parts, compact(it))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case ir.String:
		return `"` + n.Text + `"`
	}
	return n.Text
}

func TestErrorsArePositioned(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"a: 1\nb: 2\na: 3\n", "x.yaml:3:1: duplicate key \"a\"\n\tx.yaml:1:1: first defined here"},
		{"a: [1, 2\n", "x.yaml:1:4: yaml:"},
		{"a: !Nope 1\n", "x.yaml:1:4: unknown tag !Nope"},
		{"a: *nothing\n", "x.yaml:1:4:"},
		{"a: 1\n---\nb: 2\n", "x.yaml:3:1: more than one YAML document"},
		{"a: !Ref\nb: 1\n", "x.yaml:1:4: !Ref has no value"},
		{"l:\n  - !Ref\n  - x\n", "x.yaml:2:5: !Ref has no value"},
		{"l: [1, !Sub ]\n", "x.yaml:1:8: !Sub has no value"},
		{"l: [!ImportValue Fn::Sub: x]\n", "x.yaml:1:5: the key !ImportValue Fn::Sub carries a tag"},
		{"? !Ref x\n: 1\n", "x.yaml:1:1: the key !Ref x carries a tag"},
		{"a: b\n\x01c: [x:y]\n", "x.yaml:2:1: yaml: the control character U+0001"},
	} {
		_, err := Parse("x.yaml", []byte(tc.src))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want prefix %q", tc.src, err, tc.want)
		}
	}
}

func TestAliasBombIsAnError(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 12; i++ {
		prev := "*a" + itoa(i-1)
		b.WriteString("a" + itoa(i) + ": &a" + itoa(i) + " [" + strings.Repeat(prev+", ", 9) + prev + "]\n")
	}
	_, err := Parse("bomb.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "expands to more than") {
		t.Fatalf("alias bomb: err = %v", err)
	}
}

func TestDeepNestingIsAnError(t *testing.T) {
	src := strings.Repeat("[", 300) + strings.Repeat("]", 300)
	_, err := Parse("deep.yaml", []byte("a: "+src+"\n"))
	if err == nil {
		t.Fatal("300 levels of nesting parsed without error")
	}
}

func itoa(i int) string {
	return string(rune('0'+i/10)) + string(rune('0'+i%10))
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"a: 1\n", "a: !Ref X\n", "a: [1, {b: !Sub '${X}'}]\n", "a: &x [1]\nb: *x\n",
		"a: |\n  text\n", "? a\n: b\n", "<<: {a: 1}\n", "a: !GetAtt A.B\n", "- !If [C, 1, !Ref AWS::NoValue]\n",
		"a: [0, !GetAZs ]\n", "a: !GetAZs\nb: 1\n", "- !GetAZs # c\n- x\n", "a: !If\n- C\n- 1\n- 2\n",
		"{\"R\":{\"Q\":{\"T\":\"A::B\"}}}\n", "a: {\"k\":\"v\",'x':[1]}\n", "a: [!Ref x, !ImportValue Fn::Sub: y]\n",
		"a: [!Ref\n  , !!str ]\n",
		"T: [{Key: a, Value: !Ref AWS::Region}]\n", "T: {Key: a, Value: !Ref AWS::Region}\n", "X: {a: [!Ref AWS::Region]}\n",
		"C: {StringEquals: {\"kms:CallerAccount\": !Ref AWS::AccountId}}\n", "X: {Action: [iam:PassRole]}\n",
		"X: {Fn::Length: !Ref L}\n", "X: [::1, {a:b}, \"k\":v, http://x:80/]\n", "X: {a: !GetAtt R.Arn, b: !ImportValue x::y}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Parse("f.yaml", data)
		if err == nil && n == nil {
			t.Fatal("nil tree without error")
		}
		if err != nil {
			if _, ok := err.(ir.Errors); !ok {
				t.Fatalf("error of type %T, want ir.Errors", err)
			}
		}
	})
}

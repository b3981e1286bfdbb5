package emit

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws-cloudformation/rain/cft/parse"
	"github.com/riglet/riglet/ir"
	"gopkg.in/yaml.v3"
)

// The implicit resolvers of PyYAML (YAML 1.1, plus the spec's y/n booleans) and of
// the YAML 1.2 core schema. A plain scalar matching any of them is not a string to
// some reader. They are an oracle independent of ambiguous, which has no regexps.
var otherTypes = regexp.MustCompile(`^(?:` +
	`y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF` +
	`|[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?` +
	`|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)` +
	`|[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+` +
	`|<<|=|~|null|Null|NULL|` +
	`|[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]` +
	`|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?` +
	`|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?` +
	`)$`)

// roundTrip writes n, reads it back with rain's parser and reports the differences.
func roundTrip(n *ir.Node) (string, error) {
	out := Template(nil, n)
	tmpl, err := parse.String(string(out))
	if err != nil {
		return string(out), fmt.Errorf("rain cannot read it: %v", err)
	}
	var y *yaml.Node
	if tmpl.Node != nil && len(tmpl.Node.Content) > 0 {
		y = tmpl.Node.Content[0]
	}
	if d := diffValue("$", n, y); d != "" {
		return string(out), fmt.Errorf("%s", d)
	}
	return string(out), nil
}

// diffValue compares an ir node with what rain's parser read (intrinsics expanded),
// and checks that no plain string could be taken for another type by YAML 1.1 or 1.2.
func diffValue(path string, n *ir.Node, y *yaml.Node) string {
	if y == nil {
		return path + ": missing"
	}
	for y.Kind == yaml.AliasNode {
		y = y.Alias
	}
	if n == nil {
		n = &ir.Node{Kind: ir.Null}
	}
	switch n.Kind {
	case ir.Map:
		if y.Kind != yaml.MappingNode || len(y.Content) != 2*len(n.Pairs) {
			return fmt.Sprintf("%s: want map of %d, got kind %d with %d", path, len(n.Pairs), y.Kind, len(y.Content)/2)
		}
		// Template reorders keys; the order is checked against rain elsewhere.
		for _, p := range n.Pairs {
			key := validUTF8(p.Key)
			j := 0
			for j < len(y.Content) && y.Content[j].Value != key {
				j += 2
			}
			if j == len(y.Content) {
				return fmt.Sprintf("%s: key %q missing", path, key)
			}
			if d := diffString(path+".key", key, y.Content[j]); d != "" {
				return d
			}
			if d := diffValue(path+"."+key, p.Value, y.Content[j+1]); d != "" {
				return d
			}
		}
		return ""
	case ir.List:
		if y.Kind != yaml.SequenceNode || len(y.Content) != len(n.Items) {
			return fmt.Sprintf("%s: want list of %d, got kind %d with %d", path, len(n.Items), y.Kind, len(y.Content))
		}
		for i, it := range n.Items {
			if d := diffValue(fmt.Sprintf("%s[%d]", path, i), it, y.Content[i]); d != "" {
				return d
			}
		}
		return ""
	case ir.String:
		return diffString(path, validUTF8(n.Text), y)
	}
	if y.Kind != yaml.ScalarNode {
		return fmt.Sprintf("%s: want scalar, got kind %d", path, y.Kind)
	}
	tag := y.ShortTag()
	switch n.Kind {
	case ir.Null:
		if tag != "!!null" {
			return fmt.Sprintf("%s: want null, got %s %q", path, tag, y.Value)
		}
	case ir.Bool:
		if tag != "!!bool" || y.Value != n.Text {
			return fmt.Sprintf("%s: want bool %s, got %s %q", path, n.Text, tag, y.Value)
		}
	case ir.Number:
		// rain reads floats written with a leading 0 (versions like 0.10) as strings.
		ok := tag == "!!int" || tag == "!!float" || tag == "!!str" && strings.HasPrefix(n.Text, "0")
		if !ok || y.Value != n.Text {
			return fmt.Sprintf("%s: want number %s, got %s %q", path, n.Text, tag, y.Value)
		}
	}
	return ""
}

func diffString(path, s string, y *yaml.Node) string {
	if y.Kind != yaml.ScalarNode || y.ShortTag() != "!!str" || y.Value != s {
		return fmt.Sprintf("%s: want string %q, got kind %d %s %q", path, s, y.Kind, y.ShortTag(), y.Value)
	}
	// Line 0: rain made the node when it split a short GetAtt; it has no style.
	if y.Style == 0 && y.Line > 0 && otherTypes.MatchString(s) {
		return fmt.Sprintf("%s: %q is plain but YAML 1.1 or 1.2 reads it as another type", path, s)
	}
	return ""
}

// tricky holds strings that some reader takes for something else, or that need care.
var tricky = []string{
	"", " ", "  ", "~", "null", "Null", "NULL", "nULL",
	"y", "Y", "n", "N", "yes", "Yes", "YES", "yEs", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
	"true", "True", "TRUE", "tRUE", "false", "False", "FALSE",
	"0", "-0", "+0", "1", "+1", "-1", "0123", "0o17", "0O17", "0x1F", "0X1f", "-0x1F", "0b101", "-0b1", "0_x1F",
	"1_000", "1__0", "_1", "1e3", "1E3", "1e+3", "-1.5e-3", "1.", ".5", "-.5", "+.5", "._", "1.5_0",
	".inf", ".Inf", "-.inf", "+.INF", ".nan", ".NaN", "1:20", "190:20:30", "190:20:30.15", "-1:30",
	"2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2001-1-1", "2024-foo",
	"<<", "=", "0.10", "1.2.3", "10.0.0.0/16", "10.0.0.1", "12:30:00Z", "1,000",
	"-", "-x", "- x", "--", "---", "--- x", "...", "?", "?x", "? x", ":", ":x", ": x", "x:", "x: y", "x:y",
	"#", "#x", "x #y", "x#y", ",", "[", "]", "{", "}", "[a]", "{a: b}", "&a", "*a", "!a", "!!str", "|", ">", "'", "\"",
	"%x", "@x", "`x", "it's", "say \"hi\"", "back\\slash", "a\tb", "\t", "tab\t",
	"leading space", " leading", "trailing ", " both ",
	"line1\nline2", "line1\nline2\n", "line1\nline2\n\n", "\n", "\n\n", "\nx", " x\ny", "x\n y", "x \ny", "x\n\ny",
	"x\r\ny", "a\rb", "a\u0085b", "a\u2028b", "a\u2029b", "x\n\u2028", "\u2028",
	"\x00", "\x01\x02", "\x7f", "\u0080", "\u00a0", "nbsp\u00a0", "\ufeffbom", "a\ufeff", "\ufffe", "\uffff",
	"héllo", "日本語", "emoji 😀", "\U0001F600", "Ω≈ç√", "a\u200bb",
	"#!/bin/bash\necho hi\n# done\n", "  indented\nsecond\n", "#!/bin/bash\n  set -e\n", "\tindented\nby tab\n", "\t\n", "x\n\ty",
	"${AWS::StackName}-x", "arn:aws:s3:::bucket/*", "cron(0 12 * * ? *)", "rate(5 minutes)", "a | b", "a >",
	strings.Repeat("long ", 60), strings.Repeat("k", 129), strings.Repeat("x", 2000),
}

func TestRoundTripTricky(t *testing.T) {
	// every tricky string as a value, a list item, a key, under a tag and in a block
	m := ir.NewMap(ir.Pos{})
	list := ir.NewList(ir.Pos{})
	keys := ir.NewMap(ir.Pos{})
	tagged := ir.NewList(ir.Pos{})
	for i, s := range tricky {
		m.Pairs = append(m.Pairs, ir.Pair{Key: fmt.Sprintf("K%d", i), Value: ir.Str(s, ir.Pos{})})
		list.Items = append(list.Items, ir.Str(s, ir.Pos{}))
		keys.Pairs = append(keys.Pairs, ir.Pair{Key: s, Value: ir.Int(i, ir.Pos{})})
		tagged.Items = append(tagged.Items, ir.Fn("Fn::Sub", ir.Str(s, ir.Pos{}), ir.Pos{}))
		tagged.Items = append(tagged.Items, ir.GetAtt(s, s, ir.Pos{}))
	}
	tmpl := ir.NewMap(ir.Pos{})
	tmpl.Set("Description", ir.Str("line1\n  line2\n", ir.Pos{}))
	tmpl.Set("Values", m)
	tmpl.Set("List", ir.NewList(ir.Pos{}, list, ir.NewList(ir.Pos{}, list)))
	tmpl.Set("Keys", keys)
	tmpl.Set("Tagged", tagged)
	for _, s := range tricky {
		// at the top level and as entries of a section, where rain adds blank lines
		tmpl.Pairs = append(tmpl.Pairs, ir.Pair{Key: "T" + s, Value: ir.Str(s, ir.Pos{})})
	}
	out, err := roundTrip(tmpl)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestRoundTripScalarsAndShapes(t *testing.T) {
	p := ir.Pos{}
	num := func(s string) *ir.Node { return &ir.Node{Kind: ir.Number, Text: s} }
	tmpl := ir.NewMap(p)
	tmpl.Set("Numbers", ir.NewList(p, num("0"), num("-5"), num("3.14"), num("1e3"), num("0.5"), num("10")))
	tmpl.Set("Bools", ir.NewList(p, ir.Boolean(true, p), ir.Boolean(false, p)))
	tmpl.Set("Null", &ir.Node{Kind: ir.Null})
	tmpl.Set("Empty", ir.NewList(p, ir.NewMap(p), ir.NewList(p), ir.Fn("Fn::If", ir.NewList(p), p), ir.Fn("Fn::GetAZs", ir.Str("", p), p)))
	tmpl.Set("Nested", ir.NewList(p, ir.NewList(p, ir.NewList(p, ir.Str("a", p)), ir.NewMap(p)), ir.Fn("Fn::Base64", ir.Fn("Fn::Sub", ir.Str("x", p), p), p)))
	tmpl.Set("GetAtt", ir.NewList(p, ir.GetAtt("A", "B.C", p), ir.GetAtt("A.B", "C", p), ir.Fn("Fn::GetAtt", ir.NewList(p, ir.Str("A", p), ir.Ref("X", p)), p)))
	tmpl.Set(strings.Repeat("k", 200), ir.NewMap(p))
	long := ir.NewMap(p)
	long.Set(strings.Repeat("k", 200), ir.NewList(p, ir.Str("a", p), ir.Str("b\nc", p)))
	long.Set("multi\nline\nkey", ir.NewMap(p))
	long.Pairs[1].Value.Set("a", ir.Str("b", p))
	long.Set("x", ir.Fn("Fn::If", ir.NewList(p, ir.Str("C", p), ir.Ref("A", p), ir.Ref("AWS::NoValue", p)), p))
	tmpl.Set("Long", ir.NewList(p, long))
	tmpl.Set("Cond", ir.Fn("Condition", ir.Str("IsProd", p), p))
	if out, err := roundTrip(tmpl); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestNeedsQuote(t *testing.T) {
	for _, s := range []string{"", "ON", "yes", "y", "0123", "0o17", "0x1F", "1e3", ".5", "1_000", "+1", ".inf",
		".NaN", "1:20", "2001-12-14", " x", "x ", "-", "- x", "?", ":", ",x", "[x", "#x", "&x", "*x", "!x", "|", ">",
		"'x", "\"x", "%x", "@x", "`x", "a: b", "a #b", "a:", "<<", "a\tb", "a\nb", "\x01", "\u2028"} {
		if !NeedsQuote(s) {
			t.Errorf("NeedsQuote(%q) = false", s)
		}
	}
	for _, s := range []string{"hello", "AWS::S3::Bucket", "arn:aws:s3:::b/*", "10.0.0.0/16", "10.0.0.1", "1.2.3",
		"-Xmx512m", "_", "a-b", "it's", "${AWS::StackName}-x", "rate(5 minutes)", "cron(0 12 * * ? *)", "x#y",
		"a:b", "héllo", "Yesterday", "nope", "0xZZ", "1e", "e3", "12:30:00Z"} {
		if NeedsQuote(s) {
			t.Errorf("NeedsQuote(%q) = true", s)
		}
	}
}

func TestValue(t *testing.T) {
	p := ir.Pos{}
	for _, c := range []struct {
		n    *ir.Node
		want string
	}{
		{ir.Str("ON", p), `"ON"`},
		{ir.Str("it's: here", p), `'it''s: here'`},
		{ir.Ref("Bucket", p), "!Ref Bucket"},
		{ir.GetAtt("Bucket", "Arn", p), "!GetAtt Bucket.Arn"},
		{ir.Str("a\nb", p), "|-\n  a\n  b"},
		{ir.NewList(p, ir.Str("a", p), ir.NewMap(p)), "- a\n- {}"},
		{ir.Fn("Fn::If", ir.NewList(p, ir.Str("C", p), ir.Int(1, p)), p), "!If\n- C\n- 1"},
		{ir.Fn("Fn::Join", ir.NewList(p, ir.Str("", p), ir.NewList(p, ir.Ref("A", p))), p), "!Join\n- \"\"\n- - !Ref A"},
		{nil, "null"},
	} {
		if got := Value(c.n); got != c.want {
			t.Errorf("Value(%s) = %q, want %q", c.want, got, c.want)
		}
	}
}

// TestSimplePlainAgrees checks the fast path against the full analysis on every
// printable ASCII string of up to three characters, and on the tricky strings.
func TestSimplePlainAgrees(t *testing.T) {
	check := func(s string) {
		if simplePlain(s) && !analyze(s).plainOK {
			t.Errorf("simplePlain(%q) but analyze says it cannot be plain", s)
		}
	}
	for _, s := range tricky {
		check(s)
	}
	b := make([]byte, 0, 3)
	var rec func(depth int)
	rec = func(depth int) {
		check(string(b))
		if depth == 3 {
			return
		}
		for c := byte(0x20); c < 0x7F; c++ {
			b = append(b, c)
			rec(depth + 1)
			b = b[:len(b)-1]
		}
	}
	rec(0)
}

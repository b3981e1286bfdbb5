package eval

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/source"
)

// subScope is a block instance with prefix P: parameters that hold deploy-time values
// and resources that get renamed.
type subScope struct{ params map[string]*ir.Node }

func (s subScope) Ref(name string, p ir.Pos) (*ir.Node, bool) {
	if v, ok := s.params[name]; ok {
		return v, true
	}
	if name == "Queue" || name == "Topic" || name == "PQueue" {
		return ir.Ref("P"+name, p), true
	}
	return nil, false
}

func (s subScope) GetAtt(res, attr string, p ir.Pos) (*ir.Node, bool) {
	if res == "Mid" { // a nested instance whose output is imported
		return ir.Fn("Fn::ImportValue", ir.Str("mid-"+attr, p), p), true
	}
	return ir.GetAtt("P"+res, attr, p), true
}
func (subScope) RefNames() []string { return nil }

func subEvaluator(errs *ir.Errors) *Evaluator {
	imp := func(s string) *ir.Node { return ir.Fn("Fn::ImportValue", ir.Str(s, ir.Pos{}), ir.Pos{}) }
	sc := subScope{params: map[string]*ir.Node{
		"ClusterName": imp("cluster"), "SecretArn": imp("secret"), "Name": ir.Str("orders", ir.Pos{}),
		"Other": imp("cluster"),
	}}
	return New(&Env{Name: "dev", Account: "111122223333", Region: "eu-west-1"}, "s", sc, errs)
}

func TestSubKeepsTheAuthorsNames(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		// a parameter given an import keeps its name, a resource its own syntax
		{`!Sub service/${ClusterName}/${Queue.QueueName}`,
			`{"Fn::Sub":["service/${ClusterName}/${PQueue.QueueName}",{"ClusterName":{"Fn::ImportValue":"cluster"}}]}`},
		// the author's variable map keeps its names, whatever the value
		{`!Sub ['${Arn}:password::', {Arn: !Ref SecretArn}]`,
			`{"Fn::Sub":["${Arn}:password::",{"Arn":{"Fn::ImportValue":"secret"}}]}`},
		{`!Sub ['${Q}/${Name}', {Q: !Ref Queue}]`,
			`{"Fn::Sub":["${Q}/orders",{"Q":{"Ref":"PQueue"}}]}`},
		// two names for one value stay two names; one name used twice stays one
		{`!Sub ${ClusterName}-${Other}-${ClusterName}`,
			`{"Fn::Sub":["${ClusterName}-${Other}-${ClusterName}",{"ClusterName":{"Fn::ImportValue":"cluster"},"Other":{"Fn::ImportValue":"cluster"}}]}`},
		// a name that the renamed resources take is not reused for another value
		{`!Sub ['${Queue}+${PQueue}', {PQueue: !Ref ClusterName}]`,
			`{"Fn::Sub":["${PQueue}+${PQueue2}",{"PQueue2":{"Fn::ImportValue":"cluster"}}]}`},
		// a nested output that is imported: the author's name, less the dot
		{`!Sub ${Mid.Arn}`, `{"Fn::Sub":["${MidArn}",{"MidArn":{"Fn::ImportValue":"mid-Arn"}}]}`},
	} {
		n, err := source.Parse("x.yaml", []byte("v: "+tc.src+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		var errs ir.Errors
		got := subEvaluator(&errs).Eval(n.Get("v"))
		if len(errs) > 0 {
			t.Errorf("%s: %v", tc.src, errs)
		}
		if g := jsonOf(got); g != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.src, g, tc.want)
		}
	}
}

// TestSubFoldMeansTheSame: for random templates, the folded Fn::Sub, substituted at
// "deploy time" (each deploy-time value by a token of its own), reads exactly as the
// original does; and every name in its variable map is one the author wrote, maybe
// with a number.
func TestSubFoldMeansTheSame(t *testing.T) {
	pieces := []string{"a", "-", "${Name}", "${ClusterName}", "${SecretArn}", "${Other}", "${Queue}",
		"${Queue.Arn}", "${Mid.Out}", "${AWS::Region}", "${!Lit}", "${L1}", "${L2}", "${PQueue}"}
	r := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 3000; trial++ {
		var b strings.Builder
		for n := 1 + r.IntN(6); n > 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		tmpl := b.String()
		locals := `{L1: !Ref ClusterName, L2: !GetAtt Topic.Arn, PQueue: !Ref SecretArn}`
		n, err := source.Parse("x.yaml", []byte(fmt.Sprintf("v: !Sub ['%s', %s]\n", tmpl, locals)))
		if err != nil {
			t.Fatal(err)
		}
		var errs ir.Errors
		e := subEvaluator(&errs)
		got := e.Eval(n.Get("v"))
		if len(errs) > 0 {
			t.Fatalf("%s: %v", tmpl, errs)
		}
		// the original, by hand: each variable's value as a token
		want := regexp.MustCompile(`\$\{([^}]*)\}`).ReplaceAllStringFunc(tmpl, func(m string) string {
			name := m[2 : len(m)-1]
			if strings.HasPrefix(name, "!") {
				return "${" + name[1:] + "}"
			}
			lv := n.Get("v").Get("Fn::Sub").Items[1].Get(name)
			var v *ir.Node
			switch {
			case lv != nil:
				v = e.Eval(lv)
			case strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::"):
				res, attr, _ := strings.Cut(name, ".")
				v, _ = e.Names.GetAtt(res, attr, ir.Pos{})
			case name == "AWS::Region":
				v = ir.Str("eu-west-1", ir.Pos{})
			default:
				v, _ = e.Names.Ref(name, ir.Pos{})
			}
			if v.IsScalar() {
				return v.Text
			}
			return "<" + jsonOf(v) + ">"
		})
		if g := deploy(t, got); g != want {
			t.Fatalf("%s: folded %s reads %q, want %q", tmpl, jsonOf(got), g, want)
		}
	}
}

// deploy substitutes a folded Fn::Sub (or string) as CloudFormation would, each
// deploy-time value by a token, and checks the variable map's names.
func deploy(t *testing.T, v *ir.Node) string {
	if v.Kind == ir.String {
		return v.Text
	}
	fn, a, ok := v.Intrinsic()
	if !ok || fn != "Fn::Sub" {
		t.Fatalf("folded to %s", jsonOf(v))
	}
	text, vars := a, (*ir.Node)(nil)
	if a.Kind == ir.List {
		text, vars = a.Items[0], a.Items[1]
		for _, p := range vars.Pairs {
			if !regexp.MustCompile(`^(ClusterName|SecretArn|Other|L1|L2|PQueue|MidOut)[0-9]*$`).MatchString(p.Key) {
				t.Fatalf("variable %s is not a name the author wrote", p.Key)
			}
		}
	}
	return regexp.MustCompile(`\$\{([^}]*)\}`).ReplaceAllStringFunc(text.Text, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		if vv := vars.Get(name); vv != nil {
			return "<" + jsonOf(vv) + ">"
		}
		if res, attr, ok := strings.Cut(name, "."); ok {
			return "<" + jsonOf(ir.GetAtt(res, attr, ir.Pos{})) + ">"
		}
		return "<" + jsonOf(ir.Ref(name, ir.Pos{})) + ">"
	})
}

func jsonOf(n *ir.Node) string {
	switch n.Kind {
	case ir.Map:
		var parts []string
		for _, p := range n.Pairs {
			parts = append(parts, fmt.Sprintf("%q:%s", p.Key, jsonOf(p.Value)))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case ir.List:
		var parts []string
		for _, it := range n.Items {
			parts = append(parts, jsonOf(it))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case ir.String:
		return fmt.Sprintf("%q", n.Text)
	}
	return n.Text
}

package eval

import (
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/riglet/riglet/ir"
)

type noNames struct{}

func (noNames) Ref(string, ir.Pos) (*ir.Node, bool)            { return nil, false }
func (noNames) GetAtt(string, string, ir.Pos) (*ir.Node, bool) { return nil, false }
func (noNames) RefNames() []string                             { return nil }

func newTestEvaluator(errs *ir.Errors) *Evaluator {
	return New(&Env{Name: "dev", Account: "111122223333", Region: "eu-west-1", AZs: []string{"eu-west-1a", "eu-west-1b"}}, "s", noNames{}, errs)
}

func strList(ss []string) *ir.Node {
	l := ir.NewList(ir.Pos{})
	for _, s := range ss {
		l.Items = append(l.Items, ir.Str(s, ir.Pos{}))
	}
	return l
}

func randWord(r *rand.Rand) string {
	const letters = "abcxyz-_/:.0129"
	n := r.IntN(6)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte(letters[r.IntN(len(letters))])
	}
	return b.String()
}

// Select(i, Split(d, Join(d, L))) == L[i], and Join of a literal list is strings.Join,
// for random lists whose items do not hold the delimiter.
func TestJoinSplitSelectProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 2000; trial++ {
		var errs ir.Errors
		e := newTestEvaluator(&errs)
		delim := []string{",", "|", ";;"}[r.IntN(3)]
		n := 1 + r.IntN(6)
		var items []string
		for i := 0; i < n; i++ {
			items = append(items, strings.ReplaceAll(randWord(r), delim, ""))
		}
		join := ir.Fn("Fn::Join", ir.NewList(ir.Pos{}, ir.Str(delim, ir.Pos{}), strList(items)), ir.Pos{})
		if got := e.Eval(join); got.Kind != ir.String || got.Text != strings.Join(items, delim) {
			t.Fatalf("Join(%q, %q) = %v", delim, items, got)
		}
		i := r.IntN(n)
		sel := ir.Fn("Fn::Select", ir.NewList(ir.Pos{}, ir.Int(i, ir.Pos{}),
			ir.Fn("Fn::Split", ir.NewList(ir.Pos{}, ir.Str(delim, ir.Pos{}), join), ir.Pos{})), ir.Pos{})
		if got := e.Eval(sel); got.Text != items[i] {
			t.Fatalf("Select(%d, Split(Join(%q))) = %q, want %q", i, items, got.Text, items[i])
		}
		if len(errs) > 0 {
			t.Fatal(errs)
		}
	}
}

// Fn::Cidr gives count subnets of the asked size, inside the block, pairwise disjoint,
// in address order: as CloudFormation does.
func TestCidrProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 1000; trial++ {
		var errs ir.Errors
		e := newTestEvaluator(&errs)
		bits := 8 + r.IntN(21) // /8 .. /28
		addr := netip.AddrFrom4([4]byte{10, byte(r.IntN(256)), byte(r.IntN(256)), 0})
		block := netip.PrefixFrom(addr, bits).Masked()
		size := bits + r.IntN(min(32-bits, 8)+1)
		if size > 30 {
			size = 30
		}
		if size < bits {
			size = bits
		}
		max := 1 << (size - bits)
		count := 1 + r.IntN(min(max, 256))
		got := e.Eval(ir.Fn("Fn::Cidr", ir.NewList(ir.Pos{}, ir.Str(block.String(), ir.Pos{}), ir.Int(count, ir.Pos{}), ir.Int(32-size, ir.Pos{})), ir.Pos{}))
		if len(errs) > 0 {
			t.Fatalf("Cidr(%s, %d, %d): %v", block, count, 32-size, errs)
		}
		if got.Kind != ir.List || len(got.Items) != count {
			t.Fatalf("Cidr(%s, %d, %d) gave %d subnets", block, count, 32-size, len(got.Items))
		}
		var prev netip.Prefix
		for j, it := range got.Items {
			p, err := netip.ParsePrefix(it.Text)
			if err != nil || p.Bits() != size || !block.Contains(p.Addr()) || p.Masked() != p {
				t.Fatalf("Cidr(%s) item %d = %s", block, j, it.Text)
			}
			if j > 0 && (prev.Overlaps(p) || !prev.Addr().Less(p.Addr())) {
				t.Fatalf("Cidr(%s) items %s and %s overlap or are out of order", block, prev, p)
			}
			prev = p
		}
	}
}

// Sub with only known variables is plain substitution, and ${!X} stays literal.
func TestSubProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 2000; trial++ {
		var errs ir.Errors
		e := newTestEvaluator(&errs)
		vars := ir.NewMap(ir.Pos{})
		var tmpl, want strings.Builder
		for k := 0; k < 1+r.IntN(5); k++ {
			lit := strings.ReplaceAll(randWord(r), "$", "")
			tmpl.WriteString(lit)
			want.WriteString(lit)
			switch r.IntN(3) {
			case 0:
				name := "V" + strconv.Itoa(k)
				val := randWord(r)
				vars.Set(name, ir.Str(val, ir.Pos{}))
				tmpl.WriteString("${" + name + "}")
				want.WriteString(val)
			case 1:
				tmpl.WriteString("${!Keep" + strconv.Itoa(k) + "}")
				want.WriteString("${Keep" + strconv.Itoa(k) + "}")
			case 2:
				tmpl.WriteString("${AWS::Region}")
				want.WriteString("eu-west-1")
			}
		}
		got := e.Eval(ir.Fn("Fn::Sub", ir.NewList(ir.Pos{}, ir.Str(tmpl.String(), ir.Pos{}), vars), ir.Pos{}))
		if len(errs) > 0 || got.Kind != ir.String || got.Text != want.String() {
			t.Fatalf("Sub(%q) = %v (%v), want %q", tmpl.String(), got, errs, want.String())
		}
	}
}

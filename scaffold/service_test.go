package scaffold

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/source"
)

// TestAddServiceInPlace: the spec keeps every byte it had, comments and layout included,
// and gains exactly the new stack, indented as the spec indents, after its last stack.
func TestAddServiceInPlace(t *testing.T) {
	svc := Service{Name: "api", Path: "/api/*"}
	cases := map[string]struct{ spec, after string }{
		"stacks last, two-space": {
			spec:  "riglet: r # the name\nowner: o\nstacks:\n  # the base\n  foundation:\n    blocks:\n      network: {block: vpc}  # a comment\n",
			after: "      network: {block: vpc}  # a comment\n",
		},
		"keys and comments after the stacks": {
			spec:  "riglet: r\nowner: o\nstacks:\n  foundation:\n    blocks:\n      network: {block: vpc}\n  # a commented-out stack\n  # old: {}\n\n# the alarms of shared stacks\nalarms:\n  profile: all\n",
			after: "  # old: {}\n",
		},
		"four-space, blank lines between stacks": {
			spec:  "riglet: r\nowner: o\nstacks:\n    foundation:\n        blocks:\n            network: {block: vpc}\n\n    compute:\n        blocks:\n            cluster: {block: ecs-cluster}\nenvs: [a]\n",
			after: "            cluster: {block: ecs-cluster}\n",
		},
		"no final newline": {
			spec:  "riglet: r\nowner: o\nstacks:\n  foundation:\n    blocks:\n      network: {block: vpc}",
			after: "      network: {block: vpc}",
		},
		"CRLF": {
			spec:  "riglet: r\r\nowner: o\r\nstacks:\r\n  foundation:\r\n    blocks:\r\n      network: {block: vpc}\r\nenvs: [a]\r\n",
			after: "      network: {block: vpc}\r\n",
		},
		"a block scalar inside": {
			spec:  "riglet: r\nowner: o\nstacks:\n  foundation:\n    blocks:\n      network:\n        block: vpc\n        params:\n          Doc: |\n            text\n\n            more\nenvs: [a]\n",
			after: "            more\n",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := AddService("riglets/r.yaml", []byte(c.spec), svc)
			if err != nil {
				t.Fatal(err)
			}
			// Everything but the inserted stack is the spec as it was.
			i := strings.Index(c.spec, c.after) + len(c.after)
			if !strings.HasSuffix(c.after, "\n") {
				i = len(c.spec)
			}
			added := strings.TrimPrefix(strings.TrimSuffix(string(got), c.spec[i:]), c.spec[:i])
			if !strings.HasPrefix(string(got), c.spec[:i]) || !strings.HasSuffix(string(got), c.spec[i:]) {
				t.Fatalf("the spec's own text changed:\n%s", got)
			}
			nl := "\n"
			if strings.Contains(c.spec, "\r\n") {
				nl = "\r\n"
			}
			indent := leading(strings.Split(c.spec, nl)[3])
			step := "  "
			if name == "four-space, blank lines between stacks" {
				step = "    "
			}
			want, _ := ServiceStack(Service{Name: "api", Owner: "o", Path: "/api/*"}, indent, step)
			want = strings.ReplaceAll(want, "\n", nl)
			if strings.Contains(c.spec, nl+nl+indent+"compute") {
				want = nl + want
			}
			if !strings.HasSuffix(c.spec, "\n") {
				want = nl + want
			}
			if d := cmp.Diff(want, added); d != "" {
				t.Errorf("inserted text (-want +got):\n%s", d)
			}
			root, err := source.Parse("r.yaml", got)
			if err != nil {
				t.Fatal(err)
			}
			stacks := root.Get("stacks")
			last := stacks.Pairs[len(stacks.Pairs)-1]
			if last.Key != "app-api" || last.Value.Get("blocks").Get("service").Get("params").Get("PathPattern").Text != "/api/*" {
				t.Errorf("the last stack is %s, want app-api with its path", last.Key)
			}
		})
	}
}

// TestAddServiceRefusals: what cannot be edited in place is refused at its position,
// and nothing is returned to write.
func TestAddServiceRefusals(t *testing.T) {
	cases := map[string]struct {
		spec string
		svc  Service
		code ir.Code
		line int32
	}{
		"flow stacks":   {"riglet: r\nowner: o\nstacks: {foundation: {blocks: {n: {block: vpc}}}}\n", Service{Name: "api", Path: "/*"}, ir.CodeInvalidValue, 3},
		"stack exists":  {"riglet: r\nowner: o\nstacks:\n  app-api:\n    blocks: {s: {block: ecs-service}}\n", Service{Name: "api", Path: "/*"}, ir.CodeDuplicateName, 4},
		"no stacks":     {"riglet: r\nowner: o\n", Service{Name: "api", Path: "/*"}, ir.CodeMissingKey, 1},
		"a broken spec": {"riglet: r\nowner: [o\n", Service{Name: "api", Path: "/*"}, ir.CodeYAML, 0},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			out, err := AddService("riglets/r.yaml", []byte(c.spec), c.svc)
			if out != nil || err == nil {
				t.Fatalf("got %q, %v; want a refusal", out, err)
			}
			var e *ir.Error
			var es ir.Errors
			switch {
			case errors.As(err, &e):
			case errors.As(err, &es) && len(es) > 0:
				e = es[0]
			default:
				t.Fatalf("%v is no positioned error", err)
			}
			if e.Code != c.code || (c.line > 0 && e.Pos.Line != c.line) {
				t.Errorf("%s at %s, want %s at line %d", e.Code, e.Pos, c.code, c.line)
			}
		})
	}
	for _, bad := range []Service{{Name: "API", Path: "/*"}, {Name: "api", Path: "api/*"}, {Name: "api", Path: "/a b"},
		{Name: strings.Repeat("a", 29), Path: "/*"}} {
		if _, err := AddService("r.yaml", []byte("stacks:\n  a:\n    blocks: {}\n"), bad); err == nil {
			t.Errorf("service %+v accepted", bad)
		}
	}
}

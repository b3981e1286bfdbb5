package compiler_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/ir"
)

// producer has three outputs a consumer block wires by itself, as the alb feeds an
// ecs-service.
const cascadeProducer = `Resources:
  Topic: {Type: AWS::SNS::Topic}
Outputs:
  A: {Value: !Ref Topic}
  B: {Value: !GetAtt Topic.TopicName}
  C: {Value: !Ref Topic}
`

// cascadeConsumer wires n of the producer's outputs (A, B, C in order).
func cascadeConsumer(n int) string {
	var wiring, params []string
	for _, o := range []string{"A", "B", "C"}[:n] {
		wiring = append(wiring, "P"+o+": prod."+o)
		params = append(params, "  P"+o+": {Type: String}")
	}
	return "Metadata:\n  Riglet:\n    Wiring: {" + strings.Join(wiring, ", ") + "}\nParameters:\n" + strings.Join(params, "\n") +
		"\nResources:\n  Q:\n    Type: AWS::SSM::Parameter\n    Properties: {Type: String, Value: !Ref PA}\n"
}

// A producer that only: leaves out of some envs makes, for each consumer that wires
// from it, one error in those envs at the consumer, naming every parameter it wires,
// however many; a misspelt env in that only: is the one error, with no cascade after it.
func TestOnlyWiringErrorsFold(t *testing.T) {
	envs := []string{"dev", "staging", "prod"}
	r := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < 40; i++ {
		only := slices.DeleteFunc(slices.Clone(envs), func(string) bool { return r.IntN(2) == 0 })
		if len(only) == 0 || len(only) == len(envs) {
			only = envs[:1]
		}
		misspelt := r.IntN(4) == 0
		list := slices.Clone(only)
		if misspelt {
			list[0] += "x"
		}
		nCons := 1 + r.IntN(3)
		wires := make([]int, nCons)
		var b strings.Builder
		fmt.Fprintf(&b, "riglet: fold\nowner: acme\nenvs: [dev, staging, prod]\nstacks:\n  base:\n    blocks:\n      keep: {block: other}\n      p:\n        block: prod\n        only: [%s]\n  apps:\n    blocks:\n", strings.Join(list, ", "))
		fsys := fstest.MapFS{
			"blocks/prod/block.yaml":  {Data: []byte(cascadeProducer)},
			"blocks/other/block.yaml": {Data: []byte("Resources:\n  T: {Type: AWS::SNS::Topic}\n")},
		}
		for _, e := range envs {
			fsys["envs/"+e+".yaml"] = &fstest.MapFile{Data: []byte("env: " + e + "\naccount: \"111122223333\"\nregion: us-east-1\nazs: [us-east-1a, us-east-1b]\n")}
		}
		for c := range wires {
			wires[c] = 1 + r.IntN(3)
			fmt.Fprintf(&b, "      c%d: {block: cons%d}\n", c, wires[c])
			fsys[fmt.Sprintf("blocks/cons%d/block.yaml", wires[c])] = &fstest.MapFile{Data: []byte(cascadeConsumer(wires[c]))}
		}
		spec := b.String()
		fsys["riglets/fold.yaml"] = &fstest.MapFile{Data: []byte(spec)}
		_, err := compiler.Compile(fsys, builtinAlarms, "riglets/fold.yaml", compiler.Options{})
		var errs ir.Errors
		if !errors.As(err, &errs) {
			t.Fatalf("case %d: want ir.Errors, got %v\n%s", i, err, spec)
		}
		var wiring []*ir.Error
		for _, e := range errs {
			if e.Code == ir.CodeWiring {
				wiring = append(wiring, e)
			}
		}
		if misspelt {
			if len(errs) != 1 || errs[0].Code != ir.CodeUnknownEnv {
				t.Fatalf("case %d: a misspelt only: must be the one error, got:\n%v\n%s", i, err, spec)
			}
			continue
		}
		if len(wiring) != nCons {
			t.Fatalf("case %d: want one wiring error per consumer (%d), got %d:\n%v\n%s", i, nCons, len(wiring), err, spec)
		}
		absent := slices.DeleteFunc(slices.Clone(envs), func(e string) bool { return slices.Contains(only, e) })
		slices.Sort(absent)
		for c, e := range wiring {
			gotEnvs := slices.Sorted(slices.Values(e.Envs))
			if !slices.Equal(gotEnvs, absent) {
				t.Errorf("case %d: error %d is in envs %v, want %v", i, c, e.Envs, absent)
			}
			for _, o := range []string{"A", "B", "C"}[:wires[c]] {
				if !strings.Contains(e.Msg, "P"+o) {
					t.Errorf("case %d: error of c%d does not name parameter P%s: %s", i, c, o, e.Msg)
				}
			}
			if want := fmt.Sprintf("apps.c%d:", c); !strings.HasPrefix(e.Msg, want) {
				t.Errorf("case %d: error %d is not at consumer c%d: %s", i, c, c, e.Msg)
			}
		}
	}
}

package compiler

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/ir"
)

// modFS is a riglet whose one instance lists with, one entry a line from line 9.
func modFS(with []string) fstest.MapFS {
	spec := "riglet: m\nowner: acme\nenvs: [dev]\nstacks:\n  app:\n    blocks:\n      t:\n        block: outer\n        with:\n"
	for _, w := range with {
		spec += "          - " + w + "\n"
	}
	mod := func(name string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("Metadata:\n  Riglet: {Kind: modification, AttachesTo: [outer]}\nParameters:\n  Label: {Type: String, Default: none}\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: !Sub \"" + name + "-${Label}\"}\n")}
	}
	return fstest.MapFS{
		"envs/dev.yaml":           {Data: []byte("env: dev\naccount: \"111122223333\"\nregion: us-east-1\nazs: [us-east-1a, us-east-1b]\ncidr: 10.2.0.0/16\nalarms: {profile: none}\n")},
		"riglets/m.yaml":          {Data: []byte(spec)},
		"blocks/outer/block.yaml": {Data: []byte("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")},
		"blocks/ma/block.yaml":    mod("ma"),
		"blocks/mb/block.yaml":    mod("mb"),
		"blocks/mc/block.yaml":    mod("mc"),
	}
}

// A modification listed twice in one with: is an error at every entry after the
// first, naming the first, whatever the positions and the forms of the entries (a
// name, a name with parameters, a name with nothing); a list without repeats compiles.
func TestDuplicateModifications(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 17))
	dups := 0
	for iter := 0; iter < 300; iter++ {
		n := 1 + r.IntN(5)
		var with []string
		var want []string // "line:col first-line:col" per duplicate entry
		first := map[string]string{}
		for i := 0; i < n; i++ {
			name := []string{"ma", "mb", "mc"}[r.IntN(3)]
			line, col := 10+i, 13
			switch r.IntN(3) {
			case 0:
				with = append(with, name)
			case 1:
				with = append(with, fmt.Sprintf("{%s: {Label: l%d}}", name, i))
				col++
			default:
				with = append(with, name+":")
			}
			at := fmt.Sprintf("%d:%d", line, col)
			if f, ok := first[name]; ok {
				want = append(want, at+" "+f)
			} else {
				first[name] = at
			}
		}
		dups += len(want)
		_, err := Compile(modFS(with), nil, "riglets/m.yaml", Options{})
		var got []string
		var es ir.Errors
		if err != nil && !errors.As(err, &es) {
			t.Fatalf("with %v: %v", with, err)
		}
		for _, e := range es {
			if e.Code != ir.CodeModification || !strings.Contains(e.Msg, "listed twice") || len(e.Related) != 1 {
				t.Fatalf("with %v: unexpected error %v", with, e)
			}
			got = append(got, fmt.Sprintf("%d:%d %d:%d", e.Pos.Line, e.Pos.Col, e.Related[0].Pos.Line, e.Related[0].Pos.Col))
		}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Fatalf("with %v: errors at %v, want %v", with, got, want)
		}
	}
	if dups < 100 {
		t.Fatalf("only %d duplicates tried", dups)
	}
}

// The case, with the built-in autoscale: the second entry's MaxCapacity is
// not silently dropped.
func TestDuplicateAutoscale(t *testing.T) {
	fsys := fstest.MapFS{
		"envs/dev.yaml":  {Data: []byte("env: dev\naccount: \"111122223333\"\nregion: us-east-1\nazs: [us-east-1a, us-east-1b]\ncidr: 10.2.0.0/16\nalarms: {profile: none}\n")},
		"riglets/m.yaml": {Data: []byte("riglet: m\nowner: acme\nenvs: [dev]\nstacks:\n  net:\n    blocks:\n      vpc: {block: vpc}\n      alb: {block: alb}\n  app:\n    blocks:\n      cluster: {block: ecs-cluster, params: {LaunchType: FARGATE}}\n      svc:\n        block: ecs-service\n        params: {Image: x, LaunchType: FARGATE}\n        with: [autoscale, {autoscale: {MaxCapacity: 9}}]\n")},
	}
	_, err := Compile(fsys, blocks.FS, "riglets/m.yaml", Options{})
	if err == nil || !strings.Contains(err.Error(), "riglets/m.yaml:15:28: modification autoscale is listed twice in the with of instance svc") ||
		!strings.Contains(err.Error(), "riglets/m.yaml:15:16: first autoscale here") {
		t.Fatalf("got %v", err)
	}
}

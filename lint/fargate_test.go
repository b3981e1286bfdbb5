package lint

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/internal/fargate"
)

// TestFargateCompilerAndLintAgree sizes one Fargate task definition per pair of a
// grid of Cpu and Memory values, in every form CloudFormation takes (numbers,
// strings, vCPU and GB) and some it does not: the compiler, in a riglet block, and
// LB008, in a plain template, flag the same pairs, and those are the pairs AWS's
// table refuses.
func TestFargateCompilerAndLintAgree(t *testing.T) {
	type value struct {
		yaml string
		n    int // CPU units or MiB; 0 when it is no size
	}
	cpus := []value{{`256`, 256}, {`"256"`, 256}, {`"512"`, 512}, {`1024`, 1024}, {`"1 vCPU"`, 1024},
		{`"1vcpu"`, 1024}, {`".25 vCPU"`, 256}, {`"0.5 vCPU"`, 512}, {`"2 vCPU"`, 2048}, {`"4096"`, 4096},
		{`"8 vCPU"`, 8192}, {`16384`, 16384}, {`"300"`, 300}, {`"3 vCPU"`, 3072}, {`"lots"`, 0}, {`"1024 MB"`, 0}}
	mems := []value{{`512`, 512}, {`"1024"`, 1024}, {`"2048"`, 2048}, {`3072`, 3072}, {`"4096"`, 4096},
		{`"4GB"`, 4096}, {`"4 GB"`, 4096}, {`"2gb"`, 2048}, {`"0.5GB"`, 512}, {`"1.5 GB"`, 1536},
		{`"30 GB"`, 30720}, {`30720`, 30720}, {`"31 GB"`, 31744}, {`"60GB"`, 61440}, {`"64 GB"`, 65536},
		{`"120 GB"`, 122880}, {`122880`, 122880}, {`5000`, 5000}, {`"8GB"`, 8192}, {`"16 GB"`, 16384},
		{`"512 MiB"`, 0}, {`"big"`, 0}}
	var resources strings.Builder
	want := map[string]bool{} // logical ID -> AWS refuses the pair
	cpuOf, memOf := map[string]int{}, map[string]int{}
	for i, c := range cpus {
		for j, m := range mems {
			id := fmt.Sprintf("T%dx%d", i, j)
			fmt.Fprintf(&resources, "  %s:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      RequiresCompatibilities: [FARGATE]\n      NetworkMode: awsvpc\n      Cpu: %s\n      Memory: %s\n      ContainerDefinitions: [{Name: app, Image: nginx}]\n", id, c.yaml, m.yaml)
			cpuOf[id], memOf[id] = c.n, m.n
			if c.n != 0 && m.n != 0 && !fargate.Valid(c.n, m.n) {
				want[id] = true
			}
		}
	}
	template := "Resources:\n" + resources.String()
	idAt := map[int]string{} // line of a Memory (six below its ID) -> its task definition
	for i, l := range strings.Split(template, "\n") {
		if strings.HasPrefix(l, "  T") {
			idAt[i+7] = strings.TrimSuffix(strings.TrimSpace(l), ":")
		}
	}

	// the compiler, on a riglet block holding them all
	fsys := fstest.MapFS{
		"envs/staging.yaml":       {Data: []byte("env: staging\naccount: \"123456789012\"\nregion: us-west-2\nazs: [us-west-2a, us-west-2b]\ncidr: 10.20.0.0/16\nalarms: {profile: none}\n")},
		"riglets/demo.yaml":       {Data: []byte("riglet: demo\nowner: acme\nenvs: [staging]\nstacks:\n  app:\n    blocks:\n      x: {block: tasks}\n")},
		"blocks/tasks/block.yaml": {Data: []byte(template)},
	}
	byCompiler := map[string]bool{}
	advice := map[string]string{} // logical ID -> what the compiler suggests
	_, err := compiler.Compile(fsys, nil, "riglets/demo.yaml", compiler.Options{})
	if err != nil {
		re := regexp.MustCompile(`task definition X(T\d+x\d+): Fargate does not run \d+ CPU units with \d+ MiB; (.*)$`)
		for _, l := range strings.Split(err.Error(), "\n") {
			if m := re.FindStringSubmatch(l); m != nil {
				byCompiler[m[1]] = true
				advice[m[1]] = m[2]
			} else if !strings.HasPrefix(l, "\t") { // related positions are indented
				t.Errorf("unexpected compile error: %s", l)
			}
		}
	}

	// LB008, on the plain template
	rep, err := Template("templates/tasks.yaml", []byte(template), Options{})
	if err != nil {
		t.Fatal(err)
	}
	byLint := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Rule == "LB008" {
			id := idAt[int(f.Pos.Line)]
			byLint[id] = true
			// one suggestion, whichever finds the pair, and it keeps a Fargate CPU
			if _, c, _ := fargate.Pair(cpuOf[id], memOf[id]); !strings.HasSuffix(f.Msg, "; "+advice[id]) ||
				len(fargate.Memories(cpuOf[id])) > 0 && c != cpuOf[id] {
				t.Errorf("%s: lint says %q, the compiler suggests %q", id, f.Msg, advice[id])
			}
		}
	}

	for i, c := range cpus {
		for j, m := range mems {
			id := fmt.Sprintf("T%dx%d", i, j)
			if byCompiler[id] != byLint[id] || byLint[id] != want[id] {
				t.Errorf("Cpu %s, Memory %s: compiler flags it %v, lint %v, AWS refuses it %v", c.yaml, m.yaml, byCompiler[id], byLint[id], want[id])
			}
		}
	}
	if len(want) == 0 || len(want) == len(cpus)*len(mems) {
		t.Fatalf("a grid of %d refused pairs tells nothing", len(want))
	}
	if len(byLint) != len(want) || len(byCompiler) != len(want) {
		t.Errorf("compiler flagged %d pairs, lint %d, want %d", len(byCompiler), len(byLint), len(want))
	}
}

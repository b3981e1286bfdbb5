package compiler

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/riglet/riglet/ir"
)

// fargateMemory lists, per Fargate CPU value, the memory sizes (MiB) AWS accepts.
var fargateMemory = map[int][]int{
	256:   {512, 1024, 2048},
	512:   steps(1024, 4096, 1024),
	1024:  steps(2048, 8192, 1024),
	2048:  steps(4096, 16384, 1024),
	4096:  steps(8192, 30720, 1024),
	8192:  steps(16384, 61440, 4096),
	16384: steps(32768, 122880, 8192),
}

func steps(from, to, by int) []int {
	var out []int
	for m := from; m <= to; m += by {
		out = append(out, m)
	}
	return out
}

// FargatePair reports whether AWS accepts the CPU/memory pair for a Fargate task, and
// otherwise the nearest pair it does accept.
func FargatePair(cpu, mem int) (bool, int, int) {
	if mems, ok := fargateMemory[cpu]; ok {
		for _, m := range mems {
			if m == mem {
				return true, cpu, mem
			}
		}
	}
	// Memory is what a workload needs; CPU bends more easily. So keep the memory with
	// the smallest CPU that takes it, else keep the CPU with the nearest memory, else
	// take the nearest pair.
	for _, c := range []int{256, 512, 1024, 2048, 4096, 8192, 16384} {
		for _, m := range fargateMemory[c] {
			if m == mem {
				return false, c, m
			}
		}
	}
	if mems, ok := fargateMemory[cpu]; ok {
		best := mems[0]
		for _, m := range mems {
			if rel(m, mem) < rel(best, mem) {
				best = m
			}
		}
		return false, cpu, best
	}
	bestC, bestM, bestD := 0, 0, -1.0
	for c, mems := range fargateMemory {
		for _, m := range mems {
			// distance in relative terms, so that CPU and memory weigh alike
			d := rel(c, cpu) + rel(m, mem)
			if bestD < 0 || d < bestD || (d == bestD && (c < bestC || (c == bestC && m < bestM))) {
				bestC, bestM, bestD = c, m, d
			}
		}
	}
	return false, bestC, bestM
}

func rel(a, b int) float64 {
	if b <= 0 {
		return float64(a)
	}
	d := float64(a-b) / float64(b)
	if d < 0 {
		return -d
	}
	return d
}

// checkEnv checks what only the whole env's output shows: Fargate sizes, and load
// balancers and databases in fewer than two AZs.
func (ec *envCompile) checkEnv() {
	if ec.env == nil {
		return
	}
	for _, s := range ec.c.spec.Stacks {
		out := ec.outs[s.Name]
		if out == nil {
			continue
		}
		for _, r := range out.resources {
			props := r.Value.Get("Properties")
			switch r.Value.Get("Type").Text {
			case "AWS::ECS::TaskDefinition":
				ec.checkFargate(s.Name, r.Key, props)
			case "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::RDS::DBSubnetGroup", "AWS::RDS::DBCluster":
				if len(ec.env.AZs) < 2 {
					what := map[string]string{"AWS::ElasticLoadBalancingV2::LoadBalancer": "a load balancer",
						"AWS::RDS::DBSubnetGroup": "a database subnet group", "AWS::RDS::DBCluster": "a database cluster"}[r.Value.Get("Type").Text]
					ec.errs.Add(&ir.Error{Pos: ec.env.AZsPos, Code: ir.CodeNetwork,
						Msg:     fmt.Sprintf("env %s has one availability zone, but %s (%s, %s) needs subnets in at least two", ec.env.Name, what, r.Key, s.Name),
						Related: ec.madeHere(s.Name, r.Key, r.KeyPos)})
				}
			}
		}
	}
}

func (ec *envCompile) checkFargate(stack, id string, props *ir.Node) {
	fargate := false
	if rc := props.Get("RequiresCompatibilities"); rc != nil {
		for _, it := range rc.Items {
			fargate = fargate || it.Text == "FARGATE"
		}
	}
	cpuN, memN := props.Get("Cpu"), props.Get("Memory")
	if !fargate || cpuN == nil || memN == nil || !cpuN.IsScalar() || !memN.IsScalar() {
		return
	}
	cpu, err1 := strconv.Atoi(cpuN.Text)
	mem, err2 := parseMemory(memN.Text)
	if err1 != nil || err2 != nil {
		return // vCPU strings such as "1 vCPU" are left to CloudFormation
	}
	if ok, c, m := FargatePair(cpu, mem); !ok {
		ec.addAbout(stack, id, &ir.Error{Pos: memN.Pos, Code: ir.CodeFargate,
			Msg:     fmt.Sprintf("task definition %s: Fargate does not run %d CPU units with %d MiB; the nearest valid pair is %d CPU with %d MiB", id, cpu, mem, c, m),
			Related: []ir.Related{{Pos: cpuN.Pos, Msg: "CPU set here"}}})
	}
}

// parseMemory reads "512", "1GB" or "2 GB" as MiB.
func parseMemory(s string) (int, error) {
	t := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if strings.HasSuffix(t, "GB") {
		n, err := strconv.ParseFloat(strings.TrimSuffix(t, "GB"), 64)
		return int(n * 1024), err
	}
	return strconv.Atoi(strings.TrimSuffix(t, "MB"))
}

// Package fargate knows the task sizes AWS Fargate runs and the forms
// CloudFormation accepts for them, so that the compiler (a riglet block's task
// definition) and lint (LB008, on any template) judge a Cpu/Memory pair alike.
package fargate

import (
	"fmt"
	"strconv"
	"strings"
)

// memory lists, per task CPU value (CPU units), the task memory sizes (MiB)
// Fargate accepts: AWS's documented combinations ("Task CPU and memory", Amazon ECS
// Developer Guide).
var memory = map[int][]int{
	256:   {512, 1024, 2048},
	512:   steps(1024, 4096, 1024),
	1024:  steps(2048, 8192, 1024),
	2048:  steps(4096, 16384, 1024),
	4096:  steps(8192, 30720, 1024),
	8192:  steps(16384, 61440, 4096),
	16384: steps(32768, 122880, 8192),
}

// cpus are the CPU values of memory, in order.
var cpus = []int{256, 512, 1024, 2048, 4096, 8192, 16384}

func steps(from, to, by int) []int {
	var out []int
	for m := from; m <= to; m += by {
		out = append(out, m)
	}
	return out
}

// CPUs lists the task CPU values Fargate runs, smallest first.
func CPUs() []int { return append([]int(nil), cpus...) }

// Memories lists the memory sizes (MiB) Fargate runs with cpu CPU units, smallest
// first; none for a CPU value it does not run.
func Memories(cpu int) []int { return append([]int(nil), memory[cpu]...) }

// Valid reports whether Fargate runs cpu CPU units with mem MiB.
func Valid(cpu, mem int) bool {
	for _, m := range memory[cpu] {
		if m == mem {
			return true
		}
	}
	return false
}

// Pair reports whether Fargate runs the CPU/memory pair, and otherwise the nearest
// pair it does run. The CPU is what the user asked for (and what the service is
// sized and billed by), so a Fargate CPU is kept: memory rises to the smallest size
// of that CPU that holds what was asked (its minimum when below it), or falls to the
// CPU's maximum when above every size of it. Only a CPU Fargate does not offer
// ("3 vCPU") changes: to the nearest one that runs the memory as asked, else the
// nearest one, with its nearest memory.
func Pair(cpu, mem int) (bool, int, int) {
	if Valid(cpu, mem) {
		return true, cpu, mem
	}
	if _, ok := memory[cpu]; ok {
		return false, cpu, fit(cpu, mem)
	}
	bestC, exact := 0, false
	for _, c := range cpus {
		e := Valid(c, mem)
		switch {
		case bestC == 0, e && !exact:
			bestC, exact = c, e
		case e == exact && rel(c, cpu) <= rel(bestC, cpu): // a tie goes to the larger CPU
			bestC = c
		}
	}
	return false, bestC, fit(bestC, mem)
}

// fit is the smallest memory of cpu that holds mem, or cpu's largest.
func fit(cpu, mem int) int {
	mems := memory[cpu]
	for _, m := range mems {
		if m >= mem {
			return m
		}
	}
	return mems[len(mems)-1]
}

// KeepMemory is the smallest pair that holds mem MiB, for a suggestion that lowered
// the memory; ok is false when no pair does.
func KeepMemory(mem int) (cpu, mib int, ok bool) {
	for _, c := range cpus {
		if m := fit(c, mem); m >= mem {
			return c, m, true
		}
	}
	return 0, 0, false
}

// Suggest says what to use instead of a pair Fargate does not run, for the compiler
// and LB008 alike: the pair Pair gives, and, when that pair has less memory than was
// asked, the CPU that would keep it, so that nobody halves a task's memory unwarned.
func Suggest(cpu, mem int) string {
	_, c, m := Pair(cpu, mem)
	s := fmt.Sprintf("the nearest valid pair is %d CPU with %d MiB", c, m)
	if m < mem {
		if kc, km, ok := KeepMemory(mem); ok {
			s += fmt.Sprintf(" (or %d CPU with %d MiB, to keep the memory)", kc, km)
		}
	}
	return s
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

// ParseCPU reads a task's Cpu as CloudFormation takes it: CPU units ("1024", or
// the number 1024) or vCPUs ("1 vCPU", "1vcpu", ".25 vCPU"), which ECS turns into
// units (1024 a vCPU) when it registers the task definition. ok is false for
// anything else, which is left to CloudFormation.
func ParseCPU(s string) (units int, ok bool) {
	return parse(s, "VCPU")
}

// ParseMemory reads a task's Memory as CloudFormation takes it: MiB ("2048", or
// the number 2048) or GB ("2GB", "2 GB", "0.5 GB"), which ECS turns into MiB (1024
// a GB) when it registers the task definition. ok is false for anything else.
func ParseMemory(s string) (mib int, ok bool) {
	return parse(s, "GB")
}

// parse reads a whole number, or a decimal number with the unit after it (in any
// case, with or without a space) as a multiple of 1024.
func parse(s, unit string) (int, bool) {
	num, scaled := strings.CutSuffix(strings.ToUpper(strings.TrimSpace(s)), unit)
	points := 0 // CPU units and MiB are whole
	if scaled {
		num, points = strings.TrimSuffix(num, " "), 1
	}
	if num == "" || strings.Trim(num, "0123456789.") != "" || strings.Count(num, ".") > points {
		return 0, false
	}
	f, err := strconv.ParseFloat(num, 64)
	if scaled {
		f *= 1024
	}
	n := int(f)
	if err != nil || f <= 0 || f > 1<<30 || float64(n) != f {
		return 0, false
	}
	return n, true
}

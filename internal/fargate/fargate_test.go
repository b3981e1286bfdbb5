package fargate

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The table, spelled out as AWS's documentation gives it.
func TestTable(t *testing.T) {
	gb := func(from, to, by int) []int {
		var out []int
		for g := from; g <= to; g += by {
			out = append(out, g*1024)
		}
		return out
	}
	want := map[int][]int{
		256:   {512, 1024, 2048},
		512:   gb(1, 4, 1),
		1024:  gb(2, 8, 1),
		2048:  gb(4, 16, 1),
		4096:  gb(8, 30, 1),
		8192:  gb(16, 60, 4),
		16384: gb(32, 120, 8),
	}
	if !slices.Equal(CPUs(), []int{256, 512, 1024, 2048, 4096, 8192, 16384}) {
		t.Errorf("CPUs() = %v", CPUs())
	}
	for cpu, mems := range want {
		if got := Memories(cpu); !slices.Equal(got, mems) {
			t.Errorf("Memories(%d) = %v, want %v", cpu, got, mems)
		}
	}
	for cpu := 0; cpu <= 20000; cpu += 64 {
		for mem := 0; mem <= 130000; mem += 512 {
			if got := Valid(cpu, mem); got != slices.Contains(want[cpu], mem) {
				t.Fatalf("Valid(%d, %d) = %v", cpu, mem, got)
			}
		}
	}
}

func TestPair(t *testing.T) {
	for _, tc := range []struct {
		cpu, mem     int
		ok           bool
		wantC, wantM int
	}{
		{256, 512, true, 256, 512},
		{256, 2048, true, 256, 2048},
		{256, 3072, false, 256, 2048},
		{512, 1024, true, 512, 1024},
		{1024, 512, false, 1024, 2048}, // the case: raise memory, keep the CPU
		{1024, 1024, false, 1024, 2048},
		{1024, 2500, false, 1024, 3072},
		{4096, 30720, true, 4096, 30720},
		{4096, 31744, false, 4096, 30720},
		{8192, 20480, true, 8192, 20480},
		{8192, 18432, false, 8192, 20480},
		{16384, 40960, true, 16384, 40960},
		{16384, 36864, false, 16384, 40960},
		{16384, 200000, false, 16384, 122880},
		{300, 512, false, 256, 512},
		{300, 999, false, 256, 1024},
		{3072, 4096, false, 2048, 4096},
		{3072, 8192, false, 4096, 8192},
	} {
		ok, c, m := Pair(tc.cpu, tc.mem)
		if ok != tc.ok || c != tc.wantC || m != tc.wantM {
			t.Errorf("Pair(%d, %d) = %v, %d, %d; want %v, %d, %d", tc.cpu, tc.mem, ok, c, m, tc.ok, tc.wantC, tc.wantM)
		}
	}
}

// pairs is every pair Fargate runs, spelled out from AWS's table as TestTable checks it.
func pairs() [][2]int {
	var out [][2]int
	for _, c := range CPUs() {
		for _, m := range Memories(c) {
			out = append(out, [2]int{c, m})
		}
	}
	return out
}

// Over the whole grid, in steps that hit every valid pair and the values between:
// a suggestion is a pair Fargate runs; a Fargate CPU is kept, with the memory a
// search over every pair of that CPU finds nearest (the smallest that holds what
// was asked, else the largest); and Suggest offers the CPU that keeps the memory
// exactly when the suggestion cut it.
func TestPairKeepsCPU(t *testing.T) {
	all := pairs()
	n := 0
	for cpu := 0; cpu <= 17000; cpu += 128 {
		for mem := 0; mem <= 126976; mem += 512 {
			ok, c, m := Pair(cpu, mem)
			if !Valid(c, m) || ok != Valid(cpu, mem) || ok && (c != cpu || m != mem) {
				t.Fatalf("Pair(%d, %d) = %v, %d, %d", cpu, mem, ok, c, m)
			}
			if len(Memories(cpu)) == 0 {
				continue
			}
			n++
			wantM := -1
			for _, p := range all {
				if p[0] != cpu {
					continue
				}
				holds, best := p[1] >= mem, wantM >= mem
				if wantM < 0 || holds && (!best || p[1] < wantM) || !holds && !best && p[1] > wantM {
					wantM = p[1]
				}
			}
			if c != cpu || m != wantM {
				t.Fatalf("Pair(%d, %d) = %d/%d; want %d/%d", cpu, mem, c, m, cpu, wantM)
			}
			s := Suggest(cpu, mem)
			keeps := -1
			for _, p := range all {
				if p[1] >= mem && (keeps < 0 || p[0] < keeps) {
					keeps = p[0]
				}
			}
			if offered := strings.Contains(s, "to keep the memory"); offered != (m < mem && keeps > 0) ||
				offered && !strings.Contains(s, fmt.Sprintf("(or %d CPU with ", keeps)) {
				t.Fatalf("Suggest(%d, %d) = %q", cpu, mem, s)
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d pairs of a Fargate CPU tried", n)
	}
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in       string
		cpu, mem int // 0: not that form
	}{
		{"1024", 1024, 1024},
		{" 256 ", 256, 256},
		{"1 vCPU", 1024, 0},
		{"1 vcpu", 1024, 0},
		{"1vcpu", 1024, 0},
		{"2 VCPU", 2048, 0},
		{".25 vCPU", 256, 0},
		{"0.5 vCPU", 512, 0},
		{"16 vCPU", 16384, 0},
		{"4GB", 0, 4096},
		{"4 GB", 0, 4096},
		{"4 gb", 0, 4096},
		{"0.5GB", 0, 512},
		{"1.5 GB", 0, 1536},
		{"120 GB", 0, 122880},
		{"0.1 GB", 0, 0}, // not a whole number of MiB
		{"0.1 vCPU", 0, 0},
		{"1.5", 0, 0},
		{"0", 0, 0},
		{"-1024", 0, 0},
		{"+1024", 0, 0},
		{"1e3", 0, 0},
		{"4  GB", 0, 0},
		{"4 MB", 0, 0}, // not a form CloudFormation documents
		{"4MiB", 0, 0},
		{"GB", 0, 0},
		{"Inf GB", 0, 0},
		{"NaN vCPU", 0, 0},
		{"1 vCPU GB", 0, 0},
		{"", 0, 0},
		{"99999999999999", 0, 0},
	} {
		cpu, ok := ParseCPU(c.in)
		if ok != (c.cpu != 0) || cpu != c.cpu && ok {
			t.Errorf("ParseCPU(%q) = %d, %v; want %d", c.in, cpu, ok, c.cpu)
		}
		mem, ok := ParseMemory(c.in)
		if ok != (c.mem != 0) || mem != c.mem && ok {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d", c.in, mem, ok, c.mem)
		}
	}
}

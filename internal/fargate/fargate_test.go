package fargate

import (
	"slices"
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
		{256, 3072, false, 512, 3072},
		{512, 1024, true, 512, 1024},
		{1024, 1024, false, 256, 1024},
		{4096, 30720, true, 4096, 30720},
		{4096, 31744, false, 4096, 30720},
		{8192, 20480, true, 8192, 20480},
		{8192, 18432, false, 4096, 18432},
		{16384, 40960, true, 16384, 40960},
		{16384, 36864, false, 8192, 36864},
		{300, 512, false, 256, 512},
		{300, 999, false, 256, 1024},
	} {
		ok, c, m := Pair(tc.cpu, tc.mem)
		if ok != tc.ok || c != tc.wantC || m != tc.wantM {
			t.Errorf("Pair(%d, %d) = %v, %d, %d; want %v, %d, %d", tc.cpu, tc.mem, ok, c, m, tc.ok, tc.wantC, tc.wantM)
		}
	}
	// every suggestion is itself valid
	for cpu := 128; cpu <= 20000; cpu += 371 {
		for mem := 256; mem <= 130000; mem += 2999 {
			if _, c, m := Pair(cpu, mem); !Valid(c, m) {
				t.Fatalf("Pair(%d, %d) suggests invalid %d/%d", cpu, mem, c, m)
			}
		}
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

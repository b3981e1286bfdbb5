package compiler

import "testing"

func TestFargatePair(t *testing.T) {
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
		ok, c, m := FargatePair(tc.cpu, tc.mem)
		if ok != tc.ok || c != tc.wantC || m != tc.wantM {
			t.Errorf("FargatePair(%d, %d) = %v, %d, %d; want %v, %d, %d", tc.cpu, tc.mem, ok, c, m, tc.ok, tc.wantC, tc.wantM)
		}
	}
	// every suggestion is itself valid
	for cpu := 128; cpu <= 20000; cpu += 371 {
		for mem := 256; mem <= 130000; mem += 2999 {
			if _, c, m := FargatePair(cpu, mem); !contains2(fargateMemory[c], m) {
				t.Fatalf("FargatePair(%d, %d) suggests invalid %d/%d", cpu, mem, c, m)
			}
		}
	}
}

func contains2(ms []int, m int) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

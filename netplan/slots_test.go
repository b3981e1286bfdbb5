package netplan

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// An env allocated afresh numbers its AZs 1, 2, 3... in the order it lists them, for
// any network section: the numbering per-AZ resources had when it was positional, so
// that deployments made before AZs were numbered by slot keep their logical IDs.
func TestAZSlotsOfAFreshEnvArePositions(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	checked := 0
	for range 300 {
		cfg := randConfig(r)
		e := Env{Name: "e", Pos: at("envs/e.yaml", 1), AZs: randAZs(r, 1+r.IntN(cfg.MaxAZs))}
		plans, lock, errs := Allocate(cfg, []Env{e}, nil)
		if len(errs) > 0 {
			continue // a tier that does not fit: not what this test is about
		}
		checked++
		got := AZSlots(&plans[0], e.AZs, lock.Envs["e"])
		for i, az := range e.AZs {
			if got[az] != i+1 {
				t.Fatalf("%+v azs %v: %s has number %d, want %d (%v)", cfg, e.AZs, az, got[az], i+1, got)
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d of 300 random networks allocated", checked)
	}
}

// An AZ whose subnets all lie outside the slots (explicit ones) gets the lowest number
// no slot gives; the others keep theirs.
func TestAZSlotsOutsideTheSlot(t *testing.T) {
	cfg := Config{Pool: mp("10.0.0.0/8"), Prefix: 16, MaxAZs: 4, Tiers: []Tier{{Name: "public", Size: 24}}}
	e := Env{Name: "e", Pos: at("envs/e.yaml", 1), AZs: []string{"x", "a", "b"},
		Subnets: map[string]map[string]netip.Prefix{"public": {"x": mp("10.0.200.0/24")}}}
	plans, lock, errs := Allocate(cfg, []Env{e}, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := AZSlots(&plans[0], e.AZs, lock.Envs["e"])
	if got["a"] != 1 || got["b"] != 2 || got["x"] != 3 {
		t.Fatalf("numbers %v, want a 1, b 2, x 3", got)
	}
}

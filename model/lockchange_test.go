package model

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/riglet/riglet/netplan"
	"github.com/riglet/riglet/priority"
)

func TestDescribeLockChange(t *testing.T) {
	p := netip.MustParsePrefix
	sub := func(kv ...string) map[string]map[string]netip.Prefix {
		m := map[string]map[string]netip.Prefix{}
		for i := 0; i < len(kv); i += 3 {
			if m[kv[i]] == nil {
				m[kv[i]] = map[string]netip.Prefix{}
			}
			m[kv[i]][kv[i+1]] = p(kv[i+2])
		}
		return m
	}
	old := &Lock{
		Network: &netplan.Lock{Envs: map[string]*netplan.EnvLock{
			"gone":  {CIDR: p("10.3.0.0/16"), Subnets: sub("app", "a", "10.3.64.0/20")},
			"moved": {CIDR: p("10.1.0.0/16"), Subnets: sub("app", "a", "10.1.64.0/20")},
			"stays": {CIDR: p("10.2.0.0/16"), Subnets: sub("app", "a", "10.2.64.0/20", "app", "b", "10.2.80.0/20", "db", "a", "10.2.4.0/24"),
				RetiredSubnets: sub("app", "z", "10.2.112.0/20")},
			"pruned": {CIDR: p("10.4.0.0/16"), Retired: true},
		}},
		Priorities: map[string]map[string]map[string]priority.Entry{"stays": {"l": {"svc/Rule": {Priority: 100}}}},
	}
	new := &Lock{
		Network: &netplan.Lock{Envs: map[string]*netplan.EnvLock{
			"gone":  {CIDR: p("10.3.0.0/16"), Retired: true, Subnets: sub("app", "a", "10.3.64.0/20")},
			"moved": {CIDR: p("10.9.0.0/16"), Subnets: sub("app", "a", "10.9.64.0/20")},
			"stays": {CIDR: p("10.2.0.0/16"), Subnets: sub("app", "a", "10.2.64.0/20", "app", "c", "10.2.96.0/20", "db", "a", "10.2.5.0/24"),
				RetiredSubnets: sub("app", "b", "10.2.80.0/20", "db", "a", "10.2.4.0/24")},
			"fresh": {CIDR: p("10.5.0.0/16"), Subnets: sub("app", "a", "10.5.64.0/20")},
		}},
		Priorities: map[string]map[string]map[string]priority.Entry{"stays": {"l": {"svc/Rule": {Priority: 100, Retired: true}}}},
	}
	want := []EnvChanges{
		{"fresh", []string{"VPC 10.5.0.0/16 allocated (new env)", "subnet app/a 10.5.64.0/20 allocated (new env)"}},
		{"gone", []string{"VPC 10.3.0.0/16 retired (the env left the spec; its stacks may still exist, so no other env gets it until riglet lock prune)"}},
		{"moved", []string{
			"VPC moved 10.1.0.0/16 -> 10.9.0.0/16 (the env file's cidr changed: a VPC replacement, every subnet moves)",
			"subnet app/a moved 10.1.64.0/20 -> 10.9.64.0/20 (the VPC moved)",
		}},
		{"pruned", []string{"VPC 10.4.0.0/16 released (riglet lock prune: its stacks are gone)"}},
		{"stays", []string{
			"subnet app/b 10.2.80.0/20 retired (its AZ left the env; its stacks may still exist, so no other AZ gets it until riglet lock prune)",
			"subnet app/c 10.2.96.0/20 allocated (new AZ)",
			"subnet db/a moved 10.2.4.0/24 -> 10.2.5.0/24 (its explicit CIDR in the env file changed)",
			"retired subnet app/z 10.2.112.0/20 released (riglet lock prune: its stacks are gone)",
			"priority 100 of svc/Rule on l retired (the rule is gone; riglet lock prune releases it)",
		}},
	}
	if d := cmp.Diff(want, DescribeLockChange(old, new)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if got := DescribeLockChange(new, new); len(got) != 0 {
		t.Errorf("no change described as %v", got)
	}
}

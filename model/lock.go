package model

import (
	"errors"
	"io/fs"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/netplan"
	"github.com/riglet/riglet/priority"
	"github.com/riglet/riglet/source"
)

// Lock is the riglet's lock file: every derived allocation, so that none ever moves.
type Lock struct {
	Network    *netplan.Lock
	Priorities map[string]map[string]map[string]priority.Entry // env -> listener -> rule -> entry
	Stacks     map[string]map[string]StackEntry                // env (or shared) -> stack -> entry
}

func ReadLock(fsys fs.FS, file string, errs *ir.Errors) ([]byte, *Lock) {
	l := &Lock{Network: &netplan.Lock{Envs: map[string]*netplan.EnvLock{}}, Priorities: map[string]map[string]map[string]priority.Entry{}}
	// Whatever is wrong with the lock's contents (but its YAML) is the lock not matching
	// the sources, one rule, whichever decoder found it.
	from := len(*errs)
	defer func() {
		for _, e := range (*errs)[from:] {
			if e.Code != ir.CodeYAML && e.Code != ir.CodeDuplicateKey && e.Code != ir.CodeUnreadable {
				e.Code = ir.CodeLock
			}
		}
	}()
	data, err := fs.ReadFile(fsys, file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, l // a riglet not compiled yet: every allocation is new
	}
	if err != nil {
		// Taking a lock that exists but cannot be read for an absent one would redo
		// every allocation and move every VPC: refuse.
		errs.AddCode(ir.CodeUnreadable, ir.Pos{File: ir.FileOf(file)}, "cannot read lock file %s: %v", file, unwrapPathError(err))
		return nil, l
	}
	return data, parseLock(file, data, l, errs)
}

// ParseLock reads a lock file's contents (a --frozen compile compares the old lock with
// the new one); problems are CodeLock errors, as ReadLock's.
func ParseLock(file string, data []byte, errs *ir.Errors) *Lock {
	l := &Lock{Network: &netplan.Lock{Envs: map[string]*netplan.EnvLock{}}, Priorities: map[string]map[string]map[string]priority.Entry{}}
	from := len(*errs)
	defer func() {
		for _, e := range (*errs)[from:] {
			if e.Code != ir.CodeYAML && e.Code != ir.CodeDuplicateKey {
				e.Code = ir.CodeLock
			}
		}
	}()
	return parseLock(file, data, l, errs)
}

func parseLock(file string, data []byte, l *Lock, errs *ir.Errors) *Lock {
	root, err := source.Parse(file, data)
	if err != nil {
		errs.Merge(err)
		return l
	}
	if root.Kind == ir.Null {
		return l
	}
	o := newObject(root, LockKeys, "lock file", errs)
	if nw := o.mapping("network"); nw != nil {
		for _, e := range nw.Pairs {
			el := &netplan.EnvLock{Slots: map[string]netip.Prefix{}, Subnets: map[string]map[string]netip.Prefix{},
				SubnetPos: map[string]map[string]ir.Pos{}}
			eo := newObject(e.Value, LockEnvKeys, "lock entry "+e.Key, errs)
			if s, p := eo.str("cidr"); s != "" {
				el.CIDR, el.CIDRPos = lockPrefix(s, p, errs), p
			}
			el.Retired = eo.boolean("retired")
			if sl := eo.mapping("slots"); sl != nil {
				for _, t := range sl.Pairs {
					el.Slots[t.Key] = lockPrefix(t.Value.Text, t.Value.Pos, errs)
				}
			}
			if sn := eo.mapping("subnets"); sn != nil {
				for _, t := range sn.Pairs {
					el.Subnets[t.Key] = map[string]netip.Prefix{}
					el.SubnetPos[t.Key] = map[string]ir.Pos{}
					for _, a := range t.Value.Pairs {
						el.Subnets[t.Key][a.Key] = lockPrefix(a.Value.Text, a.Value.Pos, errs)
						el.SubnetPos[t.Key][a.Key] = a.Value.Pos
					}
				}
			}
			if sn := eo.mapping("retired_subnets"); sn != nil {
				el.RetiredSubnets = map[string]map[string]netip.Prefix{}
				for _, t := range sn.Pairs {
					el.RetiredSubnets[t.Key] = map[string]netip.Prefix{}
					for _, a := range t.Value.Pairs {
						el.RetiredSubnets[t.Key][a.Key] = lockPrefix(a.Value.Text, a.Value.Pos, errs)
					}
				}
			}
			eo.done()
			l.Network.Envs[e.Key] = el
		}
	}
	if st := o.mapping("stacks"); st != nil {
		l.Stacks = parseStacks(st, errs)
	}
	if pr := o.mapping("priorities"); pr != nil {
		for _, e := range pr.Pairs {
			l.Priorities[e.Key] = map[string]map[string]priority.Entry{}
			for _, li := range e.Value.Pairs {
				rules := map[string]priority.Entry{}
				for _, r := range li.Value.Pairs {
					ent := priority.Entry{}
					v := r.Value
					if v.Kind == ir.Map {
						ro := newObject(v, LockRuleKeys, "lock rule "+r.Key, errs)
						ent.Priority, _ = ro.integer("priority")
						ent.Retired = ro.boolean("retired")
						ro.done()
					} else {
						n, err := strconv.Atoi(v.Text)
						if err != nil {
							errs.AddCode(ir.CodeLock, v.Pos, "a priority is a whole number")
						}
						ent.Priority = n
					}
					rules[r.Key] = ent
				}
				l.Priorities[e.Key][li.Key] = rules
			}
		}
	}
	o.done()
	return l
}

func lockPrefix(s string, p ir.Pos, errs *ir.Errors) netip.Prefix {
	pf, err := netip.ParsePrefix(s)
	if err != nil {
		errs.AddCode(ir.CodeLock, p, "%q is not a CIDR block", s)
	}
	return pf
}

// Marshal writes the lock as sorted YAML.
func (l *Lock) Marshal(specFile string) []byte {
	var b strings.Builder
	b.WriteString("# Derived allocations of " + specFile + ", kept so that none ever moves.\n")
	b.WriteString("# Written by riglet compile; commit it and review its diffs. DO NOT EDIT by hand.\n")
	if l.Network != nil && len(l.Network.Envs) > 0 {
		b.WriteString("network:\n")
		for _, env := range sortedKeys(l.Network.Envs) {
			el := l.Network.Envs[env]
			b.WriteString("  " + env + ":\n")
			b.WriteString("    cidr: " + el.CIDR.String() + "\n")
			if el.Retired {
				// The env left the spec; its VPC may still be deployed.
				b.WriteString("    retired: true\n")
			}
			if len(el.Slots) > 0 {
				b.WriteString("    slots:\n")
				for _, t := range sortedKeys(el.Slots) {
					b.WriteString("      " + t + ": " + el.Slots[t].String() + "\n")
				}
			}
			writeSubnets(&b, "subnets", el.Subnets)
			// Subnets of removed AZs or tiers, kept from new ones until a prune.
			writeSubnets(&b, "retired_subnets", el.RetiredSubnets)
		}
	}
	if len(l.Priorities) > 0 {
		b.WriteString("priorities:\n")
		for _, env := range sortedKeys(l.Priorities) {
			b.WriteString("  " + env + ":\n")
			for _, li := range sortedKeys(l.Priorities[env]) {
				b.WriteString("    " + yamlKey(li) + ":\n")
				rules := l.Priorities[env][li]
				keys := sortedKeys(rules)
				sort.SliceStable(keys, func(i, j int) bool { return rules[keys[i]].Priority < rules[keys[j]].Priority })
				for _, r := range keys {
					e := rules[r]
					if e.Retired {
						b.WriteString("      " + yamlKey(r) + ": {priority: " + strconv.Itoa(e.Priority) + ", retired: true}\n")
					} else {
						b.WriteString("      " + yamlKey(r) + ": " + strconv.Itoa(e.Priority) + "\n")
					}
				}
			}
		}
	}
	writeStacks(&b, l.Stacks)
	return []byte(b.String())
}

func yamlKey(s string) string {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == '/') {
			return strconv.Quote(s)
		}
	}
	return s
}

// CheckRequires honours the spec's `requires: ">= 0.3"`.
func CheckRequires(s *Spec, errs *ir.Errors) {
	if s.Requires == "" {
		return
	}
	for _, clause := range strings.Split(s.Requires, ",") {
		clause = strings.TrimSpace(clause)
		op := strings.TrimRight(clause[:min(2, len(clause))], "0123456789. ")
		want := strings.TrimSpace(strings.TrimPrefix(clause, op))
		if op == "" {
			op = "="
		}
		c := compareVersions(Version, want)
		ok := map[string]bool{">=": c >= 0, ">": c > 0, "<=": c <= 0, "<": c < 0, "=": c == 0, "==": c == 0}[op]
		if _, known := map[string]bool{">=": true, ">": true, "<=": true, "<": true, "=": true, "==": true}[op]; !known || want == "" {
			errs.AddCode(ir.CodeVersion, s.RequiresPos, "requires %q: write a version constraint such as \">= 0.3\"", s.Requires)
			return
		}
		if !ok {
			errs.AddCode(ir.CodeVersion, s.RequiresPos, "riglet spec requires riglet %s; this is riglet %s", s.Requires, Version)
		}
	}
}

// Version is riglet's version, which specs may pin.
var Version = "0.1.0"

func compareVersions(a, b string) int {
	as, bs := strings.Split(strings.TrimPrefix(a, "v"), "."), strings.Split(strings.TrimPrefix(b, "v"), ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// LockDiff returns the lines a lock would lose and gain going from old to new (blank
// lines aside), in the order they stand: what a --frozen compile shows.
func LockDiff(old, new []byte) (lost, gained []string) {
	ol, nl := strings.Split(string(old), "\n"), strings.Split(string(new), "\n")
	count := func(ls []string) map[string]int {
		m := map[string]int{}
		for _, l := range ls {
			m[l]++
		}
		return m
	}
	have, want := count(ol), count(nl)
	for _, l := range ol {
		if want[l] == 0 && strings.TrimSpace(l) != "" {
			lost = append(lost, l)
		}
	}
	for _, l := range nl {
		if have[l] == 0 && strings.TrimSpace(l) != "" {
			gained = append(gained, l)
		}
	}
	return lost, gained
}

// writeSubnets writes a tier -> AZ -> CIDR map of an env's lock entry, sorted.
func writeSubnets(b *strings.Builder, key string, m map[string]map[string]netip.Prefix) {
	if len(m) == 0 {
		return
	}
	b.WriteString("    " + key + ":\n")
	for _, t := range sortedKeys(m) {
		b.WriteString("      " + t + ":\n")
		for _, az := range sortedKeys(m[t]) {
			b.WriteString("        " + az + ": " + m[t][az].String() + "\n")
		}
	}
}

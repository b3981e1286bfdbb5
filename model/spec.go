// Package model loads and validates what a user writes: the riglet spec, env files
// (with what they extend), blocks (the user's over the built-in library, which also
// serves the alarm catalogue) and the lock of derived allocations. Every value keeps the
// position it was read from; every mistake is an ir.Error with its code, all reported
// in one run. It reads an fs.FS and never writes.
package model

import (
	"fmt"
	"io/fs"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/source"
)

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// envRE is what an env name may be: it is a directory under out/<riglet>/ and part of
// every stack and export name, which CloudFormation allows letters, digits and
// hyphens, starting with a letter, in 128 characters; so nothing like "../x" ever
// reaches a path.
var envRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)

// MaxNameLen bounds riglet and env names, so that a stack name
// (owner-riglet-env-stack) and the export names under it stay within
// CloudFormation's limits for ordinary owner and stack names.
const MaxNameLen = 32

// ValidName reports whether a riglet, owner or stack name is one the spec accepts.
func ValidName(s string) bool { return len(s) <= MaxNameLen && nameRE.MatchString(s) }

// ValidEnvName reports whether an env name is one riglet can write and deploy.
func ValidEnvName(e string) bool { return len(e) <= MaxNameLen && envRE.MatchString(e) }

// LoadSpec reads riglets/<name>.yaml.
func LoadSpec(fsys fs.FS, file string, errs *ir.Errors) *Spec {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		errs.AddCode(ir.CodeUnreadable, ir.Pos{File: ir.FileOf(file)}, "cannot read riglet spec: %v", unwrapPathError(err))
		return nil
	}
	root, err := source.Parse(file, data)
	if err != nil {
		errs.Merge(err)
		return nil
	}
	if root.Kind != ir.Map {
		errs.AddCode(ir.CodeInvalidValue, root.Pos, "a riglet spec is a map with riglet, owner, envs and stacks")
		return nil
	}
	s := &Spec{File: file, Root: root}
	o := newObject(root, SpecKeys, "riglet spec", errs)
	s.Name, s.Pos = o.required("riglet")
	if s.Name != "" && !nameRE.MatchString(s.Name) {
		errs.AddCode(ir.CodeInvalidValue, s.Pos, "riglet name %q must be lower case letters, digits and dashes", s.Name)
	} else if len(s.Name) > MaxNameLen {
		errs.AddCode(ir.CodeInvalidValue, s.Pos, "riglet name %q is longer than %d characters", s.Name, MaxNameLen)
	}
	var ownerPos ir.Pos
	s.Owner, ownerPos = o.required("owner")
	if s.Owner != "" && !nameRE.MatchString(s.Owner) {
		errs.AddCode(ir.CodeInvalidValue, ownerPos, "owner %q must be lower case letters, digits and dashes", s.Owner)
	}
	s.Requires, s.RequiresPos = o.str("requires")
	s.Description, _ = o.str("description")
	s.Envs, s.EnvPos = o.strings("envs")
	if len(s.Envs) == 0 {
		errs.AddCode(ir.CodeMissingKey, o.keyPos("envs"), "riglet spec needs envs, the environments it is stamped out for")
	}
	seen := map[string]ir.Pos{}
	for i, e := range s.Envs {
		if p, ok := seen[e]; ok {
			errs.Add(&ir.Error{Code: ir.CodeDuplicateName, Pos: s.EnvPos[i], Msg: "env " + e + " listed twice", Related: []ir.Related{{Pos: p}}})
		}
		seen[e] = s.EnvPos[i]
		if !ValidEnvName(e) {
			errs.AddCode(ir.CodeInvalidValue, s.EnvPos[i], "env name %q must be letters, digits and dashes, start with a letter and have at most %d characters", e, MaxNameLen)
		}
		if e == "shared" {
			errs.AddCode(ir.CodeInvalidValue, s.EnvPos[i], "env name shared is reserved for shared stacks")
		}
	}
	s.Network = loadNetwork(o.mapping("network"), o.keyPos("network"), errs)
	stacks := o.mapping("stacks")
	if stacks == nil || len(stacks.Pairs) == 0 {
		errs.AddCode(ir.CodeMissingKey, o.keyPos("stacks"), "riglet spec needs stacks")
	} else {
		for _, p := range stacks.Pairs {
			s.Stacks = append(s.Stacks, loadStack(p, errs))
		}
	}
	o.done()
	return s
}

func loadNetwork(n *ir.Node, p ir.Pos, errs *ir.Errors) Network {
	nw := Network{Pool: netip.MustParsePrefix(NetworkKeys.Key("pool").Default),
		PoolPos: p, PrefixPos: p, MaxAZsPos: p}
	o := newObject(n, NetworkKeys, "network", errs)
	if s, sp := o.str("pool"); s != "" {
		nw.PoolPos = sp
		pf, err := netip.ParsePrefix(s)
		if err != nil || !pf.Addr().Is4() {
			errs.AddCode(ir.CodeInvalidValue, sp, "pool %q is not an IPv4 CIDR block", s)
		} else {
			nw.Pool = pf
		}
	}
	nw.Prefix, nw.PrefixPos = o.integer("prefix")
	nw.MaxAZs, nw.MaxAZsPos = o.integer("max_azs")
	if nw.MaxAZs < 1 || nw.MaxAZs > 16 {
		errs.AddCode(ir.CodeInvalidValue, nw.MaxAZsPos, "max_azs must be between 1 and 16")
		nw.MaxAZs, _ = strconv.Atoi(NetworkKeys.Key("max_azs").Default)
	}
	if t := o.mapping("tiers"); t != nil {
		for _, pr := range t.Pairs {
			size := 0
			if pr.Value.Kind == ir.Number {
				size = atoi(pr.Value.Text)
			}
			if size < 1 || size > 32 {
				errs.AddCode(ir.CodeInvalidValue, pr.Value.Pos, "tier %s: size must be a prefix length such as 24", pr.Key)
				continue
			}
			nw.Tiers = append(nw.Tiers, Tier{Name: pr.Key, Size: size, Pos: pr.KeyPos})
		}
	} else {
		nw.Tiers = []Tier{{"public", 24, p}, {"app", 20, p}, {"db", 24, p}} // NetworkKeys' default, as a test checks
	}
	o.done()
	return nw
}

func loadStack(p ir.Pair, errs *ir.Errors) *Stack {
	st := &Stack{Name: p.Key, Pos: p.KeyPos}
	if !nameRE.MatchString(p.Key) {
		errs.AddCode(ir.CodeInvalidValue, p.KeyPos, "stack name %q must be lower case letters, digits and dashes", p.Key)
	}
	o := newObject(p.Value, StackKeys, "stack "+p.Key, errs)
	st.Shared = o.boolean("shared")
	st.Needs, st.NeedsPos = o.strings("needs")
	st.Only = loadOnly(o)
	blocks := o.mapping("blocks")
	if blocks == nil || len(blocks.Pairs) == 0 {
		errs.AddCode(ir.CodeMissingKey, p.KeyPos, "stack %s needs blocks", p.Key)
	} else {
		for _, b := range blocks.Pairs {
			in := loadInstance(b, errs)
			in.Stack = st
			st.Instances = append(st.Instances, in)
		}
	}
	o.done()
	return st
}

var instanceRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-_]*$`)

func loadInstance(p ir.Pair, errs *ir.Errors) *Instance {
	in := &Instance{Name: p.Key, Pos: p.KeyPos}
	if !instanceRE.MatchString(p.Key) {
		errs.AddCode(ir.CodeInvalidValue, p.KeyPos, "instance name %q must start with a letter and hold only letters, digits, - and _", p.Key)
	}
	o := newObject(p.Value, InstanceKeys, "instance "+p.Key, errs)
	in.Block, in.BlockPos = o.required("block")
	in.Params = o.mapping("params")
	if envs := o.mapping("envs"); envs != nil {
		in.Envs, in.EnvsPos = map[string]*ir.Node{}, map[string]ir.Pos{}
		for _, e := range envs.Pairs {
			if e.Value.Kind != ir.Map {
				errs.AddCode(ir.CodeInvalidValue, e.Value.Pos, "envs.%s is a map of parameters", e.Key)
				continue
			}
			in.Envs[e.Key], in.EnvsPos[e.Key] = e.Value, e.KeyPos
		}
	}
	if w := o.get("with"); w != nil {
		if w.Kind != ir.List {
			errs.AddCode(ir.CodeInvalidValue, w.Pos, "with is a list of modifications")
		} else {
			for _, it := range w.Items {
				switch {
				case it.Kind == ir.String:
					in.With = append(in.With, &Modification{Block: it.Text, Pos: it.Pos})
				case it.Kind == ir.Map && len(it.Pairs) == 1 && it.Pairs[0].Value.Kind == ir.Map:
					in.With = append(in.With, &Modification{Block: it.Pairs[0].Key, Pos: it.Pairs[0].KeyPos, Params: it.Pairs[0].Value})
				case it.Kind == ir.Map && len(it.Pairs) == 1 && it.Pairs[0].Value.Kind == ir.Null:
					in.With = append(in.With, &Modification{Block: it.Pairs[0].Key, Pos: it.Pairs[0].KeyPos})
				default:
					errs.AddCode(ir.CodeInvalidValue, it.Pos, "a modification is a block name, or {name: {params}}")
				}
			}
		}
	}
	in.Alarms = o.mapping("alarms")
	in.Ignore = o.mapping("ignore")
	in.Only = loadOnly(o)
	o.done()
	return in
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n > 1<<20 {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	if s == "" {
		return -1
	}
	return n
}

// Pascal turns an instance name into a logical-ID prefix: "app-twig_api" -> "AppTwigApi".
func Pascal(s string) string {
	var b strings.Builder
	b.Grow(len(s)) // one allocation: it is called for every wired reference
	up := true
	for _, c := range s {
		switch {
		case c == '-' || c == '_':
			up = true
		case up && c >= 'a' && c <= 'z':
			b.WriteRune(c - 'a' + 'A')
			up = false
		default:
			b.WriteRune(c)
			up = false
		}
	}
	return b.String()
}

// CheckUniqueNames reports specs among files that share a riglet name: each would
// write out/<riglet>/ and riglets' stacks over the other's. A spec that does not load
// is left to its compile to report.
//
// One spec has no other to clash with, and loading it only to learn its name is a
// whole parse before the compile parses it again (80-100 ms of the 3 x 800-service
// benchmark's 350 KB spec): with fewer than two files it reads nothing.
func CheckUniqueNames(fsys fs.FS, files []string) error {
	if len(files) < 2 {
		return nil
	}
	var errs ir.Errors
	first := map[string]*Spec{}
	for _, f := range files {
		var ignore ir.Errors
		s := LoadSpec(fsys, f, &ignore)
		if s == nil || s.Name == "" {
			continue
		}
		if p, ok := first[s.Name]; ok {
			errs.Add(&ir.Error{Code: ir.CodeDuplicateName, Pos: s.Pos,
				Msg:     fmt.Sprintf("riglet %s is also the name of %s: riglet names are unique, as each owns out/%s/", s.Name, p.File, s.Name),
				Related: []ir.Related{{Pos: p.Pos, Msg: "riglet " + s.Name + " first here"}}})
			continue
		}
		first[s.Name] = s
	}
	return errs.Err()
}

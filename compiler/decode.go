package compiler

import (
	"sort"
	"strconv"
	"strings"

	"github.com/riglet/riglet/ir"
)

// object reads the keys of a Map node, remembering which were read so that done can
// report the unknown ones with a suggestion.
type object struct {
	n    *ir.Node
	errs *ir.Errors
	what string // "env file", "instance" ...: used in messages
	read map[string]bool
}

func newObject(n *ir.Node, what string, errs *ir.Errors) *object {
	if n != nil && n.Kind != ir.Map && n.Kind != ir.Null {
		errs.Addf(n.Pos, "%s must be a map, not a %s", what, n.Kind)
		n = nil
	}
	return &object{n: n, errs: errs, what: what, read: map[string]bool{}}
}

func (o *object) get(key string) *ir.Node {
	o.read[key] = true
	v := o.n.Get(key)
	if v != nil && v.Kind == ir.Null {
		return nil
	}
	return v
}

// keyPos is the position of key, or of the object when the key is absent.
func (o *object) keyPos(key string) ir.Pos {
	if p := o.n.Pair(key); p != nil {
		return p.KeyPos
	}
	if o.n != nil {
		return o.n.Pos
	}
	return ir.Pos{}
}

func (o *object) str(key string) (string, ir.Pos) {
	v := o.get(key)
	if v == nil {
		return "", o.keyPos(key)
	}
	if v.Kind == ir.Map || v.Kind == ir.List {
		o.errs.Addf(v.Pos, "%s must be a string, not a %s", key, v.Kind)
		return "", v.Pos
	}
	return v.Text, v.Pos
}

func (o *object) required(key string) (string, ir.Pos) {
	s, p := o.str(key)
	if s == "" && o.n.Get(key) == nil {
		o.errs.Addf(p, "%s needs %s", o.what, key)
	}
	return s, p
}

func (o *object) integer(key string, def int) (int, ir.Pos) {
	v := o.get(key)
	if v == nil {
		return def, o.keyPos(key)
	}
	n, err := strconv.Atoi(v.Text)
	if v.Kind != ir.Number || err != nil {
		o.errs.Addf(v.Pos, "%s must be a whole number", key)
		return def, v.Pos
	}
	return n, v.Pos
}

func (o *object) boolean(key string) bool {
	v := o.get(key)
	if v == nil {
		return false
	}
	if v.Kind != ir.Bool {
		o.errs.Addf(v.Pos, "%s must be true or false", key)
		return false
	}
	return v.Text == "true"
}

func (o *object) strings(key string) ([]string, []ir.Pos) {
	v := o.get(key)
	if v == nil {
		return nil, nil
	}
	if v.Kind != ir.List {
		o.errs.Addf(v.Pos, "%s must be a list", key)
		return nil, nil
	}
	var ss []string
	var ps []ir.Pos
	for _, it := range v.Items {
		if !it.IsScalar() || it.Kind == ir.Null {
			o.errs.Addf(it.Pos, "%s must be a list of strings", key)
			continue
		}
		ss = append(ss, it.Text)
		ps = append(ps, it.Pos)
	}
	return ss, ps
}

func (o *object) mapping(key string) *ir.Node {
	v := o.get(key)
	if v != nil && v.Kind != ir.Map {
		o.errs.Addf(v.Pos, "%s must be a map, not a %s", key, v.Kind)
		return nil
	}
	return v
}

// done reports every key that was not read.
func (o *object) done() {
	if o.n == nil {
		return
	}
	var known []string
	for k := range o.read {
		known = append(known, k)
	}
	sort.Strings(known)
	for _, p := range o.n.Pairs {
		if !o.read[p.Key] {
			o.errs.AddCode("unknown-key", p.KeyPos, "unknown key %q in %s%s", p.Key, o.what, didYouMean(p.Key, known))
		}
	}
}

// didYouMean returns ` (did you mean "x"?)` for the closest candidate, or "".
func didYouMean(s string, candidates []string) string {
	if c := closest(s, candidates); c != "" {
		return " (did you mean " + strconv.Quote(c) + "?)"
	}
	return ""
}

func closest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := levenshtein(ls, strings.ToLower(c))
		if d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	if best == "" || bestD > max(2, len(s)/3) {
		return ""
	}
	return best
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

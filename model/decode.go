package model

import (
	"maps"
	"slices"
	"sort"
	"strconv"

	"github.com/riglet/riglet/internal/suggest"
	"github.com/riglet/riglet/ir"
)

// object reads the keys of a Map node that its table (keys.go) has, so that done can
// report every other key as unknown, with a suggestion from the table.
type object struct {
	n    *ir.Node
	tbl  *Table
	errs *ir.Errors
	what string // "env file", "instance" ...: used in messages
}

func newObject(n *ir.Node, tbl *Table, what string, errs *ir.Errors) *object {
	if n != nil && n.Kind != ir.Map && n.Kind != ir.Null {
		errs.AddCode(ir.CodeInvalidValue, n.Pos, "%s must be a map, not a %s", what, n.Kind)
		n = nil
	}
	return &object{n: n, tbl: tbl, errs: errs, what: what}
}

// key is the table's entry for a key the decoder reads. A decoder reading a key its
// table lacks is a programming error any test of that decoder finds: the key would be
// decoded yet undocumented, and reported as unknown.
func (o *object) key(key string) *Key {
	k := o.tbl.Key(key)
	if k == nil {
		panic("model: " + o.tbl.Name + " decodes " + key + ", which its key table lacks")
	}
	if readHook != nil {
		readHook(o.tbl, key)
	}
	return k
}

// readHook, set by a test, sees every key a decoder reads: that test checks that every
// key of every table is read, so that none is documented yet ignored.
var readHook func(*Table, string)

func (o *object) get(key string) *ir.Node {
	o.key(key)
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
		o.errs.AddCode(ir.CodeInvalidValue, v.Pos, "%s must be a string, not a %s", key, v.Kind)
		return "", v.Pos
	}
	return v.Text, v.Pos
}

func (o *object) required(key string) (string, ir.Pos) {
	s, p := o.str(key)
	if s == "" && o.n.Get(key) == nil {
		o.errs.AddCode(ir.CodeMissingKey, p, "%s needs %s", o.what, key)
	}
	return s, p
}

// integer reads a whole number; absent, it is the table's default (0 for none).
func (o *object) integer(key string) (int, ir.Pos) {
	def, _ := strconv.Atoi(o.key(key).Default)
	v := o.get(key)
	if v == nil {
		return def, o.keyPos(key)
	}
	n, err := strconv.Atoi(v.Text)
	if v.Kind != ir.Number || err != nil {
		o.errs.AddCode(ir.CodeInvalidValue, v.Pos, "%s must be a whole number", key)
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
		o.errs.AddCode(ir.CodeInvalidValue, v.Pos, "%s must be true or false", key)
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
		o.errs.AddCode(ir.CodeInvalidValue, v.Pos, "%s must be a list", key)
		return nil, nil
	}
	var ss []string
	var ps []ir.Pos
	for _, it := range v.Items {
		if !it.IsScalar() || it.Kind == ir.Null {
			o.errs.AddCode(ir.CodeInvalidValue, it.Pos, "%s must be a list of strings", key)
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
		o.errs.AddCode(ir.CodeInvalidValue, v.Pos, "%s must be a map, not a %s", key, v.Kind)
		return nil
	}
	return v
}

// done reports every key its table does not have.
func (o *object) done() {
	if o.n == nil || o.tbl.Open {
		return
	}
	known := o.tbl.Names()
	sort.Strings(known)
	for _, p := range o.n.Pairs {
		if o.tbl.Key(p.Key) == nil {
			o.errs.AddCode(ir.CodeUnknownKey, p.KeyPos, "unknown key %s in %s%s", ir.Quote(p.Key), o.what, didYouMean(p.Key, known))
		}
	}
}

// didYouMean returns ` (did you mean "x"?)` for the closest candidate, or "".
func didYouMean(s string, candidates []string) string { return suggest.DidYouMean(s, candidates) }

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

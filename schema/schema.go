// Package schema knows every CloudFormation resource type AWS's registry describes:
// its properties and their shapes, which are required, and which attributes
// Fn::GetAtt may name. The linter's cloudformation rules check generated resources
// against it.
//
// The data is AWS's registry schemas as cfn-lint corrects them (a template's view
// where the resource provider's differs, and enums from AWS's service models; rain's
// module's copy for the types cfn-lint lacks), compressed by schema/internal/build
// into data.bin and embedded. Nothing is decoded until it is
// used, and then only the resource types asked for, so a lint of a small riglet
// spends microseconds here, not the milliseconds a full load takes.
package schema

//go:generate go run ./internal/gen

import (
	_ "embed"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/riglet/riglet/schema/internal/format"
)

//go:embed data.bin
var data string

// Kind is the shape of a property's value.
type Kind uint8

const (
	Any     Kind = Kind(format.KindAny)     // untyped or JSON: any value
	String  Kind = Kind(format.KindString)  // a string, maybe restricted to Enum
	Integer Kind = Kind(format.KindInteger) // an integer, maybe restricted to Enum
	Number  Kind = Kind(format.KindNumber)  // a number, maybe restricted to Enum
	Boolean Kind = Kind(format.KindBoolean)
	List    Kind = Kind(format.KindList)   // a list of Item
	Object  Kind = Kind(format.KindObject) // fixed keys: Props, of which Required
	Map     Kind = Kind(format.KindMap)    // free-form keys, each value an Item
	Union   Kind = Kind(format.KindUnion)  // any one of Alts, each of a different kind
)

var kindNames = [...]string{"Any", "String", "Integer", "Number", "Boolean", "List", "Object", "Map", "Union"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Prop is the shape of a property value. Props are shared and, for recursive
// definitions, form cycles: treat them as read-only, and walk them alongside a
// (finite) template value rather than on their own.
//
// Where a schema offers alternatives (oneOf, anyOf, a list of types), those of the
// same kind are merged leniently: an Object has the properties of all of them and
// requires only what every one requires; alternatives of different kinds make a
// Union. A checker built on Prop therefore never rejects a value that AWS's schema
// accepts, at the price of missing some "A or B is required" rules.
type Prop struct {
	Kind     Kind
	Item     *Prop            // List items, Map values
	Props    map[string]*Prop // Object properties
	Required []string         // Object properties that must be present, sorted
	Choices  []Choice         // Object: "at least one of" and "exactly one of" rules
	Enum     []string         // String, Integer, Number: the allowed values when at most 64, as written in the schema, sorted
	EnumFold bool             // the Enum ignores case
	MinLen   int              // String: the least length, 0 for none
	MaxLen   int              // String: the greatest length, 0 for none
	Min, Max string           // Integer, Number: the bounds as the schema writes them, "" for none
	Alts     []*Prop          // Union: the alternatives, each of a different kind, none a Union
}

// Choice is a rule over an object's properties: at least one of Names must be set,
// or, with One, exactly one.
type Choice struct {
	One   bool
	Names []string // sorted
}

// Resource describes one resource type. Property paths are dotted ("A.B"); "*"
// stands for every item of a list ("A.*.B").
type Resource struct {
	Type       string
	Props      map[string]*Prop
	Required   []string // sorted
	Choices    []Choice // "at least one of" and "exactly one of" rules over Props
	Attributes []string // names Fn::GetAtt accepts, sorted
	ReadOnly   []string // properties AWS sets: a template must not
	CreateOnly []string // changing one replaces the resource
	WriteOnly  []string // never returned by AWS (passwords, say)
	Deprecated []string
}

// Path returns the shape at a dotted property path ("A.B"), where "*" stands for
// the items of a list or the values of a map ("A.*.B"), or nil when there is none.
// In a union, the first alternative that has the path wins.
func (r *Resource) Path(path string) *Prop {
	p := &Prop{Kind: Object, Props: r.Props, Required: r.Required, Choices: r.Choices}
	return p.path(strings.Split(path, "."))
}

func (p *Prop) path(names []string) *Prop {
	if len(names) == 0 {
		return p
	}
	switch p.Kind {
	case Object:
		if c := p.Props[names[0]]; c != nil {
			return c.path(names[1:])
		}
	case List, Map:
		if names[0] == "*" {
			return p.Item.path(names[1:])
		}
	case Union:
		for _, a := range p.Alts {
			if c := a.path(names); c != nil {
				return c
			}
		}
	}
	return nil
}

type slot struct {
	once sync.Once
	r    *Resource
}

type table struct {
	nTypes, typeTab int
	nNodes, nodeTab int
	slots           []slot
}

var (
	tabOnce sync.Once
	tab     *table

	typesOnce sync.Once
	types     []string
)

// load reads the header only; the tables are used in place.
func load() *table {
	tabOnce.Do(func() {
		if len(data) < format.HeaderSize || data[:len(format.Magic)] != format.Magic {
			panic("schema: data.bin is not schema data of this version: run go generate ./schema")
		}
		h := len(format.Magic)
		t := &table{
			nTypes:  int(u32(h)),
			typeTab: int(u32(h + 4)),
			nNodes:  int(u32(h + 8)),
			nodeTab: int(u32(h + 12)),
		}
		if t.typeTab+8*t.nTypes != len(data) || t.nodeTab+4*t.nNodes > t.typeTab {
			panic("schema: data.bin is corrupt: run go generate ./schema")
		}
		t.slots = make([]slot, t.nTypes)
		tab = t
	})
	return tab
}

func u32(off int) uint32 {
	_ = data[off+3]
	return uint32(data[off]) | uint32(data[off+1])<<8 | uint32(data[off+2])<<16 | uint32(data[off+3])<<24
}

// uvarint reads an unsigned varint at off; the blob is generated and checked by
// tests, so a malformed one is a broken build and may panic.
func uvarint(off int) (uint64, int) {
	var x uint64
	var s uint
	for i := off; ; i++ {
		b := data[i]
		if b < 0x80 {
			return x | uint64(b)<<s, i + 1
		}
		x |= uint64(b&0x7f) << s
		s += 7
	}
}

// str returns the string stored at off, sharing the embedded bytes.
func str(off int) string {
	n, p := uvarint(off)
	return data[p : p+int(n)]
}

func (t *table) typeName(i int) string { return str(int(u32(t.typeTab + 8*i))) }

// Types returns the names of all known resource types, sorted.
func Types() []string {
	typesOnce.Do(func() {
		t := load()
		types = make([]string, t.nTypes)
		for i := range types {
			types[i] = t.typeName(i)
		}
	})
	return append([]string(nil), types...)
}

// Lookup returns the resource type named typeName (exact case), or nil when the
// registry has no such type. Each type is decoded once, on first lookup; Lookup is
// safe for concurrent use and callers share the result, which they must not modify.
func Lookup(typeName string) *Resource {
	t := load()
	i := sort.Search(t.nTypes, func(i int) bool { return t.typeName(i) >= typeName })
	if i == t.nTypes || t.typeName(i) != typeName {
		return nil
	}
	s := &t.slots[i]
	s.once.Do(func() { s.r = t.decode(i) })
	return s.r
}

// decoder turns one record into a Resource; memo keeps shared and recursive
// shapes shared.
type decoder struct {
	t    *table
	memo map[int]*Prop
	slab []Prop // Props are allocated in blocks: one type has dozens to hundreds
}

func (t *table) decode(i int) *Resource {
	d := &decoder{t: t, memo: map[int]*Prop{}}
	rec := int(u32(t.typeTab + 8*i + 4))
	root, p := uvarint(rec)
	rp := d.node(int(root))
	r := &Resource{Type: t.typeName(i), Props: rp.Props, Required: rp.Required, Choices: rp.Choices}
	for _, dst := range []*[]string{&r.Attributes, &r.ReadOnly, &r.CreateOnly, &r.WriteOnly, &r.Deprecated} {
		*dst, p = strList(p)
	}
	return r
}

func strList(p int) ([]string, int) {
	n, p := uvarint(p)
	if n == 0 {
		return nil, p
	}
	out := make([]string, n)
	for i := range out {
		var off uint64
		off, p = uvarint(p)
		out[i] = str(int(off))
	}
	return out, p
}

func (d *decoder) node(id int) *Prop {
	if p, ok := d.memo[id]; ok {
		return p
	}
	off := int(u32(d.t.nodeTab + 4*id))
	if len(d.slab) == 0 {
		d.slab = make([]Prop, min(8+len(d.memo), 128))
	}
	p := &d.slab[0]
	d.slab = d.slab[1:]
	p.Kind = Kind(data[off])
	d.memo[id] = p // before the children, which may lead back here
	pos := off + 1
	switch p.Kind {
	case String, Integer, Number:
		p.Enum, pos = strList(pos)
		p.EnumFold = data[pos] == 1
		pos++
		a, pos := uvarint(pos)
		b, _ := uvarint(pos)
		if p.Kind == String {
			p.MinLen, p.MaxLen = int(a), int(b)
		} else {
			if a > 0 {
				p.Min = str(int(a - 1))
			}
			if b > 0 {
				p.Max = str(int(b - 1))
			}
		}
	case List, Map:
		item, _ := uvarint(pos)
		p.Item = d.node(int(item))
	case Object:
		var n uint64
		n, pos = uvarint(pos)
		p.Props = make(map[string]*Prop, n)
		for range n {
			var name, child uint64
			name, pos = uvarint(pos)
			child, pos = uvarint(pos)
			p.Props[str(int(name))] = d.node(int(child))
		}
		p.Required, pos = strList(pos)
		var nc uint64
		nc, pos = uvarint(pos)
		if nc > 0 {
			p.Choices = make([]Choice, nc)
		}
		for i := range p.Choices {
			p.Choices[i].One = data[pos] == 1
			p.Choices[i].Names, pos = strList(pos + 1)
		}
	case Union:
		var n uint64
		n, pos = uvarint(pos)
		p.Alts = make([]*Prop, n)
		for i := range p.Alts {
			var a uint64
			a, pos = uvarint(pos)
			p.Alts[i] = d.node(int(a))
		}
	}
	return p
}

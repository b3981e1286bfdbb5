package lint

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"hash"
	"slices"
	"sort"
	"sync"

	"github.com/riglet/riglet/ir"
)

// TemplateCache keeps the findings of the template rules on one generated template,
// under a digest of everything those rules read (templateDigest): a change of one
// service re-runs them on its templates only. Get and Put are called from the rule
// workers, concurrently. What the digest does not cover, the rules' own code, is
// the cache's to key by (cmd/riglet keys it by the binary).
type TemplateCache interface {
	Get(key Digest) ([]byte, bool)
	Put(key Digest, data []byte)
}

// Digest is a template's key in a TemplateCache.
type Digest [sha256.Size]byte

// A template rule reads its stack (the tree with every position, the origins, the
// stack's own fields), its size and generated lines (functions of the tree and the
// env's header), whether the files its positions name are built in (where a finding
// is placed), and of its env: the name, whether it is production, the region, and,
// through imports (LB009 follows one to the certificate it names), every stack's
// outputs and the ID and type of its resources. The riglet rules, which read across
// stacks and envs, always run.
const digestFormat = "riglet lint template findings 1"

// digest is the env's envDigest, computed once.
func (e *Env) digest() Digest {
	e.digestOnce.Do(func() { e.envKey = envDigest(e) })
	return e.envKey
}

// envDigest hashes what a template rule may read of its env beside its own stack.
func envDigest(e *Env) Digest {
	d := newDigester()
	d.str(digestFormat)
	d.str(e.Env)
	d.bool(e.Prod)
	d.str(e.Region)
	if e.result != nil {
		d.strs(e.result.Header(e.EnvResult))
	}
	d.int(len(e.Stacks))
	for _, s := range e.Stacks {
		d.str(s.Name)
		d.node(s.Outputs)
		d.int(len(s.Resources))
		for _, r := range s.Resources {
			d.str(r.ID)
			d.str(r.Type)
		}
	}
	d.int(len(d.files))
	for _, f := range d.files {
		d.str(f.String())
	}
	sum := d.sum()
	d.release()
	return sum
}

// templateDigest is the key of stack s's template findings: its env's digest, then
// the stack.
func templateDigest(env Digest, s *Stack, lib interface{ IsBuiltin(string) bool }) Digest {
	d := newDigester()
	d.bytes(env[:])
	sr := s.StackResult
	d.str(sr.Name)
	d.str(sr.StackName)
	d.pos(sr.Pos)
	d.str(s.OutPath)
	d.bool(sr.Shared)
	d.strs(sr.Needs)
	d.strs(sr.Capabilities)
	d.strs(sr.Instances)
	d.int(len(sr.DeployParams))
	for _, p := range sr.DeployParams {
		d.str(p.Name)
		d.str(p.Default)
		d.bool(p.Required)
	}
	d.node(sr.Template)
	ids := make([]string, 0, len(sr.Origins))
	for id := range sr.Origins {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	d.int(len(ids))
	for _, id := range ids {
		o := sr.Origins[id]
		d.str(id)
		d.bool(o != nil)
		if o == nil {
			continue
		}
		d.str(o.Instance)
		d.str(o.Block)
		d.pos(o.Pos)
		d.bool(o.Builtin)
		d.int(len(o.Chain))
		for _, st := range o.Chain {
			d.str(st.Name)
			d.str(st.Block)
			d.pos(st.Pos)
			d.bool(st.Builtin)
		}
	}
	// Whether each file the positions name is built in decides where a finding goes.
	d.int(len(d.files))
	for _, f := range d.files {
		d.str(f.String())
		d.bool(lib != nil && lib.IsBuiltin(f.String()))
	}
	sum := d.sum()
	d.release()
	return sum
}

// A digester hashes values with their lengths, so that no two inputs run together.
// A position's file is hashed as its number in the order files are first named (the
// list is hashed at the end, with whether each is built in): millions of positions
// name a few files. Digesters are pooled: every template of a large riglet takes
// one, and a fresh 32 KB buffer each was a tenth of the digest's time.
type digester struct {
	h      hash.Hash
	buf    []byte
	files  []ir.File
	fileNo map[ir.File]int
	last   ir.File // the file of the position before, and its number
	lastNo int
}

var digesters = sync.Pool{New: func() any {
	return &digester{h: sha256.New(), buf: make([]byte, 0, 32<<10), fileNo: map[ir.File]int{}}
}}

func newDigester() *digester {
	d := digesters.Get().(*digester)
	d.h.Reset()
	d.buf = d.buf[:0]
	d.files = d.files[:0]
	clear(d.fileNo)
	d.last, d.lastNo = 0, -1
	return d
}

// release gives d back to the pool; d is not used after.
func (d *digester) release() {
	if cap(d.buf) > 1<<20 {
		return // a huge Text grew it: let it go
	}
	d.last = 0
	digesters.Put(d)
}

func (d *digester) flush() {
	d.h.Write(d.buf)
	d.buf = d.buf[:0]
}

// uvarint appends n as encoding/binary does, one byte for the small numbers that are
// most of what a tree holds.
func uvarint(b []byte, n uint64) []byte {
	if n < 0x80 {
		return append(b, byte(n))
	}
	return binary.AppendUvarint(b, n)
}

func (d *digester) int(n int) {
	d.buf = uvarint(d.buf, uint64(n))
	if len(d.buf) > 30<<10 {
		d.flush()
	}
}

func (d *digester) bytes(b []byte) {
	d.int(len(b))
	d.buf = append(d.buf, b...)
}

func (d *digester) str(s string) {
	d.int(len(s))
	d.buf = append(d.buf, s...)
}

func (d *digester) strs(ss []string) {
	d.int(len(ss))
	for _, s := range ss {
		d.str(s)
	}
}

func (d *digester) bool(b bool) {
	if b {
		d.int(1)
	} else {
		d.int(0)
	}
}

func (d *digester) pos(p ir.Pos) {
	d.buf = d.appendPos(d.buf, p)
	if len(d.buf) > 30<<10 {
		d.flush()
	}
}

// appendPos appends a position: its file's number, line and column.
func (d *digester) appendPos(b []byte, p ir.Pos) []byte {
	if p.File != d.last || d.lastNo < 0 {
		n, ok := d.fileNo[p.File]
		if !ok {
			n = len(d.files)
			d.fileNo[p.File] = n
			d.files = append(d.files, p.File)
		}
		d.last, d.lastNo = p.File, n
	}
	b = uvarint(b, uint64(d.lastNo))
	b = uvarint(b, uint64(uint32(p.Line)))
	return uvarint(b, uint64(uint32(p.Col)))
}

// node hashes a tree: the bytes are those of d.int, d.str and d.pos field by field
// (the digest is theirs), appended in one go per node.
func (d *digester) node(n *ir.Node) {
	b := d.buf
	if len(b) > 30<<10 {
		d.h.Write(b)
		b = b[:0]
	}
	if n == nil {
		d.buf = append(b, 0)
		return
	}
	b = uvarint(b, uint64(n.Kind)+1)
	b = uvarint(b, uint64(len(n.Text)))
	b = append(b, n.Text...)
	b = d.appendPos(b, n.Pos)
	b = uvarint(b, uint64(len(n.Items)))
	d.buf = b
	for _, it := range n.Items {
		d.node(it)
	}
	d.buf = uvarint(d.buf, uint64(len(n.Pairs)))
	for i := range n.Pairs {
		p := &n.Pairs[i]
		b := d.buf
		if len(b) > 30<<10 {
			d.h.Write(b)
			b = b[:0]
		}
		b = uvarint(b, uint64(len(p.Key)))
		b = append(b, p.Key...)
		d.buf = d.appendPos(b, p.KeyPos)
		d.node(p.Value)
	}
}

func (d *digester) sum() Digest {
	d.flush()
	var out Digest
	d.h.Sum(out[:0])
	return out
}

// noFindings is a table of no findings per rule, shared by every template that has
// none: runRules only reads it.
var noFindings = sync.OnceValue(func() [][]*Finding { return make([][]*Finding, len(registry)) })

// cachedRule is one rule's findings on one template, as a TemplateCache keeps them.
type cachedRule struct {
	Rule     int // index in the registry
	ID       string
	Findings []*Finding
}

// encodeFindings encodes a template's findings, by rule index (nil entries: none).
func encodeFindings(per [][]*Finding) []byte {
	var out []cachedRule
	for ri, fs := range per {
		if len(fs) > 0 {
			out = append(out, cachedRule{Rule: ri, ID: registry[ri].ID, Findings: fs})
		}
	}
	if out == nil {
		return []byte("null") // what json.Marshal says of none
	}
	data, err := json.Marshal(out)
	if err != nil {
		return nil
	}
	return data
}

// decodeFindings is encodeFindings's inverse; ok is false for anything it did not
// write for this very registry (then the rules run).
func decodeFindings(data []byte) (per [][]*Finding, ok bool) {
	if string(data) == "null" {
		// No findings, what most templates have (json.Unmarshal would say the same,
		// at a reflective decode each): one empty, read-only table for all of them.
		return noFindings(), true
	}
	var in []cachedRule
	if err := json.Unmarshal(data, &in); err != nil {
		return nil, false
	}
	per = make([][]*Finding, len(registry))
	for _, c := range in {
		if c.Rule < 0 || c.Rule >= len(registry) || registry[c.Rule].ID != c.ID || per[c.Rule] != nil || slices.Contains(c.Findings, nil) {
			return nil, false
		}
		per[c.Rule] = c.Findings
	}
	return per, true
}

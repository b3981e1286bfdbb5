package model

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/riglet/riglet/alarms"
	"github.com/riglet/riglet/eval"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/source"
)

// Block is a parsed block: a CloudFormation template plus riglet's Metadata.Riglet keys.
type Block struct {
	Name        string
	File        string
	Root        *ir.Node
	Description string
	Kind        string // block | modification
	Doc         string
	Params      []*Param
	Wiring      map[string]Wire
	Names       map[string]Names // parameter -> the resources of the riglet it names
	Derived     map[string]string
	DerivedPos  map[string]ir.Pos
	DeployTime  map[string]bool
	Maps        map[string]*MapParam // map-valued parameters (Metadata.Riglet.Maps)
	AttachesTo  []string
	Requires    []string
	RequiresPos []ir.Pos
	Conditions  *ir.Node
	Mappings    *ir.Node
	Resources   *ir.Node
	Outputs     *ir.Node
	Metadata    *ir.Node // the template's Metadata less Riglet
	Builtin     bool     // from the built-in library, not the user's blocks/
}

// Names says that a parameter names a resource of the riglet (sqs-threshold's
// QueueName a queue): a literal value must be the Prop of some resource of Type in
// the env's output, so that a misspelt name is an error, not an alarm on nothing.
type Names struct {
	Type, Prop string
	Pos        ir.Pos
}

// Wire names the output that normally feeds a parameter.
type Wire struct {
	Block, Output string
	Pos           ir.Pos
}

// Param is a block parameter with CloudFormation's schema.
type Param struct {
	Name           string
	Pos            ir.Pos
	Type           string
	Default        *ir.Node
	AllowedValues  []string
	AllowedPattern *Pattern
	MinLength      int // -1 when unset
	MaxLength      int
	MinValue       float64 // NaN when unset
	MaxValue       float64
	Description    string
	Constraint     string // ConstraintDescription
	NoEcho         bool
}

// IsList reports whether the parameter holds a list.
func (p *Param) IsList() bool {
	return p.Type == "CommaDelimitedList" || strings.HasPrefix(p.Type, "List<")
}

// IsNumber reports whether the parameter (or its items) are numbers.
func (p *Param) IsNumber() bool { return p.Type == "Number" || p.Type == "List<Number>" }

// Param returns the named parameter, or nil.
func (b *Block) Param(name string) *Param {
	for _, p := range b.Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Library is the one view of blocks a compile has: the user's blocks/<name>/block.yaml
// and blocks/alarms.yaml over the built-in library's. Built once, it is what the
// compiler expands, where the alarm catalogue comes from, and what lint (its
// suppression comments) and docs read, so that all of them agree on which file is in
// effect and on its bytes.
type Library struct {
	user    fs.FS // the user's tree, holding blocks/; may be nil
	builtin fs.FS // <name>/block.yaml and alarms.yaml; may be nil
	mu      sync.Mutex
	cache   map[string]*libEntry
	files   map[string]*libFile
	catOnce sync.Once
	cat     *alarms.Catalogue
	catErr  error
}

type libEntry struct {
	once  sync.Once
	block *Block
	err   error
}

// libFile is one library file as the library serves it, read once.
type libFile struct {
	once    sync.Once
	data    []byte
	builtin bool
	err     error
}

// NewLibrary returns a library over the user's tree (its blocks/ directory) and the
// built-in library (a tree holding <name>/block.yaml and alarms.yaml).
func NewLibrary(user, builtin fs.FS) *Library {
	return &Library{user: user, builtin: builtin, cache: map[string]*libEntry{}, files: map[string]*libFile{}}
}

// Names lists every block name available.
func (l *Library) Names() []string {
	set := map[string]bool{}
	for i, f := range []fs.FS{l.user, l.builtin} {
		if f == nil {
			continue
		}
		dir := "blocks"
		if i == 1 {
			dir = "."
		}
		ents, _ := fs.ReadDir(f, dir)
		for _, e := range ents {
			if e.IsDir() {
				if _, err := fs.Stat(f, path.Join(dir, e.Name(), "block.yaml")); err == nil {
					set[e.Name()] = true
				}
			}
		}
	}
	return sortedKeys(set)
}

// Get loads a block once. A missing block returns (nil, nil).
func (l *Library) Get(name string) (*Block, error) {
	l.mu.Lock()
	e, ok := l.cache[name]
	if !ok {
		e = &libEntry{}
		l.cache[name] = e
	}
	l.mu.Unlock()
	e.once.Do(func() { e.block, e.err = l.load(name) })
	return e.block, e.err
}

func (l *Library) load(name string) (*Block, error) {
	if !nameRE.MatchString(name) {
		return nil, nil
	}
	file := path.Join("blocks", name, "block.yaml")
	f := l.open(file)
	if errors.Is(f.err, fs.ErrNotExist) {
		return nil, nil
	}
	if f.err != nil {
		return nil, &ir.Error{Code: ir.CodeUnreadable, Pos: ir.Pos{File: ir.FileOf(file)}, Msg: fmt.Sprintf("cannot read block %s: %v", file, unwrapPathError(f.err))}
	}
	b, err := ParseBlock(name, file, f.data)
	if b != nil {
		b.Builtin = f.builtin
	}
	return b, err
}

// Catalogue returns the alarm catalogue in effect: the user's blocks/alarms.yaml,
// else the built-in one; nil when there is neither.
func (l *Library) Catalogue() (*alarms.Catalogue, error) {
	l.catOnce.Do(func() {
		f := l.open(alarms.File)
		switch {
		case f.err == nil:
			l.cat, l.catErr = alarms.Parse(alarms.File, f.data)
		case !errors.Is(f.err, fs.ErrNotExist):
			l.catErr = &ir.Error{Code: ir.CodeUnreadable, Pos: ir.Pos{File: ir.FileOf(alarms.File)}, Msg: fmt.Sprintf("cannot read the alarm catalogue %s: %v", alarms.File, unwrapPathError(f.err))}
		}
	})
	return l.cat, l.catErr
}

// IsBuiltin reports whether file, a path as positions name it
// ("blocks/ecs-service/block.yaml", "blocks/alarms.yaml"), is served from the
// built-in library: no file of the user's replaces it. A file the user does not
// have in the repository, so a finding must not point only there.
func (l *Library) IsBuiltin(file string) bool {
	f := l.open(file)
	return f.err == nil && f.builtin
}

// ReadFile returns the bytes of a library file (a path as positions name it) as
// the library serves them, from the user's tree or the built-in library: what the
// compile parsed, read once.
func (l *Library) ReadFile(file string) ([]byte, error) {
	f := l.open(file)
	return f.data, f.err
}

func (l *Library) open(file string) *libFile {
	l.mu.Lock()
	f, ok := l.files[file]
	if !ok {
		f = &libFile{}
		l.files[file] = f
	}
	l.mu.Unlock()
	f.once.Do(func() { f.data, f.builtin, f.err = l.read(file) })
	return f
}

// read finds a library file: the user's first, then the built-in one, which lives
// at the same path less blocks/.
func (l *Library) read(file string) ([]byte, bool, error) {
	at, ok := builtinPath(file)
	if ok && l.user != nil {
		data, err := fs.ReadFile(l.user, file)
		if err == nil {
			return data, false, nil
		}
		// Only a file the user does not have falls back to the built-in one: one that
		// is there but unreadable (or a directory) would silently deploy another block.
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, false, err
		}
	}
	if ok && l.builtin != nil {
		if data, err := fs.ReadFile(l.builtin, at); err == nil {
			return data, true, nil
		}
	}
	return nil, false, &fs.PathError{Op: "open", Path: file, Err: fs.ErrNotExist}
}

// builtinPath maps a library file to its path in the built-in tree; ok is false
// for a file that is not the library's (a block is blocks/<name>/block.yaml).
func builtinPath(file string) (string, bool) {
	if file == alarms.File {
		return path.Base(file), true
	}
	rest, ok := strings.CutPrefix(file, "blocks/")
	name, base, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || base != "block.yaml" || !nameRE.MatchString(name) {
		return "", false
	}
	return rest, true
}

var blockKeys = []string{"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Conditions", "Mappings", "Resources", "Outputs", "Transform"}

// ParseBlock reads a block from its source.
func ParseBlock(name, file string, data []byte) (*Block, error) {
	root, err := source.Parse(file, data)
	if err != nil {
		return nil, err
	}
	var errs ir.Errors
	b := &Block{Name: name, File: file, Root: root, Kind: "block", Wiring: map[string]Wire{}, Names: map[string]Names{},
		Derived: map[string]string{}, DerivedPos: map[string]ir.Pos{}, DeployTime: map[string]bool{}, Maps: map[string]*MapParam{}}
	if root.Kind != ir.Map {
		errs.AddCode(ir.CodeBlockDefinition, root.Pos, "a block is a CloudFormation template (a map)")
		return nil, errs.Err()
	}
	o := newObject(root, BlockKeys, "block "+name, &errs)
	o.get("AWSTemplateFormatVersion")
	b.Description, _ = o.str("Description")
	if t := o.get("Transform"); t != nil {
		// AWS::LanguageExtensions is what riglet folds; nothing else can be expanded offline.
		if !(t.IsScalar() && t.Text == "AWS::LanguageExtensions") && !(t.Kind == ir.List && len(t.Items) == 1 && t.Items[0].Text == "AWS::LanguageExtensions") {
			errs.AddCode(ir.CodeBlockDefinition, t.Pos, "only the AWS::LanguageExtensions transform can be folded at compile time")
		}
	}
	if r := o.get("Rules"); r != nil {
		errs.AddCode(ir.CodeBlockDefinition, o.keyPos("Rules"), "Rules are not supported in blocks: use AllowedValues, AllowedPattern and the other parameter constraints")
	}
	if md := o.mapping("Metadata"); md != nil {
		b.Metadata = md.Clone()
		b.Metadata.Delete("Riglet")
		if len(b.Metadata.Pairs) == 0 {
			b.Metadata = nil
		}
		if r := md.Get("Riglet"); r != nil {
			b.readRiglet(r, &errs)
		}
	}
	if ps := o.mapping("Parameters"); ps != nil {
		for _, p := range ps.Pairs {
			b.Params = append(b.Params, readParam(p, &errs))
		}
	}
	b.Conditions = o.mapping("Conditions")
	b.Mappings = o.mapping("Mappings")
	b.Resources = o.mapping("Resources")
	b.Outputs = o.mapping("Outputs")
	// Resources of the wrong type is reported by mapping as what it is.
	if b.Resources == nil && b.Kind != "modification" && root.Get("Resources") == nil {
		errs.AddCode(ir.CodeBlockDefinition, root.Pos, "block %s has no Resources", name)
	}
	o.done()
	for k, w := range b.Wiring {
		if b.Param(k) == nil {
			errs.AddCode(ir.CodeBlockDefinition, w.Pos, "Metadata.Riglet.Wiring names %s, which is not a parameter", k)
		}
	}
	for k, n := range b.Names {
		if b.Param(k) == nil {
			errs.AddCode(ir.CodeBlockDefinition, n.Pos, "Metadata.Riglet.Names names %s, which is not a parameter", k)
		}
	}
	for k, p := range b.DerivedPos {
		if b.Param(k) == nil {
			errs.AddCode(ir.CodeBlockDefinition, p, "Metadata.Riglet.Derived names %s, which is not a parameter", k)
		}
	}
	for k := range b.DeployTime {
		if b.Param(k) == nil {
			errs.AddCode(ir.CodeBlockDefinition, root.Pos, "Metadata.Riglet.DeployTime names %s, which is not a parameter", k)
		}
	}
	b.checkMaps(&errs)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return b, nil
}

// derivedPattern is every value Metadata.Riglet.Derived may name.
const derivedPattern = `^(network\.cidr|network\.azs|network\.az\.[1-9]|network\.subnet\.[a-z0-9_-]+\.[1-9]|network\.subnets\.[a-z0-9_-]+|network\.slot\.az\.([1-9]|first)|network\.slot\.subnet\.[a-z0-9_-]+\.[1-9]|env\.(name|account|region|domain|certificate|hosted_zone|production|alarm_email)|riglet\.(name|owner)|listener\.priority)$`

var derivedRE = regexp.MustCompile(derivedPattern)

func (b *Block) readRiglet(r *ir.Node, errs *ir.Errors) {
	o := newObject(r, RigletMetaKeys, "Metadata.Riglet", errs)
	if k, p := o.str("Kind"); k != "" {
		if k != "block" && k != "modification" {
			errs.AddCode(ir.CodeBlockDefinition, p, "Kind must be block or modification")
		}
		b.Kind = k
	}
	b.Doc, _ = o.str("Doc")
	if w := o.mapping("Wiring"); w != nil {
		for _, p := range w.Pairs {
			blk, out, ok := strings.Cut(p.Value.Text, ".")
			if !ok || p.Value.Kind != ir.String {
				errs.AddCode(ir.CodeBlockDefinition, p.Value.Pos, "wiring of %s must be <block>.<Output>", p.Key)
				continue
			}
			b.Wiring[p.Key] = Wire{Block: blk, Output: out, Pos: p.Value.Pos}
		}
	}
	if n := o.mapping("Names"); n != nil {
		for _, p := range n.Pairs {
			typ, prop, ok := strings.Cut(p.Value.Text, ".")
			if p.Value.Kind != ir.String || !ok || !strings.HasPrefix(typ, "AWS::") || strings.Contains(prop, ".") {
				errs.AddCode(ir.CodeBlockDefinition, p.Value.Pos, "Names of %s must be <resource type>.<Property>, such as AWS::SQS::Queue.QueueName", p.Key)
				continue
			}
			b.Names[p.Key] = Names{Type: typ, Prop: prop, Pos: p.Value.Pos}
		}
	}
	if d := o.mapping("Derived"); d != nil {
		for _, p := range d.Pairs {
			if !derivedRE.MatchString(p.Value.Text) {
				errs.AddCode(ir.CodeBlockDefinition, p.Value.Pos, "unknown derived value %q", p.Value.Text)
				continue
			}
			b.Derived[p.Key], b.DerivedPos[p.Key] = p.Value.Text, p.Value.Pos
		}
	}
	dt, _ := o.strings("DeployTime")
	for _, s := range dt {
		b.DeployTime[s] = true
	}
	if m := o.mapping("Maps"); m != nil {
		b.readMaps(m, errs)
	}
	b.AttachesTo, _ = o.strings("AttachesTo")
	b.Requires, b.RequiresPos = o.strings("Requires")
	o.done()
}

var paramTypes = map[string]bool{"String": true, "Number": true, "List<Number>": true, "CommaDelimitedList": true}

func readParam(pr ir.Pair, errs *ir.Errors) *Param {
	p := &Param{Name: pr.Key, Pos: pr.KeyPos, MinLength: -1, MaxLength: -1, MinValue: math.NaN(), MaxValue: math.NaN()}
	o := newObject(pr.Value, ParamKeys, "parameter "+pr.Key, errs)
	var tp ir.Pos
	p.Type, tp = o.required("Type")
	if !paramTypes[p.Type] && !strings.HasPrefix(p.Type, "AWS::") && !strings.HasPrefix(p.Type, "List<AWS::") {
		errs.AddCode(ir.CodeBlockDefinition, tp, "parameter %s: unknown type %q", p.Name, p.Type)
	}
	if strings.HasPrefix(p.Type, "AWS::SSM::Parameter") {
		errs.AddCode(ir.CodeBlockDefinition, tp, "parameter %s: SSM parameter types resolve at deploy time; use a {{resolve:ssm:...}} dynamic reference", p.Name)
	}
	p.Default = o.get("Default")
	if av := o.get("AllowedValues"); av != nil {
		if av.Kind != ir.List {
			errs.AddCode(ir.CodeBlockDefinition, av.Pos, "AllowedValues must be a list")
		}
		for _, it := range av.Items {
			p.AllowedValues = append(p.AllowedValues, it.Text)
		}
	}
	if s, sp := o.str("AllowedPattern"); s != "" {
		re, err := CompilePattern(s)
		if err != nil {
			errs.AddCode(ir.CodeBlockDefinition, sp, "AllowedPattern: %v", err)
		} else {
			p.AllowedPattern = re
		}
	}
	num := func(key string) (float64, bool) {
		v := o.get(key)
		if v == nil {
			return 0, false
		}
		f, err := strconv.ParseFloat(v.Text, 64)
		if err != nil {
			errs.AddCode(ir.CodeBlockDefinition, v.Pos, "%s must be a number", key)
			return 0, false
		}
		return f, true
	}
	if f, ok := num("MinLength"); ok {
		p.MinLength = int(f)
	}
	if f, ok := num("MaxLength"); ok {
		p.MaxLength = int(f)
	}
	if f, ok := num("MinValue"); ok {
		p.MinValue = f
	}
	if f, ok := num("MaxValue"); ok {
		p.MaxValue = f
	}
	p.Description, _ = o.str("Description")
	p.Constraint, _ = o.str("ConstraintDescription")
	p.NoEcho = cfnBool(o, "NoEcho")
	o.done()
	if p.Default != nil && p.Default.Kind != ir.Null {
		if msg := p.Check(p.Default); msg != "" {
			errs.AddCode(ir.CodeBlockDefinition, p.Default.Pos, "default of parameter %s: %s", p.Name, msg)
		}
	}
	return p
}

// cfnBool reads a boolean of CloudFormation's own schema, which takes the strings
// "true" and "false" too (JSON templates often quote them): NoEcho: "true".
func cfnBool(o *object, key string) bool {
	if v := o.get(key); v != nil && v.Kind == ir.String {
		switch strings.ToLower(v.Text) {
		case "true":
			return true
		case "false":
			return false
		}
	}
	return o.boolean(key)
}

// Normalize turns a literal value into the shape the parameter's type gives it
// (lists from comma-separated strings, strings from numbers for String parameters).
func (p *Param) Normalize(v *ir.Node) *ir.Node {
	if !eval.IsLiteral(v) {
		return v
	}
	if p.IsList() {
		if v.Kind == ir.String {
			if v.Text == "" {
				return ir.NewList(v.Pos)
			}
			v = eval.SplitList(v.Text, ",", v.Pos)
			for _, it := range v.Items {
				it.Text = strings.TrimSpace(it.Text)
			}
		}
		if v.Kind == ir.List {
			out := ir.NewList(v.Pos)
			for _, it := range v.Items {
				out.Items = append(out.Items, p.scalar(it))
			}
			return out
		}
		return v
	}
	return p.scalar(v)
}

func (p *Param) scalar(v *ir.Node) *ir.Node {
	if !v.IsScalar() {
		return v
	}
	if p.IsNumber() {
		if v.Kind == ir.Number {
			return v
		}
		if _, err := strconv.ParseFloat(v.Text, 64); err == nil {
			return &ir.Node{Kind: ir.Number, Text: v.Text, Pos: v.Pos}
		}
		return v
	}
	switch v.Kind {
	case ir.String:
		return v // nodes are never changed in place, so the same one can serve
	case ir.Null:
		return &ir.Node{Kind: ir.String, Text: "", Pos: v.Pos}
	}
	return &ir.Node{Kind: ir.String, Text: v.Text, Pos: v.Pos}
}

package lint

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/riglet/riglet/internal/suggest"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/schema"
)

// The cloudformation family's schema rules: every generated resource checked against
// AWS's CloudFormation registry schema (package schema). One walk per template finds
// every kind of problem; each rule reports its own kind.

type schemaIssue struct {
	kind string // type, property, required, shape, enum, readonly
	res  *Resource
	at   *ir.Node
	msg  string
}

func init() {
	schemaRule := func(id, name, kind, title, doc, bad, good string, sev Severity, cfn ...string) *Rule {
		return &Rule{ID: id, Name: name, Family: "cloudformation", Title: title, Doc: doc, Bad: bad, Good: good,
			Severity: sev, Scope: ScopeTemplate, CfnLint: cfn, Run: func(p *Pass) {
				for _, is := range schemaIssues(p.Stack) {
					if is.kind == kind {
						p.Report(is.res, is.at, "%s", is.msg)
					}
				}
			}}
	}
	register(
		schemaRule("CFN001", "unknown-resource-type", "type", "a resource type CloudFormation does not know",
			"The type is not in AWS's CloudFormation registry (custom resources, Custom::*, are allowed). The message suggests the closest known type.",
			"Type: AWS::SQS::Queues\n", "Type: AWS::SQS::Queue\n", Error, "E3006"),
		schemaRule("CFN002", "unknown-property", "property", "a property the resource type does not have",
			"CloudFormation rejects properties its schema does not list, at any depth. The message suggests the closest property name.",
			"Properties:\n  VisibilityTimout: 30\n", "Properties:\n  VisibilityTimeout: 30\n", Error, "E3002"),
		schemaRule("CFN003", "missing-required-property", "required", "a required property is missing",
			"The resource type, or an object inside a property, requires properties the template does not set, or at least one of a few, or exactly one of a few (an ingress rule's CidrIp, CidrIpv6, SourcePrefixListId, SourceSecurityGroupId or SourceSecurityGroupName). Both branches of a Fn::If are checked.",
			"Type: AWS::SNS::Subscription\nProperties: {Protocol: email}\n", "Type: AWS::SNS::Subscription\nProperties: {Protocol: email, TopicArn: !Ref Topic}\n", Error, "E3003", "E3014", "E3017", "E3018"),
		schemaRule("CFN004", "wrong-value-shape", "shape", "a property value of the wrong shape",
			"A list where the schema wants an object or a scalar, an object where it wants a list, text where it wants a number or a boolean. Values of intrinsic functions are not judged.",
			"Subnets: subnet-1\n", "Subnets: [subnet-1]\n", Error, "E3012"),
		schemaRule("CFN005", "value-not-allowed", "enum", "a property value outside the values the schema allows",
			"Where the schema lists the allowed values of a property (an enum), or bounds its length (minLength, maxLength) or its value (minimum, maximum), any other value fails at deploy time.",
			"LaunchType: fargate\n", "LaunchType: FARGATE\n", Error, "E3030", "E3033", "E3034"),
		schemaRule("CFN021", "read-only-property", "readonly", "a template sets a property that AWS sets",
			"Read-only properties (an ARN, an endpoint) are returned by AWS and cannot be set in a template.",
			"Type: AWS::SQS::Queue\nProperties: {Arn: x}\n", "Type: AWS::SQS::Queue\nProperties: {}\n", Error, "E3040"),
	)
}

// schemaIssues walks a template's resources against the schema, once per template.
func schemaIssues(s *Stack) []schemaIssue {
	return s.memo("schema", func() any {
		var out []schemaIssue
		for _, r := range s.Resources {
			if !s.unchecked(r.Type) {
				out = append(out, checkResource(r)...)
			}
		}
		return out
	}).([]schemaIssue)
}

func checkResource(r *Resource) []schemaIssue {
	c := checkers.Get().(*checker)
	defer checkers.Put(c)
	*c = checker{res: r, segs: c.segs[:0]}
	add := c.add
	if isCustom(r.Type) {
		return nil
	}
	sr := schema.Lookup(r.Type)
	if sr == nil {
		msg := "unknown resource type " + strconv.Quote(r.Type)
		if s := schema.Suggest(r.Type); s != "" {
			msg += " (did you mean " + s + "?)"
		}
		add("type", r.Node.Get("Type"), msg)
		return c.out
	}
	if pr := r.Node.Pair("Properties"); pr != nil {
		// What the whole of Properties lacks is said at its key, where cfn-lint says it
		// too: the map's own position is its first property's line.
		c.propsAt, c.hasPropsAt = pr.KeyPos, true
	}
	root := &schema.Prop{Kind: schema.Object, Props: sr.Props, Required: sr.Required, Choices: sr.Choices}
	if r.Props == nil {
		if len(sr.Required) > 0 {
			add("required", r.Node.Get("Type"), r.Type+" "+r.ID+" is missing required "+plural("property", "properties", len(sr.Required))+" "+strings.Join(sr.Required, ", "))
		}
		for _, ch := range sr.Choices {
			add("required", r.Node.Get("Type"), r.Type+" "+r.ID+" is missing "+choiceText(ch))
		}
		return c.out
	}
	c.value(r.Props, root)
	for _, ro := range sr.ReadOnly {
		if strings.Contains(ro, ".") || strings.Contains(ro, "/") {
			continue
		}
		if pr := r.Props.Pair(ro); pr != nil && !contains(sr.Required, ro) {
			add("readonly", pr.Value, "property "+ro+" of "+r.Type+" is read-only: AWS sets it")
		}
	}
	return c.out // the next resource's checker starts a slice of its own
}

type checker struct {
	res *Resource
	// propsAt is the position of the Properties key (a node is made of it only for
	// a finding there).
	propsAt    ir.Pos
	hasPropsAt bool
	out        []schemaIssue
	// segs is the path from Properties to the value being checked. Its text is made
	// only for a message: most values have none, and a string per property was most
	// of what the schema rules allocated.
	segs []pathSeg
}

// checkers are reused from one resource to the next, their segs with them.
var checkers = sync.Pool{New: func() any { return new(checker) }}

// pathSeg is one step of a path: a key (index -1), or a list item's index.
type pathSeg struct {
	key   string
	index int
}

func (c *checker) add(kind string, at *ir.Node, msg string) {
	c.out = append(c.out, schemaIssue{kind: kind, res: c.res, at: at, msg: msg})
}

func (c *checker) push(key string, index int) { c.segs = append(c.segs, pathSeg{key, index}) }
func (c *checker) pop()                       { c.segs = c.segs[:len(c.segs)-1] }

// path names the value being checked, as messages spell it: "", "Tags[0].Key".
func (c *checker) path() string {
	path := ""
	for _, sg := range c.segs {
		if sg.index >= 0 {
			path = path + "[" + strconv.Itoa(sg.index) + "]"
		} else {
			path = join(path, sg.key)
		}
	}
	return path
}

// objectAt is where a finding about object v as a whole goes.
func (c *checker) objectAt(v *ir.Node) *ir.Node {
	if v == c.res.Props && c.hasPropsAt {
		return &ir.Node{Pos: c.propsAt}
	}
	return v
}

func where(path string) string {
	if path == "" {
		return "Properties"
	}
	return path
}

// value checks v against the shape p; c.path() names v for messages.
func (c *checker) value(v *ir.Node, p *schema.Prop) {
	if v == nil || p == nil {
		return
	}
	if yes, no, ok := ifBranches(v); ok {
		// Either branch may be the one deployed: both must fit.
		c.value(yes, p)
		c.value(no, p)
		return
	}
	if isIntrinsic(v) {
		return
	}
	if strings.HasPrefix(v.Text, "{{resolve:") {
		return // a dynamic reference resolves to whatever the parameter holds
	}
	switch p.Kind {
	case schema.Any:
		return
	case schema.Union:
		for _, a := range p.Alts {
			if accepts(a, v) {
				c.value(v, a)
				return
			}
		}
		var kinds []string
		for _, a := range p.Alts {
			kinds = append(kinds, kindName(a.Kind))
		}
		c.shape(v, strings.Join(kinds, " or "))
	case schema.List:
		if v.Kind != ir.List {
			c.shape(v, "a list")
			return
		}
		for i, it := range v.Items {
			c.push("", i)
			c.value(it, p.Item)
			c.pop()
		}
	case schema.Map:
		if v.Kind != ir.Map {
			c.shape(v, "a map")
			return
		}
		for _, pr := range v.Pairs {
			c.push(pr.Key, -1)
			c.value(pr.Value, p.Item)
			c.pop()
		}
	case schema.Object:
		if v.Kind != ir.Map {
			c.shape(v, "an object")
			return
		}
		for i := range v.Pairs {
			pr := &v.Pairs[i]
			sub := p.Props[pr.Key]
			if sub == nil {
				msg := "unknown property " + join(c.path(), pr.Key) + " of " + c.res.Type
				if s := closestKey(pr.Key, p.Props); s != "" {
					msg += " (did you mean " + s + "?)"
				}
				at := &ir.Node{Pos: pr.KeyPos}
				c.add("property", at, msg)
				continue
			}
			c.push(pr.Key, -1)
			c.value(pr.Value, sub)
			c.pop()
		}
		var missing []string
		for _, req := range p.Required {
			if v.Get(req) == nil {
				missing = append(missing, req)
			}
		}
		if len(missing) > 0 {
			c.add("required", c.objectAt(v), where(c.path())+" of "+c.res.Type+" "+c.res.ID+" is missing required "+plural("property", "properties", len(missing))+" "+strings.Join(missing, ", "))
		}
		c.choices(v, p.Choices)
	case schema.String:
		if !v.IsScalar() {
			c.shape(v, "a string")
			return
		}
		if len(p.Enum) > 0 && v.Kind == ir.String && !inEnum(p, v.Text) {
			c.add("enum", v, where(c.path())+" is "+strconv.Quote(v.Text)+", not one of "+strings.Join(p.Enum, ", "))
		}
		if v.Kind != ir.Null {
			switch n := utf8.RuneCountInString(v.Text); {
			case p.MaxLen > 0 && n > p.MaxLen:
				c.add("enum", v, where(c.path())+" is "+strconv.Itoa(n)+" characters long: at most "+strconv.Itoa(p.MaxLen)+" are allowed")
			case n < p.MinLen:
				c.add("enum", v, where(c.path())+" is "+strconv.Itoa(n)+" characters long: at least "+strconv.Itoa(p.MinLen)+" are needed")
			}
		}
	case schema.Integer, schema.Number:
		if !v.IsScalar() {
			c.shape(v, "a number")
			return
		}
		x, err := strconv.ParseFloat(v.Text, 64)
		switch {
		case err != nil && v.Kind != ir.Null:
			c.shape(v, "a number")
		case err != nil:
		case p.Min != "" && x < atof(p.Min):
			c.add("enum", v, where(c.path())+" is "+v.Text+", less than the minimum "+p.Min)
		case p.Max != "" && x > atof(p.Max):
			c.add("enum", v, where(c.path())+" is "+v.Text+", more than the maximum "+p.Max)
		}
	case schema.Boolean:
		if !v.IsScalar() {
			c.shape(v, "a boolean")
			return
		}
		if v.Kind != ir.Null && !isBoolText(v.Text) {
			c.shape(v, "a boolean")
		}
	}
}

// choices checks an object's "at least one of" and "exactly one of" rules. A
// property whose value is a Fn::If may be removed (AWS::NoValue) in the branch not
// taken, so it counts as set for "at least one" but not for "more than one".
func (c *checker) choices(v *ir.Node, chs []schema.Choice) {
	for _, ch := range chs {
		// Counted first; the names and positions are listed only for a finding.
		set, surely := 0, 0
		for _, n := range ch.Names {
			if x := v.Pair(n); x != nil && !isNoValue(x.Value) {
				set++
				if _, _, cond := ifBranches(x.Value); !cond {
					surely++
				}
			}
		}
		switch {
		case set == 0:
			c.add("required", c.objectAt(v), where(c.path())+" of "+c.res.Type+" "+c.res.ID+" is missing "+choiceText(ch))
		case ch.One && surely > 1:
			var names []string
			var at []*ir.Node
			for _, n := range ch.Names {
				if x := v.Pair(n); x != nil && !isNoValue(x.Value) {
					if _, _, cond := ifBranches(x.Value); !cond {
						names = append(names, n)
						at = append(at, &ir.Node{Pos: x.KeyPos})
					}
				}
			}
			// At each of them: any one of them may be the one to remove.
			for _, a := range at {
				c.add("required", a, where(c.path())+" of "+c.res.Type+" "+c.res.ID+" sets "+strings.Join(names, " and ")+": "+choiceText(ch)+" is allowed")
			}
		}
	}
}

func choiceText(ch schema.Choice) string {
	names := ch.Names[0]
	if n := len(ch.Names); n > 1 {
		names = strings.Join(ch.Names[:n-1], ", ") + " or " + ch.Names[n-1]
	}
	if ch.One {
		return "exactly one of " + names
	}
	return "one of " + names
}

// inEnum reports whether s is one of p's allowed values.
func inEnum(p *schema.Prop, s string) bool {
	for _, e := range p.Enum {
		if e == s || p.EnumFold && strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

// ifBranches returns the two values of a Fn::If, leaving out one that is
// AWS::NoValue (nil then).
func ifBranches(v *ir.Node) (yes, no *ir.Node, ok bool) {
	fn, a, ok := v.Intrinsic()
	if !ok || fn != "Fn::If" || a.Kind != ir.List || len(a.Items) != 3 {
		return nil, nil, false
	}
	keep := func(n *ir.Node) *ir.Node {
		if isNoValue(n) {
			return nil
		}
		return n
	}
	return keep(a.Items[1]), keep(a.Items[2]), true
}

func (c *checker) shape(v *ir.Node, want string) {
	c.add("shape", v, where(c.path())+" of "+c.res.Type+" must be "+want+", not "+describe(v))
}

// accepts reports whether v has the shape of kind p (for picking a union's branch).
func accepts(p *schema.Prop, v *ir.Node) bool {
	switch p.Kind {
	case schema.Any:
		return true
	case schema.List:
		return v.Kind == ir.List
	case schema.Object, schema.Map:
		return v.Kind == ir.Map
	case schema.Integer, schema.Number:
		_, err := strconv.ParseFloat(v.Text, 64)
		return v.IsScalar() && err == nil
	case schema.Boolean:
		return v.IsScalar() && isBoolText(v.Text)
	}
	return v.IsScalar()
}

// isBoolText reports whether strings.ToLower(t) is "true" or "false", without
// making the lower-case copy (a boolean written True or FALSE would need one).
func isBoolText(t string) bool {
	return lowerIs(t, "true") || lowerIs(t, "false")
}

// lowerIs reports whether strings.ToLower(s) == lower, lower being lower-case ASCII.
// Only text with bytes beyond ASCII (which may lower to a different length) is
// lowered to be compared.
func lowerIs(s, lower string) bool {
	if !isASCII(s) {
		return strings.ToLower(s) == lower
	}
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if b != lower[i] {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func kindName(k schema.Kind) string {
	switch k {
	case schema.List:
		return "a list"
	case schema.Object, schema.Map:
		return "an object"
	case schema.Integer, schema.Number:
		return "a number"
	case schema.Boolean:
		return "a boolean"
	}
	return "a string"
}

func describe(v *ir.Node) string {
	switch v.Kind {
	case ir.List:
		return "a list"
	case ir.Map:
		return "an object"
	case ir.Null:
		return "null"
	}
	return strconv.Quote(v.Text)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func plural(one, many string, n int) string {
	if n == 1 {
		return one
	}
	return many
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// closestKey suggests a known property for a mistyped one.
func closestKey(k string, props map[string]*schema.Prop) string {
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	sort.Strings(names)
	best, bd := "", 1+len(k)/4
	for _, n := range names {
		if strings.EqualFold(n, k) {
			return n
		}
		if d := suggest.Distance(k, n); d < bd {
			best, bd = n, d
		}
	}
	return best
}

// isNoValue reports whether v is Ref AWS::NoValue: no value at all.
func isNoValue(v *ir.Node) bool {
	fn, a, ok := v.Intrinsic()
	return ok && fn == "Ref" && a.Kind == ir.String && a.Text == "AWS::NoValue"
}

// atof reads a bound the generator checked.
func atof(s string) float64 {
	x, _ := strconv.ParseFloat(s, 64)
	return x
}

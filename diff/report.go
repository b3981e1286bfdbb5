package diff

import (
	"sort"

	"github.com/riglet/riglet/ir"
)

// Version is the version of the JSON shape (docs/diff.md): raised when a field changes
// meaning or goes, not when one is added.
const Version = 1

// Class is what a change means for the people who deploy it, ordered by risk.
type Class string

const (
	Blocked    Class = "blocked"     // CloudFormation will refuse the update
	DataLoss   Class = "data-loss"   // a stateful resource is deleted or replaced without Retain/Snapshot
	Replace    Class = "replace"     // a resource is replaced (a create-only property changed)
	MayReplace Class = "may-replace" // AWS documents the property's update as conditional
	Security   Class = "security"    // access widened: IAM, security groups, public access, encryption off
	Remove     Class = "remove"
	Add        Class = "add"
	Modify     Class = "modify"
	Derived    Class = "derived" // a derived value: CIDRs, priorities, alarms, order, parameters, size
)

// Classes are every class, highest risk first.
var Classes = []Class{Blocked, DataLoss, Replace, MayReplace, Security, Remove, Add, Modify, Derived}

// Risk orders classes: a higher number is a riskier change.
func (c Class) Risk() int {
	for i, k := range Classes {
		if k == c {
			return len(Classes) - i
		}
	}
	return 0
}

// Report is what a diff found, per riglet and env.
type Report struct {
	Version int       `json:"version"`
	Riglets []*Riglet `json:"riglets"`
}

// Riglet is one riglet's changes.
type Riglet struct {
	Name string     `json:"name"`
	Envs []*EnvDiff `json:"envs"`
}

// EnvDiff is one env's changes, highest risk first.
type EnvDiff struct {
	Env     string   `json:"env"`
	Changes []Change `json:"changes"`
	// Alarms are the catalogue and block alarms before and after, with their monthly
	// cost (standard alarms, per alarm metric).
	Alarms AlarmCount `json:"alarms"`
	stacks []stackEdge
}

// AlarmCount is the alarms of an env on both sides.
type AlarmCount struct {
	Before     int     `json:"before"`
	After      int     `json:"after"`
	CostBefore float64 `json:"monthlyCostBeforeUSD"`
	CostAfter  float64 `json:"monthlyCostAfterUSD"`
}

// Change is one thing the change does, at the source line that caused it.
type Change struct {
	Stack    string  `json:"stack,omitempty"`
	Kind     string  `json:"kind"`   // resource, stack, export, listener-rule, subnet, lock, alarms, order, parameter, size
	Action   string  `json:"action"` // added, removed, modified, replaced
	ID       string  `json:"id,omitempty"`
	Type     string  `json:"type,omitempty"`
	Classes  []Class `json:"classes"` // highest risk first
	Message  string  `json:"message"`
	Props    []Prop  `json:"properties,omitempty"`
	Security []Sec   `json:"security,omitempty"`
	Source   ir.Pos  `json:"-"`
	Template ir.Pos  `json:"-"`
	// For JSON: Source and Template as file:line:col.
	SourceText   string `json:"source,omitempty"`
	TemplateText string `json:"template,omitempty"`
}

// Prop is one property path that changed.
type Prop struct {
	Path    string `json:"path"`
	Action  string `json:"action"` // added, removed, modified
	Old     string `json:"old,omitempty"`
	New     string `json:"new,omitempty"`
	Replace Class  `json:"replace,omitempty"` // replace or may-replace when the change does
	Source  ir.Pos `json:"-"`
	// SourceText is Source as file:line:col, for JSON.
	SourceText string `json:"source,omitempty"`
	newNode    *ir.Node
	attribute  bool // DeletionPolicy, DependsOn, Metadata...: not a property
}

// Sec is one security change, like cdk diff's table.
type Sec struct {
	Area      string `json:"area"`      // iam, security-group, public-access, encryption
	Direction string `json:"direction"` // widened or narrowed
	What      string `json:"what"`
}

// Risk is the change's highest risk.
func (c *Change) Risk() int {
	r := 0
	for _, k := range c.Classes {
		r = max(r, k.Risk())
	}
	return r
}

// Has reports whether the change is of class k.
func (c *Change) Has(k Class) bool {
	for _, x := range c.Classes {
		if x == k {
			return true
		}
	}
	return false
}

// add records a class once, keeping the list highest risk first.
func (c *Change) add(k Class) {
	if c.Has(k) {
		return
	}
	c.Classes = append(c.Classes, k)
	sort.Slice(c.Classes, func(i, j int) bool { return c.Classes[i].Risk() > c.Classes[j].Risk() })
}

// Count is how many changes of class k the report holds.
func (r *Report) Count(k Class) int {
	n := 0
	for _, rg := range r.Riglets {
		for _, e := range rg.Envs {
			for i := range e.Changes {
				if e.Changes[i].Has(k) {
					n++
				}
			}
		}
	}
	return n
}

// Empty reports whether nothing changed.
func (r *Report) Empty() bool {
	for _, rg := range r.Riglets {
		for _, e := range rg.Envs {
			if len(e.Changes) > 0 {
				return false
			}
		}
	}
	return true
}

// sortChanges puts the riskiest first, then in stack and ID order: the same inputs
// give the same report.
func sortChanges(cs []Change, order map[string]int) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := &cs[i], &cs[j]
		if ra, rb := a.Risk(), b.Risk(); ra != rb {
			return ra > rb
		}
		if oa, ob := order[a.Stack], order[b.Stack]; oa != ob {
			return oa < ob
		}
		if a.Stack != b.Stack {
			return a.Stack < b.Stack
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Message < b.Message
	})
}

// stackEdge is one stack of an env and what it needs, for the mermaid graph.
type stackEdge struct {
	name  string
	needs []string
}

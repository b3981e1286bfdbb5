// Package alarms reads riglet's catalogue of default alarms (blocks/alarms.yaml): per
// resource type, the CloudWatch alarms every such resource gets. The compiler applies
// it; docs and the linter read it. Which catalogue is in effect, the user's or the
// built-in one, is the block library's to say (model.Library.Catalogue).
package alarms

import (
	"sort"
	"strconv"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/source"
)

// File is where a catalogue lives, in the user's tree or (less blocks/) the built-in library.
const File = "blocks/alarms.yaml"

// Catalogue is the set of default alarms.
type Catalogue struct {
	File    string
	Actions string // "<block>.<Output>" of the topic alarms notify
	ActPos  ir.Pos
	types   map[string][]*Entry
}

// Entry is one default alarm of a resource type.
type Entry struct {
	Type        string
	Name        string
	Pos         ir.Pos
	Description string
	When        string // "", dead-letter, not-dead-letter, ec2-capacity, aurora, not-aurora, application, network, event-counts
	Namespace   string
	Metric      string
	Statistic   string
	Extended    string // extended statistic (p99)
	Period      int
	Evaluation  int
	Datapoints  int
	Comparison  string
	Threshold   *ir.Node // Number, or Map {Riglet::Value: ...}; nil when required or optional
	Required    bool
	Optional    bool
	Missing     string
	Critical    bool
	Dimensions  []Dimension
	Math        *Math
}

// Dimension is a metric dimension; Value may hold ${Resource} and {Riglet::Value: ...}.
type Dimension struct {
	Name  string
	Value *ir.Node
}

// Math is a metric-math alarm: one metric summed over several operations.
type Math struct {
	Expression string
	Namespace  string
	Metric     string
	Statistic  string
	Operations []string
	Dimensions []Dimension
}

// MonthlyCost is what CloudWatch charges for one standard-resolution alarm metric a
// month, in US dollars (us-east-1 price list; a metric-math alarm pays per metric).
const MonthlyCost = 0.10

// Metrics is how many metrics the alarm is billed for.
func (e *Entry) Metrics() int {
	if e.Math != nil {
		return len(e.Math.Operations)
	}
	return 1
}

// ForType lists the entries for a resource type, in catalogue order.
func (c *Catalogue) ForType(t string) []*Entry { return c.types[t] }

// Types lists the resource types the catalogue covers, sorted.
func (c *Catalogue) Types() []string {
	var ts []string
	for t := range c.types {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	return ts
}

// Entry returns the entry of that name for any type, or nil.
func (c *Catalogue) Entry(name string) *Entry {
	for _, es := range c.types {
		for _, e := range es {
			if e.Name == name {
				return e
			}
		}
	}
	return nil
}

// Names lists every entry name, sorted.
func (c *Catalogue) Names() []string {
	var ns []string
	for _, es := range c.types {
		for _, e := range es {
			ns = append(ns, e.Name)
		}
	}
	sort.Strings(ns)
	return ns
}

var whens = map[string]bool{"": true, "dead-letter": true, "not-dead-letter": true, "ec2-capacity": true, "aurora": true, "not-aurora": true,
	"application": true, "network": true, "event-counts": true}

var comparisons = map[string]bool{"GreaterThanThreshold": true, "GreaterThanOrEqualToThreshold": true,
	"LessThanThreshold": true, "LessThanOrEqualToThreshold": true}

var statistics = map[string]bool{"Average": true, "Sum": true, "Minimum": true, "Maximum": true, "SampleCount": true}

var missing = map[string]bool{"breaching": true, "notBreaching": true, "ignore": true, "missing": true}

// Parse reads a catalogue.
func Parse(file string, data []byte) (*Catalogue, error) {
	root, err := source.Parse(file, data)
	if err != nil {
		return nil, err
	}
	var errs ir.Errors
	c := &Catalogue{File: file, types: map[string][]*Entry{}}
	if root.Kind != ir.Map {
		errs.AddCode(ir.CodeCatalogue, root.Pos, "an alarm catalogue is a map with actions and alarms")
		return nil, errs.Err()
	}
	for _, p := range root.Pairs {
		switch p.Key {
		case "actions":
			c.Actions, c.ActPos = p.Value.Text, p.Value.Pos
		case "alarms":
			if p.Value.Kind != ir.Map {
				errs.AddCode(ir.CodeCatalogue, p.Value.Pos, "alarms maps resource types to their alarms")
				continue
			}
			seen := map[string]ir.Pos{}
			for _, t := range p.Value.Pairs {
				for _, a := range t.Value.Pairs {
					if first, dup := seen[a.Key]; dup {
						errs.Add(&ir.Error{Code: ir.CodeCatalogue, Pos: a.KeyPos, Msg: "alarm name " + a.Key + " is used twice; names are what thresholds are set by",
							Related: []ir.Related{{Pos: first}}})
					}
					seen[a.Key] = a.KeyPos
					if e := entry(t.Key, a, &errs); e != nil {
						c.types[t.Key] = append(c.types[t.Key], e)
					}
				}
			}
		default:
			errs.AddCode(ir.CodeUnknownKey, p.KeyPos, "unknown key %q in the alarm catalogue", p.Key)
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

func entry(typ string, a ir.Pair, errs *ir.Errors) *Entry {
	e := &Entry{Type: typ, Name: a.Key, Pos: a.KeyPos, Missing: "missing"}
	if a.Value.Kind != ir.Map {
		errs.AddCode(ir.CodeCatalogue, a.Value.Pos, "alarm %s must be a map", a.Key)
		return nil
	}
	num := func(v *ir.Node) int {
		n, err := strconv.Atoi(v.Text)
		if err != nil || n < 1 {
			errs.AddCode(ir.CodeCatalogue, v.Pos, "%s must be a positive whole number", v.Text)
		}
		return n
	}
	for _, p := range a.Value.Pairs {
		v := p.Value
		switch p.Key {
		case "description":
			e.Description = v.Text
		case "when":
			e.When = v.Text
			if !whens[v.Text] {
				errs.AddCode(ir.CodeCatalogue, v.Pos, "when %q is not one of dead-letter, not-dead-letter, ec2-capacity, aurora, not-aurora, application, network, event-counts", v.Text)
			}
		case "namespace":
			e.Namespace = v.Text
		case "metric":
			e.Metric = v.Text
		case "statistic":
			e.Statistic = v.Text
			if !statistics[v.Text] {
				errs.AddCode(ir.CodeCatalogue, v.Pos, "statistic %q is not one of Average, Sum, Minimum, Maximum, SampleCount", v.Text)
			}
		case "extended_statistic":
			e.Extended = v.Text
		case "period":
			e.Period = num(v)
		case "evaluation_periods":
			e.Evaluation = num(v)
		case "datapoints_to_alarm":
			e.Datapoints = num(v)
		case "comparison":
			e.Comparison = v.Text
			if !comparisons[v.Text] {
				errs.AddCode(ir.CodeCatalogue, v.Pos, "comparison %q is not a CloudWatch comparison operator", v.Text)
			}
		case "threshold":
			switch {
			case v.Kind == ir.String && v.Text == "required":
				e.Required = true
			case v.Kind == ir.Number || v.Kind == ir.Map:
				e.Threshold = v
			default:
				errs.AddCode(ir.CodeCatalogue, v.Pos, "threshold is a number, required, or {Riglet::Value: ...}")
			}
		case "optional":
			e.Optional = v.Text == "true"
		case "treat_missing_data":
			e.Missing = v.Text
			if !missing[v.Text] {
				errs.AddCode(ir.CodeCatalogue, v.Pos, "treat_missing_data %q is not one of breaching, notBreaching, ignore, missing", v.Text)
			}
		case "critical":
			e.Critical = v.Text == "true"
		case "dimensions":
			e.Dimensions = dimensions(v, errs)
		case "math":
			e.Math = &Math{}
			for _, q := range v.Pairs {
				switch q.Key {
				case "expression":
					e.Math.Expression = q.Value.Text
				case "namespace":
					e.Math.Namespace = q.Value.Text
				case "metric":
					e.Math.Metric = q.Value.Text
				case "statistic":
					e.Math.Statistic = q.Value.Text
				case "operations":
					for _, it := range q.Value.Items {
						e.Math.Operations = append(e.Math.Operations, it.Text)
					}
				case "dimensions":
					e.Math.Dimensions = dimensions(q.Value, errs)
				default:
					errs.AddCode(ir.CodeUnknownKey, q.KeyPos, "unknown key %q in math", q.Key)
				}
			}
		default:
			errs.AddCode(ir.CodeUnknownKey, p.KeyPos, "unknown key %q in alarm %s", p.Key, a.Key)
		}
	}
	if e.Math == nil && (e.Namespace == "" || e.Metric == "" || (e.Statistic == "" && e.Extended == "")) {
		errs.AddCode(ir.CodeCatalogue, a.KeyPos, "alarm %s needs namespace, metric and statistic (or math)", a.Key)
	}
	if e.Period == 0 || e.Evaluation == 0 || e.Comparison == "" {
		errs.AddCode(ir.CodeCatalogue, a.KeyPos, "alarm %s needs period, evaluation_periods and comparison", a.Key)
	}
	if e.Threshold == nil && !e.Required && !e.Optional {
		errs.AddCode(ir.CodeCatalogue, a.KeyPos, "alarm %s needs a threshold (a number, or required, or optional: true)", a.Key)
	}
	return e
}

func dimensions(v *ir.Node, errs *ir.Errors) []Dimension {
	if v.Kind != ir.Map {
		errs.AddCode(ir.CodeCatalogue, v.Pos, "dimensions map names to values")
		return nil
	}
	var ds []Dimension
	for _, p := range v.Pairs {
		ds = append(ds, Dimension{Name: p.Key, Value: p.Value})
	}
	return ds
}

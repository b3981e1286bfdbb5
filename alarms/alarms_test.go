package alarms_test

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/riglet/riglet/alarms"
	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/schema"
)

// entry is what a test compares of an Entry: its fields, with the threshold and the
// dimensions as text and positions as file:line:col.
type entry struct {
	Type, Name, Pos, Description, When     string
	Namespace, Metric, Statistic, Extended string
	Period, Evaluation, Datapoints         int
	Comparison, Threshold, Missing         string
	Required, Optional, Critical           bool
	Dimensions                             []string
	Math                                   string
	Metrics                                int
}

func view(e *alarms.Entry) entry {
	v := entry{Type: e.Type, Name: e.Name, Pos: e.Pos.String(), Description: e.Description, When: e.When,
		Namespace: e.Namespace, Metric: e.Metric, Statistic: e.Statistic, Extended: e.Extended,
		Period: e.Period, Evaluation: e.Evaluation, Datapoints: e.Datapoints, Comparison: e.Comparison,
		Threshold: text(e.Threshold), Missing: e.Missing, Required: e.Required, Optional: e.Optional,
		Critical: e.Critical, Metrics: e.Metrics()}
	for _, d := range e.Dimensions {
		v.Dimensions = append(v.Dimensions, d.Name+"="+text(d.Value))
	}
	if m := e.Math; m != nil {
		var ds []string
		for _, d := range m.Dimensions {
			ds = append(ds, d.Name+"="+text(d.Value))
		}
		v.Math = fmt.Sprintf("%s %s/%s %s over %v by %v", m.Expression, m.Namespace, m.Metric, m.Statistic, m.Operations, ds)
	}
	return v
}

// text renders a node compactly: scalars as their text, maps as {k: v}, lists as [a b].
func text(n *ir.Node) string {
	if n == nil {
		return ""
	}
	switch n.Kind {
	case ir.Map:
		var ps []string
		for _, p := range n.Pairs {
			ps = append(ps, p.Key+": "+text(p.Value))
		}
		return "{" + strings.Join(ps, ", ") + "}"
	case ir.List:
		var is []string
		for _, it := range n.Items {
			is = append(is, text(it))
		}
		return "[" + strings.Join(is, " ") + "]"
	}
	return n.Text
}

func names(es []*alarms.Entry) []string {
	var ns []string
	for _, e := range es {
		ns = append(ns, e.Name)
	}
	return ns
}

// TestDefault reads the built-in catalogue: where it says it lives, what notifies,
// which types it covers, and a few entries in full.
func TestDefault(t *testing.T) {
	c, err := defaultCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	if alarms.File != "blocks/alarms.yaml" || c.File != alarms.File {
		t.Errorf("File = %q, want %q", c.File, "blocks/alarms.yaml")
	}
	if c.Actions != "ops-topic.TopicArn" || c.ActPos.String() != "blocks/alarms.yaml:23:10" {
		t.Errorf("actions = %q at %s, want ops-topic.TopicArn at blocks/alarms.yaml:23:10", c.Actions, c.ActPos)
	}
	wantTypes := []string{
		"AWS::ApiGatewayV2::Stage", "AWS::CertificateManager::Certificate", "AWS::DynamoDB::Table", "AWS::EC2::Instance", "AWS::EC2::NatGateway", "AWS::ECS::Cluster", "AWS::ECS::Service", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::Kinesis::Stream", "AWS::Lambda::EventSourceMapping", "AWS::Lambda::Function", "AWS::OpenSearchService::Domain", "AWS::RDS::DBCluster", "AWS::RDS::DBInstance", "AWS::SNS::Topic", "AWS::SQS::Queue", "AWS::Scheduler::ScheduleGroup", "AWS::StepFunctions::StateMachine",
	}
	if d := cmp.Diff(wantTypes, c.Types()); d != "" {
		t.Errorf("Types() (-want +got):\n%s", d)
	}
	// catalogue order, not sorted: the order alarms are added in
	if d := cmp.Diff([]string{"SqsQueueDepth", "SqsOldestMessage", "SqsLowMessagesSent", "SqsDeadLetterNotEmpty"},
		names(c.ForType("AWS::SQS::Queue"))); d != "" {
		t.Errorf("ForType(AWS::SQS::Queue) (-want +got):\n%s", d)
	}
	if got := c.ForType("AWS::ElastiCache::CacheCluster"); len(got) != 0 {
		t.Errorf("ForType(AWS::ElastiCache::CacheCluster) = %v, want none", names(got))
	}

	want := []entry{{
		Type: "AWS::SQS::Queue", Name: "SqsQueueDepth", Pos: "blocks/alarms.yaml:26:5",
		Description: "messages waiting in the queue pile up faster than consumers take them",
		When:        "not-dead-letter", Namespace: "AWS/SQS", Metric: "ApproximateNumberOfMessagesVisible",
		Statistic: "Maximum", Period: 300, Evaluation: 3, Comparison: "GreaterThanThreshold",
		Missing: "notBreaching", Required: true, Critical: true,
		Dimensions: []string{"QueueName={Fn::GetAtt: [${Resource} QueueName]}"}, Metrics: 1,
	}, {
		Type: "AWS::SQS::Queue", Name: "SqsOldestMessage", Pos: "blocks/alarms.yaml:40:5",
		Description: "the oldest message has waited too long; consumers are stuck or gone",
		When:        "not-dead-letter", Namespace: "AWS/SQS", Metric: "ApproximateAgeOfOldestMessage",
		Statistic: "Maximum", Period: 300, Evaluation: 2, Comparison: "GreaterThanThreshold",
		Threshold: "900", Missing: "notBreaching",
		Dimensions: []string{"QueueName={Fn::GetAtt: [${Resource} QueueName]}"}, Metrics: 1,
	}, {
		Type: "AWS::SQS::Queue", Name: "SqsLowMessagesSent", Pos: "blocks/alarms.yaml:54:5",
		Description: "fewer messages than expected arrive; a producer has stopped",
		When:        "not-dead-letter", Namespace: "AWS/SQS", Metric: "NumberOfMessagesSent",
		Statistic: "Sum", Period: 3600, Evaluation: 1, Comparison: "LessThanThreshold",
		Missing: "breaching", Optional: true,
		Dimensions: []string{"QueueName={Fn::GetAtt: [${Resource} QueueName]}"}, Metrics: 1,
	}}
	for _, w := range want {
		e := c.Entry(w.Name)
		if e == nil {
			t.Errorf("Entry(%s) = nil", w.Name)
			continue
		}
		if d := cmp.Diff(w, view(e)); d != "" {
			t.Errorf("Entry(%s) (-want +got):\n%s", w.Name, d)
		}
	}
	if e := c.Entry("NoSuchAlarm"); e != nil {
		t.Errorf("Entry(NoSuchAlarm) = %v, want nil", view(e))
	}
}

// TestDefaultIsConsistent holds every built-in entry to what the compiler and
// CloudWatch need of it.
func TestDefaultIsConsistent(t *testing.T) {
	c, err := defaultCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	critical := 0
	for _, typ := range c.Types() {
		if schema.Lookup(typ) == nil {
			t.Errorf("%s is not a CloudFormation resource type", typ)
		}
		if len(c.ForType(typ)) == 0 {
			t.Errorf("%s is listed with no alarms", typ)
		}
		for _, e := range c.ForType(typ) {
			all = append(all, e.Name)
			if e.Type != typ {
				t.Errorf("%s: Type %q under %s", e.Name, e.Type, typ)
			}
			if c.Entry(e.Name) != e {
				t.Errorf("Entry(%s) is not the entry listed under %s", e.Name, typ)
			}
			if e.Pos.File.String() != alarms.File || e.Pos.Line == 0 || e.Pos.Col == 0 {
				t.Errorf("%s: position %s, want a line and column of %s", e.Name, e.Pos, alarms.File)
			}
			if e.Description == "" {
				t.Errorf("%s: no description (docs and the plan show it)", e.Name)
			}
			// exactly one of: a default threshold, required, optional
			n := 0
			for _, b := range []bool{e.Threshold != nil, e.Required, e.Optional} {
				if b {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s: threshold %q, required %v, optional %v: want exactly one", e.Name, text(e.Threshold), e.Required, e.Optional)
			}
			if e.Math == nil && len(e.Dimensions) == 0 {
				t.Errorf("%s: no dimensions: the alarm would watch the whole namespace", e.Name)
			}
			if e.Metrics() < 1 {
				t.Errorf("%s: billed for %d metrics", e.Name, e.Metrics())
			}
			if e.Critical {
				critical++
			}
		}
	}
	slices.Sort(all)
	if d := cmp.Diff(all, c.Names()); d != "" {
		t.Errorf("Names() is not every entry, sorted (-want +got):\n%s", d)
	}
	if len(slices.Compact(slices.Clone(all))) != len(all) {
		t.Errorf("a name is used twice: %v", all)
	}
	if critical == 0 || critical == len(all) {
		t.Errorf("%d of %d entries are critical: profile critical would make no difference", critical, len(all))
	}
}

const good = `actions: alerts.TopicArn
alarms:
  AWS::SQS::Queue:
    Depth:
      description: too many messages
      when: not-dead-letter
      namespace: AWS/SQS
      metric: ApproximateNumberOfMessagesVisible
      statistic: Maximum
      period: 60
      evaluation_periods: 5
      datapoints_to_alarm: 3
      comparison: GreaterThanOrEqualToThreshold
      threshold: required
      treat_missing_data: notBreaching
      critical: true
      dimensions:
        QueueName: !GetAtt ${Resource}.QueueName
    Quiet:
      namespace: AWS/SQS
      metric: NumberOfMessagesSent
      statistic: Sum
      period: 3600
      evaluation_periods: 1
      comparison: LessThanThreshold
      optional: true
      dimensions:
        QueueName: !GetAtt ${Resource}.QueueName
  AWS::ElasticLoadBalancingV2::TargetGroup:
    Slow:
      namespace: AWS/ApplicationELB
      metric: TargetResponseTime
      extended_statistic: p99
      period: 300
      evaluation_periods: 3
      comparison: GreaterThanThreshold
      threshold: 2.5
      dimensions:
        TargetGroup: !GetAtt ${Resource}.TargetGroupFullName
        LoadBalancer:
          Riglet::Value: load-balancer
  AWS::DynamoDB::Table:
    Throttled:
      math:
        expression: SUM(METRICS())
        namespace: AWS/DynamoDB
        metric: ThrottledRequests
        statistic: Sum
        operations: [GetItem, PutItem, Query]
        dimensions:
          TableName: !Ref ${Resource}
      period: 60
      evaluation_periods: 1
      comparison: GreaterThanThreshold
      threshold:
        Riglet::Value: property:Threshold
`

// TestParse reads a small catalogue with every key an entry may have.
func TestParse(t *testing.T) {
	c, err := alarms.Parse("cat.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if c.File != "cat.yaml" || c.Actions != "alerts.TopicArn" || c.ActPos.String() != "cat.yaml:1:10" {
		t.Errorf("file %q, actions %q at %s", c.File, c.Actions, c.ActPos)
	}
	want := []entry{{
		Type: "AWS::SQS::Queue", Name: "Depth", Pos: "cat.yaml:4:5", Description: "too many messages",
		When: "not-dead-letter", Namespace: "AWS/SQS", Metric: "ApproximateNumberOfMessagesVisible",
		Statistic: "Maximum", Period: 60, Evaluation: 5, Datapoints: 3,
		Comparison: "GreaterThanOrEqualToThreshold", Missing: "notBreaching", Required: true, Critical: true,
		Dimensions: []string{"QueueName={Fn::GetAtt: [${Resource} QueueName]}"}, Metrics: 1,
	}, {
		Type: "AWS::SQS::Queue", Name: "Quiet", Pos: "cat.yaml:19:5", Namespace: "AWS/SQS",
		Metric: "NumberOfMessagesSent", Statistic: "Sum", Period: 3600, Evaluation: 1,
		Comparison: "LessThanThreshold", Missing: "missing", Optional: true,
		Dimensions: []string{"QueueName={Fn::GetAtt: [${Resource} QueueName]}"}, Metrics: 1,
	}, {
		Type: "AWS::ElasticLoadBalancingV2::TargetGroup", Name: "Slow", Pos: "cat.yaml:30:5",
		Namespace: "AWS/ApplicationELB", Metric: "TargetResponseTime", Extended: "p99", Period: 300,
		Evaluation: 3, Comparison: "GreaterThanThreshold", Threshold: "2.5", Missing: "missing",
		Dimensions: []string{
			"TargetGroup={Fn::GetAtt: [${Resource} TargetGroupFullName]}",
			"LoadBalancer={Riglet::Value: load-balancer}",
		},
		Metrics: 1,
	}, {
		Type: "AWS::DynamoDB::Table", Name: "Throttled", Pos: "cat.yaml:43:5", Period: 60, Evaluation: 1,
		Comparison: "GreaterThanThreshold", Threshold: "{Riglet::Value: property:Threshold}", Missing: "missing",
		Math:    "SUM(METRICS()) AWS/DynamoDB/ThrottledRequests Sum over [GetItem PutItem Query] by [TableName={Ref: ${Resource}}]",
		Metrics: 3,
	}}
	var got []entry
	for _, typ := range []string{"AWS::SQS::Queue", "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::DynamoDB::Table"} {
		for _, e := range c.ForType(typ) {
			got = append(got, view(e))
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("entries (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"Depth", "Quiet", "Slow", "Throttled"}, c.Names()); d != "" {
		t.Errorf("Names() (-want +got):\n%s", d)
	}
	// a metric-math alarm is billed per metric it reads
	if got := c.Entry("Throttled").Metrics(); got != 3 {
		t.Errorf("Throttled bills %d metrics, want 3", got)
	}
	if alarms.MonthlyCost <= 0 {
		t.Errorf("MonthlyCost = %v", alarms.MonthlyCost)
	}
}

// an alarm with everything it needs, to break one key at a time
const okAlarm = `      namespace: AWS/SQS
      metric: NumberOfMessagesSent
      statistic: Sum
      period: 60
      evaluation_periods: 1
      comparison: LessThanThreshold
      threshold: 1
      dimensions:
        QueueName: !GetAtt ${Resource}.QueueName
`

// with returns okAlarm with key (and the lines nested under it) replaced by line (""
// drops it).
func with(key, line string) string {
	var out []string
	dropping := false
	for _, l := range strings.SplitAfter(okAlarm, "\n") {
		if dropping && strings.HasPrefix(l, "       ") {
			continue
		}
		dropping = strings.HasPrefix(l, "      "+key+":")
		if dropping {
			if line != "" {
				out = append(out, "      "+line+"\n")
			}
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "")
}

const head = "actions: ops-topic.TopicArn\nalarms:\n  AWS::SQS::Queue:\n    A:\n" // entry A at 4:5

// TestParseErrors: every bad entry is reported, at the line and column of the value
// (or, for what is missing, of the alarm's name), and Parse returns no catalogue.
// Lines of `with` cases: namespace 5, metric 6, statistic 7, period 8,
// evaluation_periods 9, comparison 10, threshold 11, dimensions 12-13; a key added
// after okAlarm is on line 14.
//
// Besides the errors wanted, an error at the alarm's own name (what the entry lacks
// once a bad value is dropped) is tolerated: a cascade that may go, never a
// different position.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // "file:line:col: part of the message"
	}{
		{"not a map", "- a\n- b\n", []string{"c.yaml:1:1: a map with actions and alarms"}},
		{"unknown top-level key", "actions: x.Y\nalerts: {}\n", []string{`c.yaml:2:1: unknown key "alerts"`}},
		{"alarms not a map", "alarms: [a]\n", []string{"c.yaml:1:9: alarms maps resource types"}},
		{"alarm not a map", "alarms:\n  AWS::SQS::Queue:\n    A: [x]\n    B: 3\n", []string{
			"c.yaml:3:8: alarm A must be a map",
			"c.yaml:4:8: alarm B must be a map",
		}},
		{"unknown key", head + okAlarm + "      colour: red\n", []string{`c.yaml:14:7: unknown key "colour" in alarm A`}},
		{"bad when", head + with("namespace", "when: sometimes\n      namespace: AWS/SQS"), []string{`c.yaml:5:13: when "sometimes"`}},
		{"bad statistic", head + with("statistic", "statistic: Mean"), []string{`c.yaml:7:18: statistic "Mean"`}},
		{"zero period", head + with("period", "period: 0"), []string{"c.yaml:8:15: 0 must be a positive whole number"}},
		{"period not a number", head + with("period", "period: five"), []string{"c.yaml:8:15: five must be a positive whole number"}},
		{"negative evaluation periods", head + with("evaluation_periods", "evaluation_periods: -2"), []string{"c.yaml:9:27: -2 must be a positive whole number"}},
		{"bad datapoints", head + okAlarm + "      datapoints_to_alarm: 1.5\n", []string{"c.yaml:14:28: 1.5 must be a positive whole number"}},
		{"bad comparison", head + with("comparison", "comparison: Above"), []string{`c.yaml:10:19: comparison "Above" is not a CloudWatch comparison operator`}},
		{"bad threshold", head + with("threshold", "threshold: high"), []string{"c.yaml:11:18: threshold is a number, required, or {Riglet::Value: ...}"}},
		{"bad missing data", head + okAlarm + "      treat_missing_data: zero\n", []string{`c.yaml:14:27: treat_missing_data "zero"`}},
		{"dimensions not a map", head + with("dimensions", "dimensions: [QueueName]"), []string{"c.yaml:12:19: dimensions map names to values"}},
		{"unknown math key", head + with("namespace", "") + "      math: {expression: m1, metrics: [a]}\n", []string{
			`c.yaml:13:30: unknown key "metrics" in math`,
		}},
		{"no metric", head + with("metric", ""), []string{"c.yaml:4:5: alarm A needs namespace, metric and statistic (or math)"}},
		{"no comparison", head + with("comparison", ""), []string{"c.yaml:4:5: alarm A needs period, evaluation_periods and comparison"}},
		{"no threshold", head + with("threshold", ""), []string{"c.yaml:4:5: alarm A needs a threshold (a number, or required, or optional: true)"}},
		{"several at once", head + with("statistic", "statistic: Mean") + "    B:\n" + with("comparison", "comparison: Above"), []string{
			`c.yaml:7:18: statistic "Mean"`,
			`c.yaml:20:19: comparison "Above"`,
		}},
		{"yaml syntax", "alarms:\n  AWS::SQS::Queue: {A: [\n", []string{"c.yaml:2:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cat, err := alarms.Parse("c.yaml", []byte(c.src))
			if err == nil {
				t.Fatalf("no error; want %q\n%s", c.want, c.src)
			}
			if cat != nil {
				t.Errorf("a catalogue as well as the error")
			}
			got := strings.Split(err.Error(), "\n")
			found := make([]bool, len(c.want))
		next:
			for _, g := range got {
				for i, w := range c.want {
					at, msg, _ := strings.Cut(w, ": ")
					if !found[i] && strings.HasPrefix(g, at) && strings.Contains(g, msg) {
						found[i] = true
						continue next
					}
				}
				if !strings.HasPrefix(g, "c.yaml:4:5: alarm A needs ") {
					t.Errorf("unexpected error\n\t%s\nsource:\n%s", g, c.src)
				}
			}
			for i, w := range c.want {
				if !found[i] {
					t.Errorf("no error %q among\n%s\nsource:\n%s", w, err, c.src)
				}
			}
		})
	}
}

// TestDuplicateName: names are what thresholds are set by, so one name under two types
// is an error at the second, pointing at the first.
func TestDuplicateName(t *testing.T) {
	src := head + okAlarm + "  AWS::SNS::Topic:\n    A:\n" + okAlarm
	_, err := alarms.Parse("c.yaml", []byte(src))
	var es ir.Errors
	if !errors.As(err, &es) || len(es) != 1 {
		t.Fatalf("want one error, got %v", err)
	}
	e := es[0]
	if e.Pos.String() != "c.yaml:15:5" || !strings.Contains(e.Msg, "A is used twice") {
		t.Errorf("error %s: %s, want at c.yaml:15:5 saying A is used twice", e.Pos, e.Msg)
	}
	if len(e.Related) != 1 || e.Related[0].Pos.String() != "c.yaml:4:5" {
		t.Errorf("related %v, want the first A at c.yaml:4:5", e.Related)
	}
}

// TestLoad: a user's blocks/alarms.yaml replaces the built-in catalogue whole; without
// one, the built-in one is used.
func TestLoad(t *testing.T) {
	def, err := defaultCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for name, fsys := range map[string]fs.FS{"nil": nil, "no catalogue": fstest.MapFS{"blocks/q/block.yaml": {Data: []byte("Resources: {}\n")}}} {
		c, err := loadCatalogue(fsys)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := cmp.Diff(def.Names(), c.Names()); d != "" {
			t.Errorf("%s: not the built-in catalogue (-want +got):\n%s", name, d)
		}
	}
	user := fstest.MapFS{"blocks/alarms.yaml": {Data: []byte(good)}}
	c, err := loadCatalogue(user)
	if err != nil {
		t.Fatal(err)
	}
	if c.File != "blocks/alarms.yaml" || c.Actions != "alerts.TopicArn" {
		t.Errorf("file %q, actions %q: want the user's", c.File, c.Actions)
	}
	if d := cmp.Diff([]string{"Depth", "Quiet", "Slow", "Throttled"}, c.Names()); d != "" {
		t.Errorf("Names() (-want +got): the user's catalogue replaces the built-in one whole\n%s", d)
	}
	if c.Entry("SqsQueueDepth") != nil {
		t.Errorf("the built-in SqsQueueDepth is still there beside the user's catalogue")
	}
	// a broken user catalogue is an error in the user's file, never a quiet fallback
	broken := fstest.MapFS{"blocks/alarms.yaml": {Data: []byte(head + with("statistic", "statistic: Mean"))}}
	if _, err := loadCatalogue(broken); err == nil || !strings.HasPrefix(err.Error(), "blocks/alarms.yaml:7:18:") {
		t.Errorf("Load of a broken catalogue: %v, want an error at blocks/alarms.yaml:7:18", err)
	}
}

// The catalogue as the compiler applies it: a queue and its dead-letter queue in a
// small riglet with built-in blocks.

const env = `env: dev
account: "111122223333"
region: us-east-1
azs: [us-east-1a, us-east-1b]
cidr: 10.9.0.0/16
alarms:
%s`

const spec = `riglet: demo
owner: acme
envs: [dev]
stacks:
  base:
    blocks:
      ops: {block: ops-topic}
  app:
    blocks:
      jobs:
        block: sqs-queue
%s`

// compileAlarms compiles the riglet and lists the alarms of stack app as
// "<logical ID> <threshold>", sorted.
func compileAlarms(t *testing.T, fsys fstest.MapFS) ([]string, error) {
	t.Helper()
	res, err := compiler.Compile(fsys, blocks.FS, "riglets/demo.yaml", compiler.Options{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range res.Files() {
		if f.Path != "out/demo/dev/app.yaml" && !strings.HasSuffix(f.Path, "/dev/app.yaml") {
			continue
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(f.Data, &doc); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		rs := lookup(doc.Content[0], "Resources")
		for i := 0; rs != nil && i+1 < len(rs.Content); i += 2 {
			r := rs.Content[i+1]
			if v := lookup(r, "Type"); v != nil && v.Value == "AWS::CloudWatch::Alarm" {
				th := lookup(lookup(r, "Properties"), "Threshold")
				if th == nil {
					t.Fatalf("%s: alarm %s has no Threshold", f.Path, rs.Content[i].Value)
				}
				out = append(out, rs.Content[i].Value+" "+th.Value)
			}
		}
		slices.Sort(out)
		return out, nil
	}
	t.Fatalf("no app.yaml among %d files", len(res.Files()))
	return nil, nil
}

func lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func riglet(envAlarms, instance string) fstest.MapFS {
	return fstest.MapFS{
		"envs/dev.yaml":     {Data: fmt.Appendf(nil, env, envAlarms)},
		"riglets/demo.yaml": {Data: fmt.Appendf(nil, spec, instance)},
	}
}

// TestProfiles: profile all gives every alarm that applies; critical only the
// critical ones; none, no alarms at all. Dead-letter entries go to the DLQ only.
func TestProfiles(t *testing.T) {
	cases := []struct {
		profile string
		want    []string
	}{
		{"all", []string{"JobsDeadLetterQueueSqsDeadLetterNotEmpty 0", "JobsQueueSqsOldestMessage 900", "JobsQueueSqsQueueDepth 100"}},
		{"critical", []string{"JobsDeadLetterQueueSqsDeadLetterNotEmpty 0", "JobsQueueSqsQueueDepth 100"}},
		{"none", nil},
	}
	for _, c := range cases {
		t.Run(c.profile, func(t *testing.T) {
			got, err := compileAlarms(t, riglet("  profile: "+c.profile+"\n  thresholds: {SqsQueueDepth: 100}\n", ""))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("alarms (-want +got):\n%s", d)
			}
		})
	}
}

// TestThresholds: a required threshold must be set, in the env or on the instance
// (which wins); an optional entry is added only where one is set; an alarm is
// turned off only with a reason.
func TestThresholds(t *testing.T) {
	cases := []struct {
		name, env, instance string
		want                []string
		err                 []string // parts of the error, the first its position
	}{
		{name: "required, from the env", env: "  thresholds: {SqsQueueDepth: 7}\n",
			want: []string{"JobsDeadLetterQueueSqsDeadLetterNotEmpty 0", "JobsQueueSqsOldestMessage 900", "JobsQueueSqsQueueDepth 7"}},
		{name: "the instance wins", env: "  thresholds: {SqsQueueDepth: 7}\n",
			instance: "        alarms: {Queue: {SqsQueueDepth: 9, SqsOldestMessage: 60}}\n",
			want:     []string{"JobsDeadLetterQueueSqsDeadLetterNotEmpty 0", "JobsQueueSqsOldestMessage 60", "JobsQueueSqsQueueDepth 9"}},
		{name: "optional, set", env: "  thresholds: {SqsQueueDepth: 7, SqsLowMessagesSent: 1}\n",
			want: []string{"JobsDeadLetterQueueSqsDeadLetterNotEmpty 0", "JobsQueueSqsLowMessagesSent 1", "JobsQueueSqsOldestMessage 900", "JobsQueueSqsQueueDepth 7"}},
		{name: "turned off with a reason", env: "  thresholds: {SqsQueueDepth: 7}\n",
			instance: "        alarms: {DeadLetterQueue: {SqsDeadLetterNotEmpty: {disabled: drained by a job}}}\n",
			want:     []string{"JobsQueueSqsOldestMessage 900", "JobsQueueSqsQueueDepth 7"}},
		{name: "required, not set", env: "  profile: all\n",
			err: []string{"riglets/demo.yaml:10:7:", "SqsQueueDepth", "threshold"}},
		{name: "turned off without a reason", env: "  thresholds: {SqsQueueDepth: 7}\n",
			instance: "        alarms: {Queue: {SqsOldestMessage: {disabled: \"\"}}}\n",
			err:      []string{"riglets/demo.yaml:12:55:", "SqsOldestMessage", "reason"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := compileAlarms(t, riglet(c.env, c.instance))
			if c.err != nil {
				if err == nil {
					t.Fatalf("no error, alarms %v; want %q", got, c.err)
				}
				lines := strings.Split(err.Error(), "\n")
				if !strings.HasPrefix(lines[0], c.err[0]) {
					t.Errorf("error at\n\t%s\nwant at %s", lines[0], c.err[0])
				}
				for _, part := range c.err[1:] {
					if !strings.Contains(lines[0], part) {
						t.Errorf("error\n\t%s\ndoes not say %q", lines[0], part)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("alarms (-want +got):\n%s", d)
			}
		})
	}
}

// TestUserCatalogue: a user's blocks/alarms.yaml is the one the compiler applies.
func TestUserCatalogue(t *testing.T) {
	fsys := riglet("  profile: all\n", "")
	fsys["blocks/alarms.yaml"] = &fstest.MapFile{Data: []byte(head + okAlarm)}
	got, err := compileAlarms(t, fsys)
	if err != nil {
		t.Fatal(err)
	}
	// both queues, since A has no when: the built-in SqsQueueDepth is gone with its
	// required threshold
	if d := cmp.Diff([]string{"JobsDeadLetterQueueA 1", "JobsQueueA 1"}, got); d != "" {
		t.Errorf("alarms (-want +got):\n%s", d)
	}
}

// defaultCatalogue is the built-in catalogue as the compiler's library serves it.
func defaultCatalogue() (*alarms.Catalogue, error) {
	return model.NewLibrary(nil, blocks.FS).Catalogue()
}

// loadCatalogue is the catalogue of a user's repository: its blocks/alarms.yaml over
// the built-in one.
func loadCatalogue(user fs.FS) (*alarms.Catalogue, error) {
	return model.NewLibrary(user, blocks.FS).Catalogue()
}

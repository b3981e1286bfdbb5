package emit

import (
	"fmt"
	"testing"

	"github.com/aws-cloudformation/rain/cft/format"
	"github.com/aws-cloudformation/rain/cft/parse"
	"github.com/riglet/riglet/ir"
)

// benchTemplate is a template of the size riglet writes: 30 resources (queues,
// alarms, roles with policies, functions with inline code) and their outputs.
func benchTemplate() *ir.Node {
	p := ir.Pos{File: ir.FileOf("blocks/x/block.yaml"), Line: 1, Col: 1}
	s := func(v string) *ir.Node { return ir.Str(v, p) }
	meta := func(i int) *ir.Node {
		return mapOf(p, "riglet", mapOf(p, "source", s(fmt.Sprintf("blocks/sqs-queue/block.yaml:%d", i)),
			"instance", s(fmt.Sprintf("app-twig-api.service.Orders%d", i))))
	}
	res, outs := ir.NewMap(p), ir.NewMap(p)
	for i := 0; i < 10; i++ {
		q, a, f := fmt.Sprintf("Queue%d", i), fmt.Sprintf("Alarm%d", i), fmt.Sprintf("Fn%d", i)
		res.Set(q, mapOf(p, "Type", s("AWS::SQS::Queue"), "Metadata", meta(i), "Properties", mapOf(p,
			"QueueName", ir.Fn("Fn::Sub", s("${AWS::StackName}-orders-"+fmt.Sprint(i)), p),
			"VisibilityTimeout", ir.Int(30, p), "MessageRetentionPeriod", ir.Int(1209600, p),
			"RedrivePolicy", mapOf(p, "deadLetterTargetArn", ir.GetAtt("DLQ", "Arn", p), "maxReceiveCount", ir.Int(5, p)),
			"Tags", ir.NewList(p, mapOf(p, "Key", s("env"), "Value", s("staging")), mapOf(p, "Key", s("enabled"), "Value", s("ON")))),
		))
		res.Set(a, mapOf(p, "Type", s("AWS::CloudWatch::Alarm"), "Condition", s("IsProd"), "Properties", mapOf(p,
			"AlarmDescription", s("Oldest message in "+q+" is older than 5 minutes: check the consumer"),
			"Namespace", s("AWS/SQS"), "MetricName", s("ApproximateAgeOfOldestMessage"),
			"Dimensions", ir.NewList(p, mapOf(p, "Name", s("QueueName"), "Value", ir.GetAtt(q, "QueueName", p))),
			"Statistic", s("Maximum"), "Period", ir.Int(60, p), "EvaluationPeriods", ir.Int(5, p),
			"Threshold", ir.Int(300, p), "ComparisonOperator", s("GreaterThanThreshold"),
			"AlarmActions", ir.NewList(p, ir.Ref("AlertTopic", p)), "TreatMissingData", s("notBreaching"))))
		res.Set(f, mapOf(p, "Type", s("AWS::Lambda::Function"), "DependsOn", ir.NewList(p, s(q)), "Properties", mapOf(p,
			"Runtime", s("python3.12"), "Handler", s("index.handler"), "Role", ir.GetAtt("Role", "Arn", p),
			"Code", mapOf(p, "ZipFile", s("import json\n\ndef handler(event, context):\n    # forward\n    return {'ok': True}\n")),
			"Environment", mapOf(p, "Variables", mapOf(p, "QUEUE_URL", ir.Ref(q, p), "REGION", ir.Ref("AWS::Region", p),
				"ARN", ir.Fn("Fn::Join", ir.NewList(p, s(":"), ir.NewList(p, s("arn"), ir.Ref("AWS::Partition", p), s("sqs"))), p))),
			"Timeout", ir.Int(30, p))))
		outs.Set(q+"Url", mapOf(p, "Description", s("url of "+q), "Value", ir.Ref(q, p),
			"Export", mapOf(p, "Name", ir.Fn("Fn::Sub", s("${AWS::StackName}-"+q+"-url"), p))))
	}
	t := ir.NewMap(p)
	t.Set("AWSTemplateFormatVersion", s("2010-09-09"))
	t.Set("Description", s("twig api in staging"))
	t.Set("Parameters", mapOf(p, "Env", mapOf(p, "Type", s("String"), "AllowedValues", ir.NewList(p, s("staging"), s("prod")))))
	t.Set("Conditions", mapOf(p, "IsProd", ir.Fn("Fn::Equals", ir.NewList(p, ir.Ref("Env", p), s("prod")), p)))
	t.Set("Resources", res)
	t.Set("Outputs", outs)
	return t
}

func BenchmarkTemplate(b *testing.B) {
	t := benchTemplate()
	buf := AppendTemplate(nil, nil, t)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendTemplate(buf[:0], nil, t)
	}
}

func BenchmarkTemplateNewBuffer(b *testing.B) {
	t := benchTemplate()
	b.ReportAllocs()
	for b.Loop() {
		Template(nil, t)
	}
}

// BenchmarkRainFormat is rain's format.String on the same template, for comparison.
func BenchmarkRainFormat(b *testing.B) {
	tmpl, err := parse.String(string(Template(nil, benchTemplate())))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		format.String(tmpl, format.Options{})
	}
}

func TestBenchTemplateRoundTrips(t *testing.T) {
	if out, err := roundTrip(benchTemplate()); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

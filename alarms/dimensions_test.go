package alarms_test

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"gopkg.in/yaml.v3"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
)

// published is what CloudWatch publishes for one catalogue alarm: the resource type
// it watches (for load balancers and target groups, with the kind: an ALB's and an
// NLB's publish to different namespaces), the namespace, the metric and the exact set of dimension names of the
// series the alarm reads (a metric published with other dimension sets too is
// listed with the one the alarm needs). An alarm whose dimensions name no published
// series stays INSUFFICIENT_DATA for ever.
type published struct {
	Type, Namespace, Metric string
	Dims                    []string
}

// cloudWatch is the one table, by catalogue entry name; each row cites the AWS page
// that lists the metric with those dimensions.
var cloudWatch = map[string]published{
	// https://docs.aws.amazon.com/acm/latest/userguide/cloudwatch-metrics.html
	"AcmDaysToExpiry": {"AWS::CertificateManager::Certificate", "AWS/CertificateManager", "DaysToExpiry", []string{"CertificateArn"}},
	// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
	"SqsQueueDepth":         {"AWS::SQS::Queue", "AWS/SQS", "ApproximateNumberOfMessagesVisible", []string{"QueueName"}},
	"SqsOldestMessage":      {"AWS::SQS::Queue", "AWS/SQS", "ApproximateAgeOfOldestMessage", []string{"QueueName"}},
	"SqsLowMessagesSent":    {"AWS::SQS::Queue", "AWS/SQS", "NumberOfMessagesSent", []string{"QueueName"}},
	"SqsDeadLetterNotEmpty": {"AWS::SQS::Queue", "AWS/SQS", "ApproximateNumberOfMessagesVisible", []string{"QueueName"}},
	// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
	"Elb5xx":                 {"AWS::ElasticLoadBalancingV2::LoadBalancer/application", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", []string{"LoadBalancer"}},
	"ElbRejectedConnections": {"AWS::ElasticLoadBalancingV2::LoadBalancer/application", "AWS/ApplicationELB", "RejectedConnectionCount", []string{"LoadBalancer"}},
	"TargetUnhealthyHosts":   {"AWS::ElasticLoadBalancingV2::TargetGroup/application", "AWS/ApplicationELB", "UnHealthyHostCount", []string{"LoadBalancer", "TargetGroup"}},
	"Target5xx":              {"AWS::ElasticLoadBalancingV2::TargetGroup/application", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", []string{"LoadBalancer", "TargetGroup"}},
	"TargetResponseTime":     {"AWS::ElasticLoadBalancingV2::TargetGroup/application", "AWS/ApplicationELB", "TargetResponseTime", []string{"LoadBalancer", "TargetGroup"}},
	"TargetConnectionErrors": {"AWS::ElasticLoadBalancingV2::TargetGroup/application", "AWS/ApplicationELB", "TargetConnectionErrorCount", []string{"LoadBalancer", "TargetGroup"}},
	// https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-cloudwatch-metrics.html
	"NlbElbResets":      {"AWS::ElasticLoadBalancingV2::LoadBalancer/network", "AWS/NetworkELB", "TCP_ELB_Reset_Count", []string{"LoadBalancer"}},
	"NlbTargetResets":   {"AWS::ElasticLoadBalancingV2::LoadBalancer/network", "AWS/NetworkELB", "TCP_Target_Reset_Count", []string{"LoadBalancer"}},
	"NlbUnhealthyHosts": {"AWS::ElasticLoadBalancingV2::TargetGroup/network", "AWS/NetworkELB", "UnHealthyHostCount", []string{"LoadBalancer", "TargetGroup"}},
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html
	"EcsServiceCpu":               {"AWS::ECS::Service", "AWS/ECS", "CPUUtilization", []string{"ClusterName", "ServiceName"}},
	"EcsServiceMemory":            {"AWS::ECS::Service", "AWS/ECS", "MemoryUtilization", []string{"ClusterName", "ServiceName"}},
	"EcsClusterCpuReservation":    {"AWS::ECS::Cluster", "AWS/ECS", "CPUReservation", []string{"ClusterName"}},
	"EcsClusterMemoryReservation": {"AWS::ECS::Cluster", "AWS/ECS", "MemoryReservation", []string{"ClusterName"}},
	// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
	"RdsClusterCpu":            {"AWS::RDS::DBCluster", "AWS/RDS", "CPUUtilization", []string{"DBClusterIdentifier"}},
	"RdsClusterFreeableMemory": {"AWS::RDS::DBCluster", "AWS/RDS", "FreeableMemory", []string{"DBClusterIdentifier"}},
	"RdsClusterConnections":    {"AWS::RDS::DBCluster", "AWS/RDS", "DatabaseConnections", []string{"DBClusterIdentifier"}},
	"AuroraFreeLocalStorage":   {"AWS::RDS::DBInstance", "AWS/RDS", "FreeLocalStorage", []string{"DBInstanceIdentifier"}},
	// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html
	"RdsCpu":              {"AWS::RDS::DBInstance", "AWS/RDS", "CPUUtilization", []string{"DBInstanceIdentifier"}},
	"RdsFreeableMemory":   {"AWS::RDS::DBInstance", "AWS/RDS", "FreeableMemory", []string{"DBInstanceIdentifier"}},
	"RdsConnections":      {"AWS::RDS::DBInstance", "AWS/RDS", "DatabaseConnections", []string{"DBInstanceIdentifier"}},
	"RdsFreeStorageSpace": {"AWS::RDS::DBInstance", "AWS/RDS", "FreeStorageSpace", []string{"DBInstanceIdentifier"}},
	// https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
	"LambdaErrors":              {"AWS::Lambda::Function", "AWS/Lambda", "Errors", []string{"FunctionName"}},
	"LambdaThrottles":           {"AWS::Lambda::Function", "AWS/Lambda", "Throttles", []string{"FunctionName"}},
	"LambdaDurationNearTimeout": {"AWS::Lambda::Function", "AWS/Lambda", "Duration", []string{"FunctionName"}},
	// the event source mapping metrics, published with MetricsConfig EventCount
	"LambdaEventSourceFailedInvokes": {"AWS::Lambda::EventSourceMapping", "AWS/Lambda", "FailedInvokeEventCount", []string{"EventSourceMappingUUID"}},
	// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html
	"HttpApi5xx":     {"AWS::ApiGatewayV2::Stage", "AWS/ApiGateway", "5xx", []string{"ApiId", "Stage"}},
	"HttpApiLatency": {"AWS::ApiGatewayV2::Stage", "AWS/ApiGateway", "Latency", []string{"ApiId", "Stage"}},
	// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
	"DynamoReadThrottles":  {"AWS::DynamoDB::Table", "AWS/DynamoDB", "ReadThrottleEvents", []string{"TableName"}},
	"DynamoWriteThrottles": {"AWS::DynamoDB::Table", "AWS/DynamoDB", "WriteThrottleEvents", []string{"TableName"}},
	// SystemErrors is published per table and operation only (metric math sums them)
	"DynamoSystemErrors": {"AWS::DynamoDB::Table", "AWS/DynamoDB", "SystemErrors", []string{"Operation", "TableName"}},
	// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/viewing_metrics_with_cloudwatch.html
	"Ec2StatusCheckFailed": {"AWS::EC2::Instance", "AWS/EC2", "StatusCheckFailed", []string{"InstanceId"}},
	// https://docs.aws.amazon.com/opensearch-service/latest/developerguide/managedomains-cloudwatchmetrics.html
	"OpenSearchClusterRed":  {"AWS::OpenSearchService::Domain", "AWS/ES", "ClusterStatus.red", []string{"ClientId", "DomainName"}},
	"OpenSearchFreeStorage": {"AWS::OpenSearchService::Domain", "AWS/ES", "FreeStorageSpace", []string{"ClientId", "DomainName"}},
	// https://docs.aws.amazon.com/vpc/latest/userguide/metrics-dimensions-nat-gateway.html
	"NatGatewayPortAllocationErrors": {"AWS::EC2::NatGateway", "AWS/NATGateway", "ErrorPortAllocation", []string{"NatGatewayId"}},
	"NatGatewayPacketsDropped":       {"AWS::EC2::NatGateway", "AWS/NATGateway", "PacketsDropCount", []string{"NatGatewayId"}},
	// https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html
	"SnsNotificationsFailed": {"AWS::SNS::Topic", "AWS/SNS", "NumberOfNotificationsFailed", []string{"TopicName"}},
	// https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html
	"KinesisIteratorAge":    {"AWS::Kinesis::Stream", "AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", []string{"StreamName"}},
	"KinesisWriteThrottles": {"AWS::Kinesis::Stream", "AWS/Kinesis", "WriteProvisionedThroughputExceeded", []string{"StreamName"}},
	// https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html
	"StatesExecutionsFailed": {"AWS::StepFunctions::StateMachine", "AWS/States", "ExecutionsFailed", []string{"StateMachineArn"}},
	// https://docs.aws.amazon.com/scheduler/latest/UserGuide/monitoring-cloudwatch.html
	"SchedulerTargetErrors":       {"AWS::Scheduler::ScheduleGroup", "AWS/Scheduler", "TargetErrorCount", []string{"ScheduleGroup"}},
	"SchedulerInvocationsDropped": {"AWS::Scheduler::ScheduleGroup", "AWS/Scheduler", "InvocationDroppedCount", []string{"ScheduleGroup"}},
	"SchedulerDeadLetterFailed":   {"AWS::Scheduler::ScheduleGroup", "AWS/Scheduler", "InvocationsFailedToBeSentToDeadLetterCount", []string{"ScheduleGroup"}},
}

// TestCatalogueMatchesCloudWatch: every entry of the built-in catalogue is in the
// table, with its type, namespace, metric and exact dimension names; the table has
// no row for an entry that is gone.
func TestCatalogueMatchesCloudWatch(t *testing.T) {
	c, err := defaultCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range c.Names() {
		e := c.Entry(name)
		row, ok := cloudWatch[name]
		if !ok {
			t.Errorf("catalogue entry %s has no row in the table: add what CloudWatch publishes for it, citing the page", name)
			continue
		}
		got := published{Type: e.Type, Namespace: e.Namespace, Metric: e.Metric}
		if strings.HasPrefix(e.Type, "AWS::ElasticLoadBalancingV2::") {
			got.Type += "/" + e.When
		}
		ds := e.Dimensions
		if e.Math != nil {
			got.Namespace, got.Metric, ds = e.Math.Namespace, e.Math.Metric, e.Math.Dimensions
			got.Dims = append(got.Dims, "Operation") // the compiler adds one metric per operation
		}
		for _, d := range ds {
			got.Dims = append(got.Dims, d.Name)
		}
		sort.Strings(got.Dims)
		if got.Type != row.Type || got.Namespace != row.Namespace || got.Metric != row.Metric || !slices.Equal(got.Dims, row.Dims) {
			t.Errorf("%s is %+v; CloudWatch publishes %+v", name, got, row)
		}
	}
	for name := range cloudWatch {
		if c.Entry(name) == nil {
			t.Errorf("the table has a row for %s, which the catalogue no longer has", name)
		}
	}
}

// everything is a riglet with a resource of every type the catalogue covers, in the
// forms that pick each `when`, and thresholds for the optional entries.
const everything = `Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 3}}
  Dlq:
    Type: AWS::SQS::Queue
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Subnets: [subnet-1, subnet-2]}
  AlbTg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Protocol: HTTP, Port: 80, VpcId: vpc-1}
  AlbListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: {LoadBalancerArn: !Ref Alb, Protocol: HTTP, Port: 80, DefaultActions: [{Type: forward, TargetGroupArn: !Ref AlbTg}]}
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Type: network, Subnets: [subnet-1, subnet-2]}
  NlbTg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Protocol: TCP, Port: 80, VpcId: vpc-1}
  NlbListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: {LoadBalancerArn: !Ref Nlb, Protocol: TCP, Port: 80, DefaultActions: [{Type: forward, TargetGroupArn: !Ref NlbTg}]}
  Cluster:
    Type: AWS::ECS::Cluster
    Properties: {CapacityProviders: [ec2-provider]}
  Service:
    Type: AWS::ECS::Service
    Properties: {Cluster: !Ref Cluster, TaskDefinition: td}
  Aurora:
    Type: AWS::RDS::DBCluster
    Properties: {Engine: aurora-postgresql}
  AuroraInstance:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: aurora-postgresql, DBClusterIdentifier: !Ref Aurora, DBInstanceClass: db.r6g.large}
  Postgres:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: postgres, DBInstanceClass: db.t4g.micro, AllocatedStorage: "20"}
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.12, Handler: i.h, Role: arn:aws:iam::111122223333:role/r, Code: {ZipFile: "def h(e, c): pass"}}
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {BillingMode: PAY_PER_REQUEST, KeySchema: [{AttributeName: id, KeyType: HASH}], AttributeDefinitions: [{AttributeName: id, AttributeType: S}]}
  Box:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-12345678}
  Search:
    Type: AWS::OpenSearchService::Domain
  Nat:
    Type: AWS::EC2::NatGateway
    Properties: {SubnetId: subnet-1, AllocationId: eipalloc-1}
  Topic:
    Type: AWS::SNS::Topic
  Stream:
    Type: AWS::Kinesis::Stream
    Properties: {ShardCount: 1}
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties: {RoleArn: arn:aws:iam::111122223333:role/s, DefinitionString: "{}"}
  Certificate:
    Type: AWS::CertificateManager::Certificate
    Properties: {DomainName: example.com, ValidationMethod: DNS}
  Schedules:
    Type: AWS::Scheduler::ScheduleGroup
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {FunctionName: !Ref Fn, EventSourceArn: arn:aws:sqs:us-east-1:111122223333:q, MetricsConfig: {Metrics: [EventCount]}}
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: api, ProtocolType: HTTP}
  ApiStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: $default}
`

// TestWrittenAlarmsMatchCloudWatch: every alarm the compiler writes, in the example
// riglets and in a riglet with every catalogued type, reads the series the table
// says CloudWatch publishes for the type of the resource it watches; and every entry
// is written at least once, so no row goes untested.
func TestWrittenAlarmsMatchCloudWatch(t *testing.T) {
	written := map[string]bool{}
	check := func(t *testing.T, file string, data []byte) {
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		rs := lookup(doc.Content[0], "Resources")
		types := map[string]string{}
		for i := 0; rs != nil && i+1 < len(rs.Content); i += 2 {
			types[rs.Content[i].Value] = kindOf(rs.Content[i+1])
		}
		for i := 0; rs != nil && i+1 < len(rs.Content); i += 2 {
			id, r := rs.Content[i].Value, rs.Content[i+1]
			name := lookup(lookup(lookup(r, "Metadata"), "riglet"), "alarm")
			if types[id] != "AWS::CloudWatch::Alarm" || name == nil {
				continue // not a catalogue alarm
			}
			row, ok := cloudWatch[name.Value]
			if !ok {
				t.Errorf("%s: %s writes alarm %s, which the table lacks", file, id, name.Value)
				continue
			}
			written[name.Value] = true
			if watched := types[strings.TrimSuffix(id, name.Value)]; watched != row.Type {
				t.Errorf("%s: %s watches a %s; %s is for %s", file, id, watched, name.Value, row.Type)
			}
			props := lookup(r, "Properties")
			metrics := []*yaml.Node{props}
			if ms := lookup(props, "Metrics"); ms != nil {
				metrics = nil
				for _, m := range ms.Content {
					if st := lookup(m, "MetricStat"); st != nil {
						metrics = append(metrics, lookup(st, "Metric"))
					}
				}
			}
			for _, m := range metrics {
				ns, metric := lookup(m, "Namespace"), lookup(m, "MetricName")
				var dims []string
				if ds := lookup(m, "Dimensions"); ds != nil {
					for _, d := range ds.Content {
						dims = append(dims, lookup(d, "Name").Value)
					}
				}
				sort.Strings(dims)
				if ns == nil || metric == nil || ns.Value != row.Namespace || metric.Value != row.Metric || !slices.Equal(dims, row.Dims) {
					t.Errorf("%s: %s reads %v %v %v; CloudWatch publishes %s %s %v", file, id, text2(ns), text2(metric), dims, row.Namespace, row.Metric, row.Dims)
				}
			}
		}
	}
	specs, _ := filepath.Glob("../riglets/*.yaml")
	if len(specs) == 0 {
		t.Fatal("no example riglets")
	}
	for _, spec := range specs {
		res, err := compiler.Compile(os.DirFS(".."), blocks.FS, "riglets/"+filepath.Base(spec), compiler.Options{})
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		for _, f := range res.Files() {
			if strings.HasSuffix(f.Path, ".yaml") {
				check(t, f.Path, f.Data)
			}
		}
	}
	fsys := fstest.MapFS{
		"envs/dev.yaml":                {Data: []byte(strings.Replace(demoEnv, "{SqsQueueDepth: 10}", "{SqsQueueDepth: 10, SqsLowMessagesSent: 1, SnsNotificationsFailed: 0}", 1))},
		"riglets/demo.yaml":            {Data: []byte("riglet: demo\nowner: acme\nenvs: [dev]\nstacks:\n  base:\n    blocks:\n      ops: {block: ops-topic}\n      all: {block: everything}\n")},
		"blocks/everything/block.yaml": {Data: []byte(everything)},
	}
	res, err := compiler.Compile(fsys, blocks.FS, "riglets/demo.yaml", compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Files() {
		if strings.HasSuffix(f.Path, ".yaml") {
			check(t, f.Path, f.Data)
		}
	}
	for name := range cloudWatch {
		if !written[name] {
			t.Errorf("no compile wrote alarm %s: the riglet with every type misses a resource it applies to", name)
		}
	}
}

func text2(n *yaml.Node) string {
	if n == nil {
		return "<none>"
	}
	return n.Value
}

// kindOf is a resource's type, with the kind of load balancing for a load balancer
// (its Type) or a target group (its Protocol).
func kindOf(r *yaml.Node) string {
	t := lookup(r, "Type").Value
	props := lookup(r, "Properties")
	switch t {
	case "AWS::ElasticLoadBalancingV2::LoadBalancer":
		if v := lookup(props, "Type"); v != nil && v.Value != "application" {
			return t + "/" + v.Value
		}
		return t + "/application"
	case "AWS::ElasticLoadBalancingV2::TargetGroup":
		switch v := lookup(props, "Protocol"); {
		case v == nil || v.Value == "HTTP" || v.Value == "HTTPS":
			return t + "/application"
		case v.Value == "GENEVE":
			return t + "/gateway"
		}
		return t + "/network"
	}
	return t
}

package alarms_test

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/ir"
)

// watched is one catalogue alarm as compiled: the resource it watches, its metric
// and its dimensions, each value rendered as YAML would show it (tag and value).
type watched struct {
	Stack, Alarm, Namespace, Metric string
	Dims                            map[string]string
}

// render writes a YAML node compactly: !Tag value, [a, b], {k: v}.
func render(n *yaml.Node) string {
	tag := ""
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		tag = n.Tag + " "
	}
	switch n.Kind {
	case yaml.SequenceNode:
		var is []string
		for _, c := range n.Content {
			is = append(is, render(c))
		}
		return tag + "[" + strings.Join(is, ", ") + "]"
	case yaml.MappingNode:
		var ps []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			ps = append(ps, n.Content[i].Value+": "+render(n.Content[i+1]))
		}
		return tag + "{" + strings.Join(ps, ", ") + "}"
	}
	return tag + n.Value
}

// compileWatched compiles riglet demo and returns its catalogue alarms by logical ID
// (stack/ID), from every stack of env dev.
func compileWatched(t *testing.T, fsys fstest.MapFS) (map[string]watched, error) {
	t.Helper()
	res, err := compiler.Compile(fsys, blocks.FS, "riglets/demo.yaml", compiler.Options{})
	if err != nil {
		return nil, err
	}
	got := map[string]watched{}
	for _, f := range res.Files() {
		if !strings.Contains(f.Path, "/dev/") || !strings.HasSuffix(f.Path, ".yaml") {
			continue
		}
		stack := strings.TrimSuffix(f.Path[strings.LastIndex(f.Path, "/")+1:], ".yaml")
		var doc yaml.Node
		if err := yaml.Unmarshal(f.Data, &doc); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		rs := lookup(doc.Content[0], "Resources")
		for i := 0; rs != nil && i+1 < len(rs.Content); i += 2 {
			r := rs.Content[i+1]
			if v := lookup(r, "Type"); v == nil || v.Value != "AWS::CloudWatch::Alarm" {
				continue
			}
			props := lookup(r, "Properties")
			w := watched{Stack: stack, Dims: map[string]string{}}
			if a := lookup(lookup(lookup(r, "Metadata"), "riglet"), "alarm"); a != nil {
				w.Alarm = a.Value
			}
			if ns := lookup(props, "Namespace"); ns != nil {
				w.Namespace, w.Metric = ns.Value, lookup(props, "MetricName").Value
			}
			if ds := lookup(props, "Dimensions"); ds != nil {
				for _, d := range ds.Content {
					w.Dims[lookup(d, "Name").Value] = render(lookup(d, "Value"))
				}
			}
			got[stack+"/"+rs.Content[i].Value] = w
		}
	}
	return got, nil
}

const demoEnv = `env: dev
account: "111122223333"
region: us-east-1
azs: [us-east-1a, us-east-1b]
cidr: 10.9.0.0/16
alarms:
  thresholds: {SqsQueueDepth: 10}
`

// demo is a riglet of one ops topic and the given stacks (YAML under stacks:), with
// the given user blocks.
func demo(stacks string, blockFiles map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"envs/dev.yaml":     {Data: []byte(demoEnv)},
		"riglets/demo.yaml": {Data: []byte("riglet: demo\nowner: acme\nenvs: [dev]\nstacks:\n  base:\n    blocks:\n      ops: {block: ops-topic}\n" + stacks)},
	}
	for name, body := range blockFiles {
		fsys["blocks/"+name+"/block.yaml"] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

// alarmsOf lists "<alarm> <namespace>/<metric> <dims>" for the alarms whose logical
// ID starts with stack/prefix, sorted.
func alarmsOf(got map[string]watched, stackPrefix string) []string {
	var out []string
	for id, w := range got {
		if !strings.HasPrefix(id, stackPrefix) {
			continue
		}
		var ds []string
		for k, v := range w.Dims {
			ds = append(ds, k+"="+v)
		}
		sort.Strings(ds)
		out = append(out, fmt.Sprintf("%s %s/%s %s", w.Alarm, w.Namespace, w.Metric, strings.Join(ds, " ")))
	}
	sort.Strings(out)
	return out
}

const nlbBlock = `Resources:
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Type: network, Subnets: [subnet-1, subnet-2]}
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Protocol: TCP, Port: 5432, VpcId: vpc-1}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
      Protocol: TCP
      Port: 5432
      DefaultActions: [{Type: forward, TargetGroupArn: !Ref Tg}]
`

// TestNetworkLoadBalancer: an NLB and its TCP target group get AWS/NetworkELB alarms
// with the dimensions it publishes, and no AWS/ApplicationELB alarm, which could
// never fire (issue 10, item 8).
func TestNetworkLoadBalancer(t *testing.T) {
	got, err := compileWatched(t, demo("  db:\n    blocks:\n      n: {block: nlb}\n", map[string]string{"nlb": nlbBlock}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"NlbElbResets AWS/NetworkELB/TCP_ELB_Reset_Count LoadBalancer=!GetAtt NLb.LoadBalancerFullName",
		"NlbTargetResets AWS/NetworkELB/TCP_Target_Reset_Count LoadBalancer=!GetAtt NLb.LoadBalancerFullName",
		"NlbUnhealthyHosts AWS/NetworkELB/UnHealthyHostCount LoadBalancer=!GetAtt NLb.LoadBalancerFullName TargetGroup=!GetAtt NTg.TargetGroupFullName",
	}
	if d := cmp.Diff(want, alarmsOf(got, "db/")); d != "" {
		t.Errorf("alarms of the NLB (-want +got):\n%s", d)
	}
}

const ecsBlock = `Parameters:
  Cluster: {Type: String, Default: ""}
Conditions:
  HasCluster: !Not [!Equals [!Ref Cluster, ""]]
Resources:
  Svc:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !If [HasCluster, !Ref Cluster, !Ref AWS::NoValue]
      TaskDefinition: arn:aws:ecs:us-east-1:111122223333:task-definition/x:1
`

// TestEcsClusterName: the ClusterName dimension is the cluster's name whatever the
// service's Cluster holds: a name, a literal ARN folded at compile time, a deploy-time
// ARN split at deploy time, nothing (the default cluster) (issue 10, item 9).
func TestEcsClusterName(t *testing.T) {
	cases := []struct{ name, params, want string }{
		{"a name", `{Cluster: web}`, "web"},
		{"a literal ARN", `{Cluster: "arn:aws:ecs:us-east-1:111122223333:cluster/web"}`, "web"},
		{"none: the default cluster", `{}`, "default"},
		{"an imported ARN", `{Cluster: !ImportValue shared-cluster-arn}`, "!Select [1, !Split [/, !GetAtt ESvc.ServiceArn]]"},
		{"a dynamic reference", `{Cluster: "{{resolve:ssm:/ecs/cluster}}"}`, "!Select [1, !Split [/, !GetAtt ESvc.ServiceArn]]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := compileWatched(t, demo("  app:\n    blocks:\n      e: {block: svc, params: "+c.params+"}\n", map[string]string{"svc": ecsBlock}))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for id, w := range got {
				if w.Namespace != "AWS/ECS" {
					continue
				}
				n++
				if w.Dims["ClusterName"] != c.want {
					t.Errorf("%s: ClusterName = %s, want %s", id, w.Dims["ClusterName"], c.want)
				}
				if w.Dims["ServiceName"] != "!GetAtt ESvc.Name" || len(w.Dims) != 2 {
					t.Errorf("%s: dimensions %v, want ClusterName and ServiceName", id, w.Dims)
				}
			}
			if n != 2 {
				t.Errorf("%d ECS alarms, want 2 (CPU, memory)", n)
			}
		})
	}
}

// TestEcsClusterArnInStack: a Cluster given as the GetAtt of a cluster's Arn is
// split at deploy time; its Ref (the name) is kept.
func TestEcsClusterArnInStack(t *testing.T) {
	block := `Resources:
  Cl:
    Type: AWS::ECS::Cluster
  ByArn:
    Type: AWS::ECS::Service
    Properties: {Cluster: !GetAtt Cl.Arn, TaskDefinition: td}
  ByRef:
    Type: AWS::ECS::Service
    Properties: {Cluster: !Ref Cl, TaskDefinition: td}
`
	got, err := compileWatched(t, demo("  app:\n    blocks:\n      e: {block: svc}\n", map[string]string{"svc": block}))
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"app/EByArnEcsServiceCpu": "!Select [1, !Split [cluster/, !GetAtt ECl.Arn]]",
		"app/EByRefEcsServiceCpu": "!Ref ECl",
	} {
		if got[id].Dims["ClusterName"] != want {
			t.Errorf("%s: ClusterName = %q, want %q", id, got[id].Dims["ClusterName"], want)
		}
	}
}

// TestDeadLetterAcrossStacks: a queue whose ARN another stack imports into its
// RedrivePolicy is a dead-letter queue: "not empty", and neither depth nor age
// (issue 10, item 10).
func TestDeadLetterAcrossStacks(t *testing.T) {
	dlq := "Resources:\n  Q:\n    Type: AWS::SQS::Queue\nOutputs:\n  Arn: {Value: !GetAtt Q.Arn}\n"
	src := `Parameters:
  DlqArn: {Type: String}
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {deadLetterTargetArn: !Ref DlqArn, maxReceiveCount: 3}
`
	stacks := "  dead:\n    blocks:\n      d: {block: dlq}\n  work:\n    blocks:\n      w: {block: src, params: {DlqArn: !Output dead.d.Arn}}\n"
	got, err := compileWatched(t, demo(stacks, map[string]string{"dlq": dlq, "src": src}))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"SqsDeadLetterNotEmpty AWS/SQS/ApproximateNumberOfMessagesVisible QueueName=!GetAtt DQ.QueueName"}, alarmsOf(got, "dead/")); d != "" {
		t.Errorf("alarms of the dead-letter queue (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{
		"SqsOldestMessage AWS/SQS/ApproximateAgeOfOldestMessage QueueName=!GetAtt WQ.QueueName",
		"SqsQueueDepth AWS/SQS/ApproximateNumberOfMessagesVisible QueueName=!GetAtt WQ.QueueName",
	}, alarmsOf(got, "work/")); d != "" {
		t.Errorf("alarms of the source queue (-want +got):\n%s", d)
	}
}

// TestDeadLetterByLiteralArn: a RedrivePolicy may give the dead-letter queue's ARN as
// a literal; the queue of that name, in another stack, is the dead-letter queue.
func TestDeadLetterByLiteralArn(t *testing.T) {
	dlq := "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: acme-dead}\n"
	src := "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy: {deadLetterTargetArn: \"arn:aws:sqs:us-east-1:111122223333:acme-dead\", maxReceiveCount: 3}\n"
	stacks := "  dead:\n    blocks:\n      d: {block: dlq}\n  work:\n    blocks:\n      w: {block: src}\n"
	got, err := compileWatched(t, demo(stacks, map[string]string{"dlq": dlq, "src": src}))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"SqsDeadLetterNotEmpty AWS/SQS/ApproximateNumberOfMessagesVisible QueueName=!GetAtt DQ.QueueName"}, alarmsOf(got, "dead/")); d != "" {
		t.Errorf("alarms of the dead-letter queue (-want +got):\n%s", d)
	}
}

// TestReservationByCapacity: CPU and memory reservation alarms go to clusters with EC2
// capacity (an EC2 capacity provider, or instances that register), whatever else
// sits in the stack (issue 10, item 12).
func TestReservationByCapacity(t *testing.T) {
	asg := `  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties: {MinSize: "1", MaxSize: "2", LaunchTemplate: {LaunchTemplateId: lt-1, Version: "1"}}
`
	cases := []struct {
		name, resources string
		ec2             bool
	}{
		{"Fargate providers, an unrelated group beside", "  Cl:\n    Type: AWS::ECS::Cluster\n    Properties: {CapacityProviders: [FARGATE, FARGATE_SPOT]}\n" + asg, false},
		{"no providers, an unrelated group beside", "  Cl:\n    Type: AWS::ECS::Cluster\n" + asg, false},
		{"Fargate through an association", "  Cl:\n    Type: AWS::ECS::Cluster\n  Assoc:\n    Type: AWS::ECS::ClusterCapacityProviderAssociations\n    Properties: {Cluster: !Ref Cl, CapacityProviders: [FARGATE], DefaultCapacityProviderStrategy: [{CapacityProvider: FARGATE}]}\n" + asg, false},
		{"an EC2 provider through an association", "  Cl:\n    Type: AWS::ECS::Cluster\n  Cp:\n    Type: AWS::ECS::CapacityProvider\n    Properties: {AutoScalingGroupProvider: {AutoScalingGroupArn: !Ref Group}}\n  Assoc:\n    Type: AWS::ECS::ClusterCapacityProviderAssociations\n    Properties: {Cluster: !Ref Cl, CapacityProviders: [!Ref Cp], DefaultCapacityProviderStrategy: [{CapacityProvider: !Ref Cp}]}\n" + asg, true},
		{"instances that register by user data", "  Cl:\n    Type: AWS::ECS::Cluster\n  Lt:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n      LaunchTemplateData:\n        UserData: !Base64 {\"Fn::Sub\": \"echo ECS_CLUSTER=${Cl} >> /etc/ecs/ecs.config\"}\n" + asg, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := compileWatched(t, demo("  compute:\n    blocks:\n      c: {block: cl}\n", map[string]string{"cl": "Resources:\n" + c.resources}))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			if c.ec2 {
				want = []string{
					"EcsClusterCpuReservation AWS/ECS/CPUReservation ClusterName=!Ref CCl",
					"EcsClusterMemoryReservation AWS/ECS/MemoryReservation ClusterName=!Ref CCl",
				}
			}
			if d := cmp.Diff(want, alarmsOf(got, "compute/CCl")); d != "" {
				t.Errorf("alarms of the cluster (-want +got):\n%s", d)
			}
		})
	}
}

// TestExternalListener: a service on a listener riglet does not own gets its target
// group alarms with the LoadBalancerFullName it is given (issue 10, item 13).
func TestExternalListener(t *testing.T) {
	stacks := `  app:
    blocks:
      web:
        block: ecs-service
        params:
          LaunchType: FARGATE
          ClusterName: web
          VpcId: vpc-12345678
          SubnetIds: [subnet-12345678, subnet-23456789]
          ListenerArn: arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/edge/50dc6c495c0c9188/f2f7dc8efc522ab2
          LoadBalancerFullName: app/edge/50dc6c495c0c9188
          ListenerRulePriority: 10
          Image: acme/web
          ContainerPort: 8080
`
	got, err := compileWatched(t, demo(stacks, nil))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for id, w := range got {
		if w.Namespace != "AWS/ApplicationELB" {
			continue
		}
		n++
		want := map[string]string{"TargetGroup": "!GetAtt WebTargetGroup.TargetGroupFullName", "LoadBalancer": "app/edge/50dc6c495c0c9188"}
		if d := cmp.Diff(want, w.Dims); d != "" {
			t.Errorf("%s dimensions (-want +got):\n%s", id, d)
		}
	}
	if n != 4 {
		t.Errorf("%d target group alarms, want 4", n)
	}
}

// TestUnknownNames: a threshold set by a name that names nothing is an error at the
// name, with a "did you mean" or the names that would be right (issue 10, item 14).
func TestUnknownNames(t *testing.T) {
	cases := []struct {
		name, env, instance string
		err                 []string // the first line's position, then parts of it
	}{
		{name: "env typo", env: "  thresholds: {SqsQueueDepth: 5, SqsQueueDeptth: 5}\n",
			err: []string{"envs/dev.yaml:8:34:", "SqsQueueDeptth", `did you mean "SqsQueueDepth"`}},
		{name: "no such resource", instance: "        alarms: {Nope: {LambdaErrors: 1}}\n",
			err: []string{"riglets/demo.yaml:12:18:", "no resource Nope", "DeadLetterQueue, Queue"}},
		{name: "resource typo", instance: "        alarms: {Queu: {SqsQueueDepth: 1}}\n",
			err: []string{"riglets/demo.yaml:12:18:", "no resource Queu", `did you mean "Queue"`}},
		{name: "no such alarm", instance: "        alarms: {Queue: {Bogus: 2}}\n",
			err: []string{"riglets/demo.yaml:12:26:", "no catalogue alarm Bogus", "SqsQueueDepth, SqsOldestMessage"}},
		{name: "another type's alarm", instance: "        alarms: {Queue: {LambdaErrors: 1}}\n",
			err: []string{"riglets/demo.yaml:12:26:", "LambdaErrors is an alarm of AWS::Lambda::Function", "Queue is AWS::SQS::Queue"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := c.env
			if env == "" {
				env = "  thresholds: {SqsQueueDepth: 5}\n"
			}
			_, err := compileAlarms(t, riglet("  profile: all\n"+env, c.instance))
			if err == nil {
				t.Fatalf("no error; want %q", c.err)
			}
			first := strings.Split(err.Error(), "\n")[0]
			if !strings.HasPrefix(first, c.err[0]) {
				t.Errorf("error\n\t%s\nwant at %s", first, c.err[0])
			}
			for _, part := range c.err[1:] {
				if !strings.Contains(first, part) {
					t.Errorf("error\n\t%s\ndoes not say %q", first, part)
				}
			}
			var errs ir.Errors
			if !errors.As(err, &errs) || len(errs) == 0 || errs[0].Code != ir.CodeAlarm {
				t.Errorf("error %v is not one ir.Error of code %s", err, ir.CodeAlarm)
			}
		})
	}
}

// TestServiceQueueKey: the key the service-queue block's docs give is the one that
// sets its queue's threshold.
func TestServiceQueueKey(t *testing.T) {
	data, err := fs.ReadFile(blocks.FS, "service-queue/block.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "alarms: {ServiceQueueQueueQueue: {SqsQueueDepth: N}}") {
		t.Fatalf("the service-queue docs no longer name ServiceQueueQueueQueue; update this test with them")
	}
	stacks := `  app:
    blocks:
      worker:
        block: ecs-service
        params: {LaunchType: FARGATE, ClusterName: web, VpcId: vpc-12345678, SubnetIds: [subnet-12345678, subnet-23456789], Image: acme/worker, ContainerPort: 8080}
        with: [service-queue]
        alarms: {ServiceQueueQueueQueue: {SqsQueueDepth: 42}}
`
	fsys := demo(stacks, nil)
	fsys["envs/dev.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(demoEnv, "  thresholds: {SqsQueueDepth: 10}\n", "  profile: all\n", 1))}
	got, err := compileWatched(t, fsys)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := got["app/WorkerServiceQueueQueueQueueSqsQueueDepth"]; !ok || a.Alarm != "SqsQueueDepth" {
		t.Fatalf("no SqsQueueDepth alarm on the service queue: %v", alarmsOf(got, "app/"))
	}
}

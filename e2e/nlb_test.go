//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// grpcRiglet is a gRPC service behind an internal TLS network load balancer, beside a
// nightly scheduled task, as a team would write them.
const grpcRiglet = `riglet: grpc
owner: acme
envs: [staging]
stacks:
  foundation:
    blocks:
      network: {block: vpc}
      ops: {block: ops-topic}
      grpc:
        block: nlb
        params: {TargetPort: 50051, AlpnPolicy: HTTP2Only}
  compute:
    blocks:
      cluster: {block: ecs-cluster, params: {LaunchType: FARGATE}}
  app-api:
    blocks:
      api:
        block: ecs-service
        params:
          LaunchType: FARGATE
          Image: example/api
          ContainerPort: 50051
          NlbTargetGroupArn: !Output foundation.grpc.TargetGroupArn
          NlbSecurityGroupId: !Output foundation.grpc.SecurityGroupId
  jobs:
    blocks:
      report:
        block: ecs-scheduled-task
        params:
          LaunchType: FARGATE
          Image: example/report
          ScheduleExpression: cron(0 3 * * ? *)
          ScheduleExpressionTimezone: Europe/London
`

// TestNlbAndScheduledTask deploys the nlb and ecs-scheduled-task blocks to moto through
// the Makefile and checks what moto models: the network load balancer, its TLS listener
// with the env's certificate and TCP target group (and its security
// group's ingress), the service in its cluster admitting the NLB's group alone, and the
// task's dead-letter queue, role and closed security group. moto's CloudFormation does
// not model schedules (the schedule and its group are placeholders, asserted on only as
// stack resources), egress rules or a service's load balancers.
func TestNlbAndScheduledTask(t *testing.T) {
	w := newWorld(t)
	w.riglets = []string{"grpc"}
	var cert struct{ CertificateArn string }
	w.aws(&cert, "acm", "request-certificate", "--domain-name", "staging.twig.example.com")
	w.edit("envs/staging.yaml", "certificate: arn:aws:acm:us-west-2:123456789012:certificate/abcd-1234", "certificate: "+cert.CertificateArn)
	if err := os.MkdirAll(filepath.Join(w.repo, "riglets"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.repo, "riglets", "grpc.yaml"), []byte(grpcRiglet), 0o644); err != nil {
		t.Fatal(err)
	}
	w.mustMake("compile", "RIGLET=grpc")
	w.commit("a gRPC service behind an NLB, and a nightly job")
	w.mustMake("create-environment", "ENV=staging", "RIGLET=grpc", "IMAGE_TAG=1")
	m := w.manifest("grpc", "staging")
	live := w.stacks()
	for _, s := range m.Stacks {
		if st := live[s.StackName].StackStatus; st != "CREATE_COMPLETE" {
			t.Fatalf("stack %s: %q, want CREATE_COMPLETE", s.StackName, st)
		}
	}
	physical := func(stack, id string) string {
		var res struct {
			StackResourceDetail struct{ PhysicalResourceId string }
		}
		w.aws(&res, "cloudformation", "describe-stack-resource", "--stack-name", m.stackName(stack), "--logical-resource-id", id)
		return res.StackResourceDetail.PhysicalResourceId
	}
	type rule struct {
		IpProtocol       string
		FromPort, ToPort int
		IpRanges         []struct{ CidrIp string }
		UserIdGroupPairs []struct{ GroupId string }
	}
	group := func(id string) (in, out []rule) {
		var sgs struct {
			SecurityGroups []struct{ IpPermissions, IpPermissionsEgress []rule }
		}
		w.aws(&sgs, "ec2", "describe-security-groups", "--group-ids", id)
		if len(sgs.SecurityGroups) != 1 {
			t.Fatalf("security group %s: %d in moto", id, len(sgs.SecurityGroups))
		}
		return sgs.SecurityGroups[0].IpPermissions, sgs.SecurityGroups[0].IpPermissionsEgress
	}
	cidr := w.lock("grpc").Network["staging"].Cidr

	t.Run("network load balancer", func(t *testing.T) {
		lbArn := physical("foundation", "GrpcLoadBalancer")
		var lbs struct {
			LoadBalancers []struct{ Type, Scheme string }
		}
		w.aws(&lbs, "elbv2", "describe-load-balancers", "--load-balancer-arns", lbArn)
		if len(lbs.LoadBalancers) != 1 || lbs.LoadBalancers[0].Type != "network" || lbs.LoadBalancers[0].Scheme != "internal" {
			t.Errorf("load balancer %s: %+v, want one internal network load balancer", lbArn, lbs.LoadBalancers)
		}
		var ls struct {
			Listeners []struct {
				Protocol, SslPolicy string
				Port                int
				Certificates        []struct{ CertificateArn string }
				DefaultActions      []struct{ Type, TargetGroupArn string }
			}
		}
		w.aws(&ls, "elbv2", "describe-listeners", "--load-balancer-arn", lbArn)
		tgArn := physical("foundation", "GrpcTargetGroup")
		if len(ls.Listeners) != 1 {
			t.Fatalf("%d listeners, want 1", len(ls.Listeners))
		}
		l := ls.Listeners[0]
		if l.Protocol != "TLS" || l.Port != 443 || l.SslPolicy != "ELBSecurityPolicy-TLS13-1-2-2021-06" ||
			len(l.Certificates) != 1 || l.Certificates[0].CertificateArn != cert.CertificateArn ||
			len(l.DefaultActions) != 1 || l.DefaultActions[0].TargetGroupArn != tgArn {
			t.Errorf("listener %+v, want TLS on 443 with the env's certificate, forwarding to %s", l, tgArn)
		}
		var tgs struct {
			TargetGroups []struct {
				Protocol, TargetType, HealthCheckProtocol string
				Port                                      int
			}
		}
		w.aws(&tgs, "elbv2", "describe-target-groups", "--target-group-arns", tgArn)
		if len(tgs.TargetGroups) != 1 || tgs.TargetGroups[0].Protocol != "TCP" || tgs.TargetGroups[0].Port != 50051 ||
			tgs.TargetGroups[0].TargetType != "ip" || tgs.TargetGroups[0].HealthCheckProtocol != "TCP" {
			t.Errorf("target group %s: %+v, want TCP ip targets on 50051, TCP health checks", tgArn, tgs.TargetGroups)
		}
		// (moto's CloudFormation keeps no SecurityGroupEgress: the templates' egress is
		// checked by blocks' TestNlbIsTightBothWays)
		in, _ := group(physical("foundation", "GrpcSecurityGroup"))
		if len(in) != 1 || in[0].FromPort != 443 || in[0].ToPort != 443 || len(in[0].IpRanges) != 1 || in[0].IpRanges[0].CidrIp != cidr {
			t.Errorf("NLB ingress %+v, want 443 from the VPC %s alone", in, cidr)
		}
	})

	t.Run("service behind the NLB", func(t *testing.T) {
		arn := physical("app-api", "ApiService")
		parts := strings.Split(arn, "/")
		if len(parts) != 3 {
			t.Fatalf("service %q: not an ECS service ARN with its cluster", arn)
		}
		// moto's CloudFormation keeps no LoadBalancers of a service: that the service
		// exists in the cluster, and admits the NLB's group, is what it can show
		var svcs struct{ Services []struct{ ServiceArn string } }
		w.aws(&svcs, "ecs", "describe-services", "--cluster", parts[1], "--services", arn)
		if len(svcs.Services) != 1 {
			t.Errorf("service %s: %d in moto, want 1", arn, len(svcs.Services))
		}
		in, _ := group(physical("app-api", "ApiSecurityGroup"))
		nlbGroup := physical("foundation", "GrpcSecurityGroup")
		if len(in) != 1 || in[0].FromPort != 50051 || len(in[0].IpRanges) != 0 ||
			len(in[0].UserIdGroupPairs) != 1 || in[0].UserIdGroupPairs[0].GroupId != nlbGroup {
			t.Errorf("service ingress %+v, want 50051 from the NLB's group %s alone", in, nlbGroup)
		}
	})

	t.Run("scheduled task", func(t *testing.T) {
		url := physical("jobs", "ReportDeadLetterQueue")
		var attrs struct{ Attributes map[string]string }
		w.aws(&attrs, "sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "All")
		if attrs.Attributes["SqsManagedSseEnabled"] != "true" || attrs.Attributes["MessageRetentionPeriod"] != "1209600" {
			t.Errorf("dead-letter queue %s: %v, want SQS-managed encryption and 14 days", url, attrs.Attributes)
		}
		var role struct {
			Role struct{ AssumeRolePolicyDocument any }
		}
		w.aws(&role, "iam", "get-role", "--role-name", physical("jobs", "ReportScheduleRole"))
		if doc := fmt.Sprint(role.Role.AssumeRolePolicyDocument); !strings.Contains(doc, "scheduler.amazonaws.com") {
			t.Errorf("the schedule's role trusts %s, want scheduler.amazonaws.com", doc)
		}
		if in, _ := group(physical("jobs", "ReportSecurityGroup")); len(in) != 0 {
			t.Errorf("task group: ingress %+v, want none", in)
		}
		for _, id := range []string{"ReportSchedule", "ReportScheduleGroup"} {
			if physical("jobs", id) == "" {
				t.Errorf("stack jobs has no %s", id)
			}
		}
	})
}

// Package benchgen writes a riglet of N services over three envs, for benchmarks:
// one foundation stack with as many ALBs as AWS's quotas (100 rules and 100 target
// groups per load balancer) need, a compute stack, and one stack per service, so the
// generated riglet is one a team could deploy.
package benchgen

import (
	"fmt"
	"strings"
)

// PerLoadBalancer is how many services share one ALB: AWS's default quota of rules
// (and target groups) per load balancer.
const PerLoadBalancer = 100

// Files returns the riglet's source files (envs/, riglets/bench.yaml), paths relative
// to its root. The blocks are the built-in ones.
func Files(n int) map[string][]byte {
	files := map[string][]byte{}
	for i, env := range []string{"integration", "staging", "production"} {
		files["envs/"+env+".yaml"] = []byte(fmt.Sprintf(`env: %s
account: "123456789012"
region: us-east-1
azs: [us-east-1a, us-east-1b, us-east-1c]
cidr: 10.%d.0.0/16
domain: %s.bench.example.com
certificate: arn:aws:acm:us-east-1:123456789012:certificate/bench-%d
alarms:
  email: ops@example.com
params:
  LaunchType: FARGATE
`, env, 40+i, env, i))
	}
	lbs := (n + PerLoadBalancer - 1) / PerLoadBalancer
	var b strings.Builder
	b.WriteString(`riglet: bench
owner: perf
envs: [integration, staging, production]
stacks:
  foundation:
    blocks:
      network: {block: vpc}
      ops: {block: ops-topic}
`)
	for l := 0; l < lbs; l++ {
		fmt.Fprintf(&b, "      alb%d: {block: alb}\n", l)
	}
	b.WriteString(`  compute:
    blocks:
      cluster: {block: ecs-cluster}
`)
	for i := 0; i < n; i++ {
		alb := fmt.Sprintf("foundation.alb%d", i/PerLoadBalancer)
		fmt.Fprintf(&b, `  app-svc%d:
    blocks:
      service:
        block: ecs-service
        params:
          Image: example/svc%d
          ContainerPort: 8080
          HealthCheckPath: /health
          PathPattern: /svc%d/*
          ListenerArn: !Output %s.ServiceListenerArn
          LoadBalancerSecurityGroupId: !Output %s.SecurityGroupId
          LoadBalancerFullName: !Output %s.LoadBalancerFullName
`, i, i, i, alb, alb, alb)
		if i%3 == 0 {
			b.WriteString("        with: [autoscale]\n")
		}
	}
	files["riglets/bench.yaml"] = []byte(b.String())
	return files
}

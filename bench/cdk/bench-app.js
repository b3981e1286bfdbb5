// The benchmark riglet's shape as a CDK app (internal/benchgen): three envs, each with a
// foundation stack (a VPC over three AZs, an ops topic, one internet-facing ALB with an
// HTTPS listener per 100 services), a compute stack (an ECS cluster) and one stack per
// service (a Fargate service with its task definition, logs, target group, listener
// rule, security group rule from the ALB, six alarms to the ops topic as riglet's
// catalogue gives an ECS service behind an ALB: CPU, memory, 5xx, unhealthy hosts,
// response time, connection errors; and CPU target tracking on every third service). make bench times
// `node bench-app.js N OUTDIR` (what `cdk synth` runs, without the CLI) against
// `riglet compile` of the same N: a benchmark of riglet, not a product dependency.
//
//   node bench-app.js 200 /tmp/cdk.out
const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const ecs = require('aws-cdk-lib/aws-ecs');
const elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');
const sns = require('aws-cdk-lib/aws-sns');
const subs = require('aws-cdk-lib/aws-sns-subscriptions');
const cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
const actions = require('aws-cdk-lib/aws-cloudwatch-actions');
const logs = require('aws-cdk-lib/aws-logs');

const n = Number(process.argv[2]);
const outdir = process.argv[3];
if (!Number.isInteger(n) || n < 1 || !outdir) {
  console.error('usage: node bench-app.js SERVICES OUTDIR');
  process.exit(2);
}
const perLoadBalancer = 100; // AWS's default quota of rules per load balancer
const app = new cdk.App({ outdir });
['integration', 'staging', 'production'].forEach((name, i) => {
  const env = { account: '123456789012', region: 'us-east-1' };
  const foundation = new cdk.Stack(app, `bench-${name}-foundation`, { env });
  const vpc = new ec2.Vpc(foundation, 'Network', {
    ipAddresses: ec2.IpAddresses.cidr(`10.${40 + i}.0.0/16`),
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    natGateways: 3,
  });
  const topic = new sns.Topic(foundation, 'Ops');
  topic.addSubscription(new subs.EmailSubscription('ops@example.com'));
  const certificate = elbv2.ListenerCertificate.fromArn(`arn:aws:acm:us-east-1:123456789012:certificate/bench-${i}`);
  const lbs = [];
  for (let l = 0; l < Math.ceil(n / perLoadBalancer); l++) {
    const alb = new elbv2.ApplicationLoadBalancer(foundation, `Alb${l}`, { vpc, internetFacing: true });
    const listener = alb.addListener('Https', {
      port: 443,
      certificates: [certificate],
      defaultAction: elbv2.ListenerAction.fixedResponse(404),
    });
    lbs.push({ alb, listener });
  }
  const compute = new cdk.Stack(app, `bench-${name}-compute`, { env });
  const cluster = new ecs.Cluster(compute, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  for (let s = 0; s < n; s++) {
    const stack = new cdk.Stack(app, `bench-${name}-app-svc${s}`, { env });
    const { alb, listener } = lbs[Math.floor(s / perLoadBalancer)];
    const task = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    task.addContainer('App', {
      image: ecs.ContainerImage.fromRegistry(`example/svc${s}`),
      portMappings: [{ containerPort: 8080 }],
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'app',
        logGroup: new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_MONTH }),
      }),
    });
    const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition: task, desiredCount: 2 });
    service.connections.allowFrom(alb, ec2.Port.tcp(8080));
    const targets = new elbv2.ApplicationTargetGroup(stack, 'Targets', {
      vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP,
      healthCheck: { path: '/health' },
    });
    service.attachToApplicationTargetGroup(targets);
    new elbv2.ApplicationListenerRule(stack, 'Rule', {
      listener, priority: (s % perLoadBalancer) + 1,
      conditions: [elbv2.ListenerCondition.pathPatterns([`/svc${s}/*`])],
      targetGroups: [targets],
    });
    const alarm = (id, metric, threshold) => new cloudwatch.Alarm(stack, id, {
      metric, threshold, evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    }).addAlarmAction(new actions.SnsAction(topic));
    alarm('Cpu', service.metricCpuUtilization(), 90);
    alarm('Memory', service.metricMemoryUtilization(), 90);
    alarm('Errors', targets.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT), 10);
    alarm('Unhealthy', targets.metrics.unhealthyHostCount(), 1);
    alarm('ResponseTime', targets.metrics.targetResponseTime(), 2);
    alarm('ConnectionErrors', targets.metrics.custom('TargetConnectionErrorCount', { statistic: 'Sum' }), 10);
    if (s % 3 === 0) {
      service.autoScaleTaskCount({ minCapacity: 2, maxCapacity: 10 })
        .scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
    }
  }
});
app.synth();

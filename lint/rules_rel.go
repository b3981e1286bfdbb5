package lint

import "github.com/riglet/riglet/ir"

// The reliability family.

// dlqs maps each queue that another queue's RedrivePolicy, or a schedule's
// DeadLetterConfig, targets to its sources.
func dlqs(e *Env) map[string][]*Resource {
	out := map[string][]*Resource{}
	for _, q := range e.resourcesOf("AWS::SQS::Queue", "AWS::Scheduler::Schedule") {
		t := q.Props.Get("RedrivePolicy").Get("deadLetterTargetArn")
		if q.Type == "AWS::Scheduler::Schedule" {
			t = q.Prop("Target.DeadLetterConfig.Arn")
		}
		if t != nil {
			k := e.key(q.Stack, t)
			out[k] = append(out[k], q)
		}
	}
	return out
}

// failureQueues are the queues that keep a Lambda function's failed asynchronous
// events (its DeadLetterConfig or on-failure destination): dead-letter queues of a
// function, which need none of their own.
func failureQueues(e *Env) map[string]bool {
	out := map[string]bool{}
	for _, f := range e.resourcesOf("AWS::Lambda::Function") {
		if t := f.Props.Get("DeadLetterConfig").Get("TargetArn"); t != nil {
			out[e.key(f.Stack, t)] = true
		}
	}
	for _, c := range e.resourcesOf("AWS::Lambda::EventInvokeConfig") {
		if t := c.Props.Get("DestinationConfig").Get("OnFailure").Get("Destination"); t != nil {
			out[e.key(c.Stack, t)] = true
		}
	}
	return out
}

// retention is a queue's MessageRetentionPeriod (SQS's default is 4 days).
func retention(q *Resource) (int, bool) {
	n := q.Props.Get("MessageRetentionPeriod")
	if n == nil {
		return 345600, true
	}
	return atoi(n)
}

// rebuildableBuckets are the buckets that hold no data of record: a website or
// CloudFront origin (rebuilt by a deploy) and log destinations (the
// logs are worth keeping, but they are not the system's state).
func rebuildableBuckets(e *Env) map[string]bool {
	out := map[string]bool{}
	for _, b := range e.resourcesOf("AWS::S3::Bucket") {
		if b.Props.Get("WebsiteConfiguration") != nil {
			out[b.key()] = true
		}
	}
	for _, d := range e.resourcesOf("AWS::CloudFront::Distribution") {
		e.eachKeyIn(d.Stack, d.Prop("DistributionConfig.Origins"), func(k string) { out[k] = true })
	}
	for _, r := range e.resourcesOf("AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::S3::Bucket") {
		for _, n := range []*ir.Node{r.Props.Get("LoadBalancerAttributes"), r.Props.Get("LoggingConfiguration")} {
			e.eachKeyIn(r.Stack, n, func(k string) { out[k] = true })
		}
	}
	return out
}

var stateful = []string{"AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::EFS::FileSystem"}

func init() {
	register(
		&Rule{ID: "REL001", Name: "sqs-without-dlq", Family: "reliability", Severity: Warning, Scope: ScopeRiglet,
			Title: "an SQS queue without a dead-letter queue",
			Doc:   "A message that always fails is retried until it expires, blocking or costing all the while. Give every queue a RedrivePolicy to a dead-letter queue (queues that are themselves dead-letter queues, of a queue or of a Lambda function's failed events, are exempt).",
			Bad:   "Queue: {Type: AWS::SQS::Queue}\n", Good: "Queue:\n  Type: AWS::SQS::Queue\n  Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 5}}\n",
			Run: func(p *Pass) {
				for _, e := range p.Envs {
					d, failures := dlqs(e), failureQueues(e)
					for _, q := range e.resourcesOf("AWS::SQS::Queue") {
						if q.Props.Get("RedrivePolicy") == nil && len(d[q.key()]) == 0 && !failures[q.key()] {
							p.reportEnv(e, q, nil, "queue %s has no dead-letter queue (RedrivePolicy)", q.ID)
						}
					}
				}
			}},
		&Rule{ID: "REL002", Name: "dlq-retention", Family: "reliability", Severity: Warning, Scope: ScopeRiglet,
			Title: "a dead-letter queue that keeps messages no longer than its source",
			Doc:   "A message's age is kept when it moves to the dead-letter queue, so a DLQ whose MessageRetentionPeriod is not longer than its source's drops messages soon after (or before) they arrive. Give DLQs the 14-day maximum.",
			Bad:   "Dlq: {Type: AWS::SQS::Queue}   # 4 days, like its source\n", Good: "Dlq:\n  Type: AWS::SQS::Queue\n  Properties: {MessageRetentionPeriod: 1209600}\n",
			Run: func(p *Pass) {
				for _, e := range p.Envs {
					for k, srcs := range dlqs(e) {
						dlq := e.resource(k)
						if dlq == nil || dlq.Type != "AWS::SQS::Queue" {
							continue
						}
						dr, ok := retention(dlq)
						if !ok {
							continue
						}
						for _, s := range srcs {
							if s.Type != "AWS::SQS::Queue" {
								continue // a schedule keeps no messages of its own
							}
							if sr, ok := retention(s); ok && dr <= sr {
								relate(p.reportEnv(e, dlq, dlq.Props.Get("MessageRetentionPeriod"), "dead-letter queue %s keeps messages %ds, no longer than its source %s (%ds)", dlq.ID, dr, s.ID, sr), s, "source queue "+s.ID)
							}
						}
					}
				}
			}},
		templateRule("REL003", "ecs-circuit-breaker", "reliability", Warning, "an ECS service without deployment circuit breaker rollback",
			"Without DeploymentCircuitBreaker {Enable: true, Rollback: true}, a deployment whose tasks never get healthy keeps retrying for hours, and CloudFormation waits with it.",
			"DeploymentConfiguration: {MaximumPercent: 200}\n", "DeploymentConfiguration:\n  DeploymentCircuitBreaker: {Enable: true, Rollback: true}\n",
			nil, []string{"AWS::ECS::Service"}, func(p *Pass, r *Resource) {
				if c := r.Prop("DeploymentController.Type"); c != nil && text(c) != "ECS" {
					return
				}
				cb := r.Prop("DeploymentConfiguration.DeploymentCircuitBreaker")
				if !isTrue(cb.Get("Enable")) || !isTrue(cb.Get("Rollback")) {
					p.Report(r, cb, "ECS service %s has no deployment circuit breaker with rollback", r.ID)
				}
			}),
		&Rule{ID: "REL004", Name: "stateful-deletion-policy", Family: "reliability", Severity: Error, Scope: ScopeRiglet, CfnLint: []string{"I3011"},
			Title: "a stateful resource in production that a stack deletion would destroy",
			Doc:   "In a production env, databases, tables, data buckets and file systems set DeletionPolicy Retain or Snapshot (and UpdateReplacePolicy to match), so that deleting or replacing the stack keeps the data. Buckets that a deploy rebuilds (a website or CloudFront origin) or that receive logs are not data buckets.",
			Bad:   "Table: {Type: AWS::DynamoDB::Table, Properties: {...}}\n", Good: "Table: {Type: AWS::DynamoDB::Table, DeletionPolicy: Retain, UpdateReplacePolicy: Retain, Properties: {...}}\n",
			Run: func(p *Pass) {
				for _, e := range p.Envs {
					if !e.Prod {
						continue
					}
					rebuildable := rebuildableBuckets(e)
					for _, r := range e.resourcesOf(stateful...) {
						if r.Type == "AWS::RDS::DBInstance" && r.Props.Get("DBClusterIdentifier") != nil || rebuildable[r.key()] {
							continue
						}
						dp := r.Node.Get("DeletionPolicy")
						switch text(dp) {
						case "Retain", "Snapshot", "RetainExceptOnCreate":
							continue
						}
						p.reportEnv(e, r, dp, "%s %s has no DeletionPolicy Retain or Snapshot in production", r.Type, r.ID)
					}
				}
			}},
		&Rule{ID: "REL005", Name: "production-single-az", Family: "reliability", Severity: Error, Scope: ScopeRiglet,
			Title: "a production env in one availability zone",
			Doc:   "One AZ is one failure away from an outage. Production envs list at least two azs.",
			Bad:   "env: production\nazs: [us-west-2a]\n", Good: "env: production\nazs: [us-west-2a, us-west-2b]\n",
			Run: func(p *Pass) {
				for _, e := range p.Envs {
					if e.Prod && e.EnvFile != nil && len(e.EnvFile.AZs) < 2 {
						f := p.ReportAt(e.EnvFile.AZsPos, "production env %s has %d availability zone%s; use at least two", e.Env, len(e.EnvFile.AZs), map[bool]string{true: "", false: "s"}[len(e.EnvFile.AZs) == 1])
						f.Envs = []string{e.Env}
					}
				}
			}},
	)
}

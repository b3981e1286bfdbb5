package lint

import (
	"strings"

	"github.com/riglet/riglet/ir"
)

// The observability family: every alarmable resource alarmed, every alarm heard.

// alarmable are the types whose resources CloudWatch publishes metrics worth an alarm
// for (DESIGN 6): the ones the built-in catalogue covers, and the ones it leaves out
// on purpose because riglet cannot write their alarm right everywhere (CloudFront
// publishes only in us-east-1, with Region=Global; a REST API's dimensions are the
// API's name and stage; ElastiCache's are per node), which a team must watch itself.
// An HTTP API (ApiGatewayV2::Api) is watched through its stages' alarms, which name it.
// SNS topics are left out: the one alarms notify is one of them.
var alarmable = []string{
	"AWS::SQS::Queue", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::TargetGroup",
	"AWS::ECS::Service", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::Lambda::Function",
	"AWS::DynamoDB::Table", "AWS::EC2::Instance", "AWS::OpenSearchService::Domain",
	"AWS::EC2::NatGateway", "AWS::Kinesis::Stream", "AWS::StepFunctions::StateMachine",
	"AWS::CloudFront::Distribution", "AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api",
	"AWS::ElastiCache::CacheCluster", "AWS::ElastiCache::ReplicationGroup",
	"AWS::Scheduler::ScheduleGroup",
}

// eachAlarm calls f with the env's alarms, in deploy order (resourcesOf's), without
// listing them: the riglet rules ask for every env's on every run.
func eachAlarm(e *Env, f func(a *Resource)) {
	for _, s := range e.Stacks {
		for _, r := range s.Resources {
			if r.Type == "AWS::CloudWatch::Alarm" {
				f(r)
			}
		}
	}
}

func init() {
	register(
		&Rule{ID: "OBS001", Name: "no-alarm", Family: "observability", Severity: Warning, Scope: ScopeRiglet,
			Title: "an alarmable resource that no alarm watches",
			Doc:   "Queues, load balancers, target groups, ECS services, databases, functions, tables, NAT gateways, streams and state machines get the catalogue's alarms. One that no alarm's dimensions name goes unwatched: the env's alarms profile is none, a hand-written block escaped the catalogue, or the type is one the catalogue leaves to the team (CloudFront distributions, API Gateway REST APIs, ElastiCache clusters); an HTTP API is watched through its stages.",
			Bad:   "alarms: {profile: none}\n", Good: "alarms: {profile: critical}\n",
			Run: func(p *Pass) {
				for _, e := range p.Envs {
					// shared stacks get no catalogue alarms (they have no env, so no
					// profile, thresholds or ops topic): what they hold unwatched is reported
					if e.Env == "template" {
						continue
					}
					watched := map[string]bool{}
					eachAlarm(e, func(a *Resource) {
						e.eachKeyIn(a.Stack, a.Props, func(k string) { watched[k] = true })
					})
					for _, r := range e.resourcesOf(alarmable...) {
						// a gateway load balancer publishes no metric worth a default alarm
						if r.Type == "AWS::ElasticLoadBalancingV2::LoadBalancer" && text(r.Props.Get("Type")) == "gateway" {
							continue
						}
						if r.Type == "AWS::RDS::DBInstance" && r.Props.Get("DBClusterIdentifier") != nil {
							continue
						}
						if !watched[r.key()] {
							why := ""
							if e.Env == "shared" {
								why = " (catalogue alarms are per env; a shared stack's resources are watched by hand)"
							}
							p.reportEnv(e, r, nil, "%s %s has no alarm%s", r.Type, r.ID, why)
						}
					}
				}
			}},
		&Rule{ID: "OBS002", Name: "alarm-without-actions", Family: "observability", Severity: Warning, Scope: ScopeTemplate,
			Title: "an alarm that notifies no one",
			Doc:   "An alarm without AlarmActions changes state and tells no one. Catalogue alarms notify the env's ops topic; a block's own alarms should act (scale) or notify.",
			Bad:   "Type: AWS::CloudWatch::Alarm\nProperties: {MetricName: Errors, ...}\n", Good: "Properties: {MetricName: Errors, AlarmActions: [!ImportValue ops-topic-arn], ...}\n",
			Run: func(p *Pass) {
				for _, r := range p.Stack.Resources {
					if r.Type == "AWS::CloudWatch::Alarm" && len(list(r.Props.Get("AlarmActions"))) == 0 {
						p.Report(r, nil, "alarm %s has no AlarmActions", r.ID)
					}
				}
			}},
		&Rule{ID: "OBS003", Name: "alarm-actions-disabled", Family: "observability", Severity: Error, Scope: ScopeTemplate,
			Title: "an alarm turned off without a reason",
			Doc:   "A catalogue alarm is turned off with `AlarmName: {disabled: \"why\"}` in the env's alarms.thresholds or the instance's alarms (the compiler refuses it without a reason: OBS006). An alarm whose ActionsEnabled is false is turned off just as surely, with no reason given: say why with a riglet:ignore, or turn it off the catalogue's way.",
			Bad:   "ActionsEnabled: false\n", Good: "alarms: {Queue: {SqsQueueDepth: {disabled: \"batch queue, drained nightly\"}}}\n",
			Run: func(p *Pass) {
				for _, a := range p.Stack.Resources {
					if a.Type != "AWS::CloudWatch::Alarm" {
						continue
					}
					if en := a.Props.Get("ActionsEnabled"); en != nil && en.IsScalar() && strings.EqualFold(en.Text, "false") {
						p.Report(a, en, "alarm %s has ActionsEnabled: false, which turns it off without a reason", a.ID)
					}
				}
			}},
		sourceRule("OBS006", "alarm-config", ir.CodeAlarm, "observability", "an alarm the catalogue cannot make as configured",
			"A catalogue alarm needs a threshold (the entry gives none on purpose, or the one given is not a number), a reason to be turned off ({disabled: \"why\"}), or dimensions its resource lacks (a target group no listener forwards to). The compiler reports it at the value or the resource.",
			"alarms: {Queue: {SqsQueueDepth: off}}\n", "alarms: {Queue: {SqsQueueDepth: {disabled: \"drained nightly\"}}}\n"),
		&Rule{ID: "OBS004", Name: "log-group-retention", Family: "observability", Severity: Warning, Scope: ScopeTemplate,
			Title: "a log group kept for ever",
			Doc:   "A log group without RetentionInDays keeps logs for ever, and the bill grows with them.",
			Bad:   "Type: AWS::Logs::LogGroup\nProperties: {}\n", Good: "Type: AWS::Logs::LogGroup\nProperties: {RetentionInDays: 30}\n",
			Run: func(p *Pass) {
				for _, r := range p.Stack.Resources {
					if r.Type == "AWS::Logs::LogGroup" && r.Props.Get("RetentionInDays") == nil {
						p.Report(r, nil, "log group %s has no RetentionInDays: logs are kept for ever", r.ID)
					}
				}
			}},
		&Rule{ID: "OBS005", Name: "alarm-topic-managed-key", Family: "observability", Severity: Error, Scope: ScopeRiglet,
			Title: "an alarm topic encrypted with the AWS-managed SNS key",
			Doc:   "CloudWatch cannot publish to a topic encrypted with alias/aws/sns: its key policy cannot be changed to let CloudWatch use it, so alarms fail silently. Use a customer-managed key whose policy allows cloudwatch.amazonaws.com.",
			Bad:   "KmsMasterKeyId: alias/aws/sns\n", Good: "KmsMasterKeyId: !Ref AlarmTopicKey\n",
			Run: func(p *Pass) {
				for _, e := range p.Envs {
					targets := map[string]bool{}
					eachAlarm(e, func(a *Resource) {
						e.eachKeyIn(a.Stack, a.Props.Get("AlarmActions"), func(k string) { targets[k] = true })
						e.eachKeyIn(a.Stack, a.Props.Get("OKActions"), func(k string) { targets[k] = true })
					})
					for _, t := range e.resourcesOf("AWS::SNS::Topic") {
						k := t.Props.Get("KmsMasterKeyId")
						if targets[t.key()] && k != nil && strings.Contains(text(k), "alias/aws/sns") {
							p.reportEnv(e, t, k, "topic %s receives alarms but is encrypted with alias/aws/sns, which CloudWatch cannot use", t.ID)
						}
					}
				}
			}},
	)
}

package lint

// Rules that hold in production only: access logs, point-in-time recovery, deletion
// protection and backups. A plain template is production when linted with
// --env production (lint.Options.Envs), and otherwise is not.

// albLogged reports whether a load balancer's attributes turn access logs on; known
// is false when they are values the linter cannot see.
func albLogged(lb *Resource) (logged, known bool) {
	attrs := lb.Props.Get("LoadBalancerAttributes")
	if isIntrinsic(attrs) {
		return false, false
	}
	known = true
	for _, a := range list(attrs) {
		k, ok := literal(a.Get("Key"))
		if !ok {
			known = false
			continue
		}
		if k == "access_logs.s3.enabled" {
			_, ok := literal(a.Get("Value"))
			return isTrue(a.Get("Value")), ok
		}
	}
	return false, known
}

// deliveredKeys returns the keys of the resources whose logs a CloudWatch Logs
// delivery source sends (CloudFront's standard logging v2); known is false when a
// source names a resource the linter cannot follow.
func deliveredKeys(e *Env) (keys map[string]bool, known bool) {
	keys, known = map[string]bool{}, true
	for _, ds := range e.resourcesOf("AWS::Logs::DeliverySource") {
		arn := ds.Props.Get("ResourceArn")
		found := false
		e.eachKeyIn(ds.Stack, arn, func(k string) { keys[k], found = true, true })
		eachRef(arn, func(rf ref) {
			keys[ds.Stack.Name+"/"+rf.target], found = true, true
		})
		known = known && found
	}
	return keys, known
}

func runAccessLogs(p *Pass) {
	for _, e := range p.Envs {
		if !e.Prod {
			continue
		}
		for _, lb := range e.resourcesOf("AWS::ElasticLoadBalancingV2::LoadBalancer") {
			if t, ok := literal(lb.Props.Get("Type")); lb.Props.Get("Type") != nil && (!ok || t != "application") {
				continue
			}
			if logged, known := albLogged(lb); known && !logged {
				p.reportEnv(e, lb, lb.Props.Get("LoadBalancerAttributes"), "load balancer %s writes no access logs in production: set access_logs.s3.enabled and access_logs.s3.bucket", lb.ID)
			}
		}
		delivered, known := deliveredKeys(e)
		for _, d := range e.resourcesOf("AWS::CloudFront::Distribution") {
			if d.Prop("DistributionConfig.Logging") == nil && known && !delivered[d.key()] {
				p.reportEnv(e, d, nil, "distribution %s writes no access logs in production: set DistributionConfig.Logging, or deliver its logs with an AWS::Logs::DeliverySource", d.ID)
			}
		}
	}
}

// prodRule is a template rule that runs in production envs only.
func prodRule(check func(p *Pass, r *Resource), types ...string) func(*Pass) {
	run := forTypes(check, types...)
	return func(p *Pass) {
		if p.Env.Prod {
			run(p)
		}
	}
}

func runDynamoPITR(p *Pass, r *Resource) {
	if pitr := r.Prop("PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled"); notTrue(pitr) {
		at := pitr
		if at == nil {
			at = r.Props.Get("PointInTimeRecoverySpecification")
		}
		p.Report(r, at, "table %s has no point-in-time recovery in production: a bad write or delete cannot be undone", r.ID)
	}
}

// standaloneDB reports whether an RDS resource is a cluster or an instance outside
// one (a cluster's instances follow the cluster's settings).
func standaloneDB(r *Resource) bool {
	return r.Type == "AWS::RDS::DBCluster" || r.Props.Get("DBClusterIdentifier") == nil
}

func runRDSDeletionProtection(p *Pass, r *Resource) {
	if dp := r.Props.Get("DeletionProtection"); standaloneDB(r) && notTrue(dp) {
		p.Report(r, dp, "%s %s has no deletion protection in production: set DeletionProtection: true", r.Type[len("AWS::RDS::"):], r.ID)
	}
}

func runRDSBackups(p *Pass, r *Resource) {
	if br := r.Props.Get("BackupRetentionPeriod"); standaloneDB(r) {
		if n, ok := atoi(br); ok && n == 0 {
			p.Report(r, br, "%s %s keeps no automated backups in production (BackupRetentionPeriod 0)", r.Type[len("AWS::RDS::"):], r.ID)
		}
	}
}

func init() {
	register(
		&Rule{ID: "SEC033", Name: "access-logs", Family: "security", Severity: Warning, Scope: ScopeRiglet,
			Title: "an ALB or CloudFront distribution without access logs in production",
			Doc:   "In production, who requested what is evidence: an application load balancer sets access_logs.s3.enabled (with a bucket), and a CloudFront distribution sets DistributionConfig.Logging or delivers its standard logs through an AWS::Logs::DeliverySource. Other envs are not reported.",
			Bad:   "LoadBalancerAttributes: [{Key: idle_timeout.timeout_seconds, Value: '60'}]\n", Good: "LoadBalancerAttributes:\n  - {Key: access_logs.s3.enabled, Value: 'true'}\n  - {Key: access_logs.s3.bucket, Value: !Ref LogBucket}\n",
			Scanners: []string{"cdk-nag AwsSolutions-ELB2", "cdk-nag AwsSolutions-CFR3", "cfn-nag W52", "cfn-nag W10", "checkov CKV_AWS_91", "checkov CKV_AWS_86"},
			Run:      runAccessLogs},
		&Rule{ID: "REL006", Name: "dynamodb-pitr", Family: "reliability", Severity: Error, Scope: ScopeTemplate,
			Title: "a DynamoDB table without point-in-time recovery in production",
			Doc:   "Point-in-time recovery restores a table to any second of the last 35 days; without it, a faulty deploy's writes or an accidental delete is permanent. In production, set PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled. Other envs are not reported.",
			Bad:   "Type: AWS::DynamoDB::Table\nProperties: {BillingMode: PAY_PER_REQUEST, ...}\n", Good: "Properties: {BillingMode: PAY_PER_REQUEST, PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}, ...}\n",
			Scanners: []string{"cdk-nag AwsSolutions-DDB3", "cfn-nag W78", "checkov CKV_AWS_28"},
			Run:      prodRule(runDynamoPITR, "AWS::DynamoDB::Table")},
		&Rule{ID: "REL007", Name: "rds-deletion-protection", Family: "reliability", Severity: Error, Scope: ScopeTemplate,
			Title: "an RDS database without deletion protection in production",
			Doc:   "DeletionProtection stops anyone, a stack update that replaces the database included, from deleting it until it is turned off. In production, clusters and stand-alone instances set it (instances of a cluster follow the cluster). Other envs are not reported.",
			Bad:   "Type: AWS::RDS::DBCluster\nProperties: {Engine: aurora-postgresql, ...}\n", Good: "Properties: {Engine: aurora-postgresql, DeletionProtection: true, ...}\n",
			Scanners: []string{"cdk-nag AwsSolutions-RDS10", "checkov CKV_AWS_293", "checkov CKV_AWS_139"},
			Run:      prodRule(runRDSDeletionProtection, "AWS::RDS::DBInstance", "AWS::RDS::DBCluster")},
		&Rule{ID: "REL008", Name: "rds-no-backups", Family: "reliability", Severity: Error, Scope: ScopeTemplate,
			Title: "an RDS database with automated backups turned off in production",
			Doc:   "BackupRetentionPeriod 0 turns automated backups, and with them point-in-time restore, off. In production keep at least a day (RDS's default is 1, Aurora's minimum). Other envs are not reported.",
			Bad:   "BackupRetentionPeriod: 0\n", Good: "BackupRetentionPeriod: 7\n",
			Scanners: []string{"cdk-nag AwsSolutions-RDS13", "checkov CKV_AWS_133"},
			Run:      prodRule(runRDSBackups, "AWS::RDS::DBInstance", "AWS::RDS::DBCluster")},
	)
}

package lint

import (
	"regexp"

	"github.com/riglet/riglet/ir"
)

// The security family: TLS in transit.

// tlsTargets are the resources a TLS-only policy guards, with the policy type and
// the property of the policy that names them.
var tlsTargets = []struct{ typ, policy, target, what string }{
	{"AWS::S3::Bucket", "AWS::S3::BucketPolicy", "Bucket", "bucket"},
	{"AWS::SQS::Queue", "AWS::SQS::QueuePolicy", "Queues", "queue"},
	{"AWS::SNS::Topic", "AWS::SNS::TopicPolicy", "Topics", "topic"},
}

func runTLSOnly(p *Pass) {
	for _, e := range p.Envs {
		for _, tt := range tlsTargets {
			guarded, unknown := map[string]bool{}, false
			for _, pol := range e.resourcesOf(tt.policy) {
				if !deniesInsecureTransport(pol.Props.Get("PolicyDocument")) {
					continue
				}
				for _, n := range list(pol.Props.Get(tt.target)) {
					k := e.key(pol.Stack, n)
					if e.resource(k) == nil {
						unknown = true // a name or an import the linter cannot follow
					}
					guarded[k] = true
				}
			}
			if unknown {
				continue
			}
			for _, r := range e.resourcesOf(tt.typ) {
				if !guarded[r.key()] {
					p.reportEnv(e, r, nil, "%s %s accepts requests without TLS: give it an %s that denies aws:SecureTransport false", tt.what, r.ID, tt.policy)
				}
			}
		}
	}
}

// forwards reports whether a listener's or rule's actions send requests on (forward,
// or to Cognito or OIDC authentication that then forwards) rather than redirecting or
// answering.
func forwards(actions *ir.Node) bool {
	for _, a := range list(actions) {
		if t, ok := literal(a.Get("Type")); ok && (t == "forward" || t == "authenticate-cognito" || t == "authenticate-oidc") {
			return true
		}
	}
	return false
}

func runHTTPForward(p *Pass) {
	for _, e := range p.Envs {
		rulesOf := map[string][]*Resource{}
		for _, lr := range e.resourcesOf("AWS::ElasticLoadBalancingV2::ListenerRule") {
			if forwards(lr.Props.Get("Actions")) {
				k := e.key(lr.Stack, lr.Props.Get("ListenerArn"))
				rulesOf[k] = append(rulesOf[k], lr)
			}
		}
		for _, l := range e.resourcesOf("AWS::ElasticLoadBalancingV2::Listener") {
			if proto, _ := literal(l.Props.Get("Protocol")); proto != "HTTP" {
				continue
			}
			rs := rulesOf[l.key()]
			if !forwards(l.Props.Get("DefaultActions")) && len(rs) == 0 {
				continue
			}
			what := "its default action"
			if len(rs) > 0 {
				what = itoa(len(rs)) + " listener rule"
				if len(rs) > 1 {
					what += "s"
				}
			}
			f := p.reportEnv(e, l, nil, "HTTP listener %s forwards requests in clear text (%s) instead of redirecting them to HTTPS", l.ID, what)
			for _, r := range rs {
				relate(f, r, "forwarding rule "+r.ID)
			}
		}
	}
}

// tls12Policies are the ELB security policies whose minimum is TLS 1.2 (or 1.3).
var tls12Policies = regexp.MustCompile(`^ELBSecurityPolicy-(TLS13-1-[23]-|TLS-1-2-|FS-1-2-)`)

func runALBTLSPolicy(p *Pass, r *Resource) {
	proto, _ := literal(r.Props.Get("Protocol"))
	if proto != "HTTPS" && proto != "TLS" {
		return
	}
	sp := r.Props.Get("SslPolicy")
	if sp == nil {
		p.Report(r, r.Props.Get("Protocol"), "%s listener %s sets no SslPolicy, and the default ELBSecurityPolicy-2016-08 accepts TLS 1.0; use ELBSecurityPolicy-TLS13-1-2-2021-06", proto, r.ID)
		return
	}
	if s, ok := literal(sp); ok && !tls12Policies.MatchString(s) {
		p.Report(r, sp, "%s listener %s uses %s, which accepts TLS older than 1.2; use ELBSecurityPolicy-TLS13-1-2-2021-06", proto, r.ID, s)
	}
}

// cloudFrontMinimum are CloudFront's viewer security policies of TLS 1.2 or later
// with only strong ciphers.
var cloudFrontMinimum = map[string]bool{"TLSv1.2_2021": true, "TLSv1.2_2025": true, "TLSv1.3_2025": true}

func runCloudFrontTLS(p *Pass, r *Resource) {
	dc := r.Props.Get("DistributionConfig")
	behaviours := append([]*ir.Node{dc.Get("DefaultCacheBehavior")}, list(dc.Get("CacheBehaviors"))...)
	for _, b := range behaviours {
		if v := b.Get("ViewerProtocolPolicy"); text(v) == "allow-all" {
			where := "default cache behavior"
			if pp := text(b.Get("PathPattern")); pp != "" {
				where = "cache behavior " + pp
			}
			p.Report(r, v, "distribution %s serves its %s over plain HTTP (allow-all); use redirect-to-https or https-only", r.ID, where)
		}
	}
	vc := dc.Get("ViewerCertificate")
	if isIntrinsic(vc) {
		return
	}
	if vc == nil || isTrue(vc.Get("CloudFrontDefaultCertificate")) {
		p.Report(r, vc, "distribution %s uses CloudFront's default certificate, which accepts TLS 1.0 on *.cloudfront.net; give it an ACM certificate with MinimumProtocolVersion TLSv1.2_2021", r.ID)
		return
	}
	mp := vc.Get("MinimumProtocolVersion")
	s, ok := literal(mp)
	switch {
	case mp == nil:
		p.Report(r, vc, "distribution %s sets no MinimumProtocolVersion, and the default TLSv1 accepts TLS 1.0; set TLSv1.2_2021", r.ID)
	case ok && !cloudFrontMinimum[s]:
		p.Report(r, mp, "distribution %s accepts %s, older or weaker than TLSv1.2_2021", r.ID, s)
	}
}

func init() {
	register(
		&Rule{ID: "SEC017", Name: "tls-only-policy", Family: "security", Severity: Error, Scope: ScopeRiglet,
			Title: "an S3 bucket, SQS queue or SNS topic that accepts requests without TLS",
			Doc:   "S3, SQS and SNS answer plain HTTP unless a resource policy refuses it. Give every bucket, queue and topic a policy with a Deny for Principal \"*\" when aws:SecureTransport is false, so that no client, misconfigured or not, sends data or credentials in clear text.",
			Bad:   "Queue: {Type: AWS::SQS::Queue}\n", Good: "QueuePolicy:\n  Type: AWS::SQS::QueuePolicy\n  Properties:\n    Queues: [!Ref Queue]\n    PolicyDocument: {Statement: [{Effect: Deny, Principal: '*', Action: 'sqs:*', Resource: !GetAtt Queue.Arn, Condition: {Bool: {'aws:SecureTransport': 'false'}}}]}\n",
			Scanners: []string{"cdk-nag AwsSolutions-S10", "cdk-nag AwsSolutions-SQS4", "cdk-nag AwsSolutions-SNS3", "cdk-nag HIPAA.Security-S3BucketSSLRequestsOnly"},
			Run:      runTLSOnly},
		&Rule{ID: "SEC018", Name: "http-listener-forward", Family: "security", Severity: Error, Scope: ScopeRiglet,
			Title: "an HTTP listener that forwards instead of redirecting to HTTPS",
			Doc:   "A load balancer listener on plain HTTP whose default action or listener rules forward to targets carries requests, cookies and tokens in clear text. Listen on HTTPS, and answer HTTP with a redirect to it. (The alb block does so with a certificate; an env without one has only HTTP, and its finding is suppressed in the block with that reason.)",
			Bad:   "Protocol: HTTP\nDefaultActions: [{Type: forward, TargetGroupArn: !Ref Targets}]\n", Good: "Protocol: HTTP\nDefaultActions: [{Type: redirect, RedirectConfig: {Protocol: HTTPS, Port: '443', StatusCode: HTTP_301}}]\n",
			Scanners: []string{"cdk-nag HIPAA.Security-ALBHttpToHttpsRedirection", "checkov CKV_AWS_2"},
			Run:      runHTTPForward},
		&Rule{ID: "SEC019", Name: "alb-tls-policy", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "a load balancer TLS listener whose security policy allows TLS older than 1.2",
			Doc:   "An HTTPS or TLS listener without SslPolicy gets ELBSecurityPolicy-2016-08, which accepts TLS 1.0 and 1.1 and weak ciphers; so do the TLS-1-0, TLS-1-1, FS-2018-06 and TLS13-1-0/1-1 policies. Use a policy with TLS 1.2 as its minimum: ELBSecurityPolicy-TLS13-1-2-2021-06 (or another TLS13-1-2, TLS13-1-3, TLS-1-2 or FS-1-2 policy).",
			Bad:   "Protocol: HTTPS\nSslPolicy: ELBSecurityPolicy-2016-08\n", Good: "Protocol: HTTPS\nSslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06\n",
			Scanners: []string{"cfn-nag W55", "checkov CKV_AWS_103"},
			Run:      forTypes(runALBTLSPolicy, "AWS::ElasticLoadBalancingV2::Listener")},
		&Rule{ID: "SEC020", Name: "cloudfront-tls", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "a CloudFront distribution that allows HTTP or TLS older than TLSv1.2_2021",
			Doc:   "A cache behavior with ViewerProtocolPolicy allow-all serves viewers over plain HTTP; a distribution on CloudFront's default certificate, or with a MinimumProtocolVersion below TLSv1.2_2021, accepts TLS 1.0 and 1.1. Redirect to HTTPS, and give the distribution an ACM certificate (in us-east-1) with MinimumProtocolVersion TLSv1.2_2021 or later.",
			Bad:   "ViewerCertificate: {CloudFrontDefaultCertificate: true}\nDefaultCacheBehavior: {ViewerProtocolPolicy: allow-all, ...}\n", Good: "ViewerCertificate: {AcmCertificateArn: !Ref Certificate, SslSupportMethod: sni-only, MinimumProtocolVersion: TLSv1.2_2021}\nDefaultCacheBehavior: {ViewerProtocolPolicy: redirect-to-https, ...}\n",
			Scanners: []string{"cdk-nag AwsSolutions-CFR4", "cfn-nag W70", "checkov CKV_AWS_34", "checkov CKV_AWS_174"},
			Run:      forTypes(runCloudFrontTLS, "AWS::CloudFront::Distribution")},
	)
}

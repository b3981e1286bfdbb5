package lint

import (
	"regexp"
	"strings"

	"github.com/riglet/riglet/ir"
)

// The security family.

func templateRule(id, name, family string, sev Severity, title, doc, bad, good string, cfn []string, types []string, check func(p *Pass, r *Resource)) *Rule {
	return &Rule{ID: id, Name: name, Family: family, Severity: sev, Scope: ScopeTemplate, CfnLint: cfn,
		Title: title, Doc: doc, Bad: bad, Good: good,
		Run: func(p *Pass) {
			for _, r := range p.Stack.Resources {
				for _, t := range types {
					if r.Type == t {
						check(p, r)
						break
					}
				}
			}
		}}
}

// Property names that hold a secret end with one of these (HttpTokens, a metadata
// option, does not); environment variable names contain one.
var (
	secretProp = regexp.MustCompile(`(?i)(` + strings.Join(secretWords[:], "|") + `)$`)
	secretName = regexp.MustCompile(`(?i)(password|passwd|secret|token|api_?key|private_?key)`)
)

func isDynamicSecret(s string) bool {
	return strings.Contains(s, "{{resolve:secretsmanager:") || strings.Contains(s, "{{resolve:ssm-secure:")
}

func open(n *ir.Node) bool {
	t := text(n)
	return t == "0.0.0.0/0" || t == "::/0"
}

func init() {
	register(
		&Rule{ID: "SEC001", Name: "open-ingress", Family: "security", Severity: Error, Scope: ScopeRiglet,
			Title: "ingress from anywhere other than to the ALB on 80/443",
			Doc:   "Only the load balancer's security group may accept 0.0.0.0/0 (or ::/0), and only on ports 80 and 443. Everything else takes traffic from other security groups.",
			Bad:   "SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]\n", Good: "SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 3000, ToPort: 3000, SourceSecurityGroupId: !Ref AlbSecurityGroup}]\n",
			Run: func(p *Pass) {
				for _, e := range p.Envs {
					albSG := map[string]bool{}
					for _, lb := range e.resourcesOf("AWS::ElasticLoadBalancingV2::LoadBalancer") {
						e.eachKeyIn(lb.Stack, lb.Props.Get("SecurityGroups"), func(k string) { albSG[k] = true })
					}
					check := func(r *Resource, sg string, rule *ir.Node) {
						if !open(rule.Get("CidrIp")) && !open(rule.Get("CidrIpv6")) {
							return
						}
						from, ok1 := atoi(rule.Get("FromPort"))
						to, ok2 := atoi(rule.Get("ToPort"))
						web := ok1 && ok2 && from == to && (from == 80 || from == 443)
						if albSG[sg] && web {
							return
						}
						at := rule.Get("CidrIp")
						if !open(at) {
							at = rule.Get("CidrIpv6")
						}
						ports := "all ports"
						if ok1 && ok2 {
							ports = "ports " + itoa(from) + "-" + itoa(to)
						}
						p.reportEnv(e, r, at, "security group %s is open to %s on %s; only the ALB may be, on 80 and 443", strings.TrimPrefix(sg, r.Stack.Name+"/"), text(at), ports)
					}
					for _, r := range e.resourcesOf("AWS::EC2::SecurityGroup") {
						for _, in := range list(r.Props.Get("SecurityGroupIngress")) {
							check(r, r.key(), in)
						}
					}
					for _, r := range e.resourcesOf("AWS::EC2::SecurityGroupIngress") {
						check(r, e.key(r.Stack, r.Props.Get("GroupId")), r.Props)
					}
				}
			}},
		templateRule("SEC002", "s3-public-access", "security", Error, "an S3 bucket without a full public access block",
			"Every bucket sets PublicAccessBlockConfiguration with BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls and RestrictPublicBuckets all true; public content goes through CloudFront.",
			"Type: AWS::S3::Bucket\nProperties: {}\n", "Properties:\n  PublicAccessBlockConfiguration: {BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true}\n",
			nil, []string{"AWS::S3::Bucket"}, func(p *Pass, r *Resource) {
				c := r.Props.Get("PublicAccessBlockConfiguration")
				var missing []string
				for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
					if !isTrue(c.Get(k)) {
						missing = append(missing, k)
					}
				}
				if len(missing) > 0 {
					p.Report(r, c, "bucket %s does not block public access: %s not true", r.ID, strings.Join(missing, ", "))
				}
			}),
		templateRule("SEC003", "sqs-unencrypted", "security", Error, "an SQS queue with encryption turned off",
			"Queues are encrypted with SQS-managed keys unless SqsManagedSseEnabled is false; then a KmsMasterKeyId is needed.",
			"SqsManagedSseEnabled: false\n", "SqsManagedSseEnabled: true\n",
			nil, []string{"AWS::SQS::Queue"}, func(p *Pass, r *Resource) {
				if s := r.Props.Get("SqsManagedSseEnabled"); s != nil && strings.EqualFold(text(s), "false") && r.Props.Get("KmsMasterKeyId") == nil {
					p.Report(r, s, "queue %s is not encrypted: SqsManagedSseEnabled is false and no KmsMasterKeyId is set", r.ID)
				}
			}),
		templateRule("SEC004", "sns-unencrypted", "security", Warning, "an SNS topic without encryption",
			"Topics are not encrypted at rest unless KmsMasterKeyId is set. (An alarm topic needs a customer-managed key: see OBS005.)",
			"Type: AWS::SNS::Topic\nProperties: {}\n", "Properties: {KmsMasterKeyId: !Ref TopicKey}\n",
			nil, []string{"AWS::SNS::Topic"}, func(p *Pass, r *Resource) {
				if r.Props.Get("KmsMasterKeyId") == nil {
					p.Report(r, nil, "topic %s is not encrypted: set KmsMasterKeyId", r.ID)
				}
			}),
		templateRule("SEC005", "rds-unencrypted", "security", Error, "an RDS database without storage encryption",
			"DB clusters and stand-alone DB instances set StorageEncrypted: true (instances of a cluster follow the cluster). It cannot be turned on later without a restore.",
			"Type: AWS::RDS::DBInstance\nProperties: {Engine: postgres, ...}\n", "Properties: {Engine: postgres, StorageEncrypted: true, ...}\n",
			nil, []string{"AWS::RDS::DBInstance", "AWS::RDS::DBCluster"}, func(p *Pass, r *Resource) {
				if r.Type == "AWS::RDS::DBInstance" && r.Props.Get("DBClusterIdentifier") != nil {
					return
				}
				if e := r.Props.Get("StorageEncrypted"); !isTrue(e) {
					p.Report(r, e, "%s %s is not encrypted: set StorageEncrypted: true", r.Type[len("AWS::RDS::"):], r.ID)
				}
			}),
		&Rule{ID: "SEC006", Name: "iam-star", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "an IAM policy that allows every action on every resource",
			Doc:   "A statement with Effect Allow, Action \"*\" and Resource \"*\" makes its principal an administrator. Name the actions and resources.",
			Bad:   "Statement: [{Effect: Allow, Action: '*', Resource: '*'}]\n", Good: "Statement: [{Effect: Allow, Action: 'sqs:SendMessage', Resource: !GetAtt Queue.Arn}]\n",
			Run: func(p *Pass) {
				for _, r := range p.Stack.Resources {
					ir.Walk(r.Props, func(n *ir.Node) bool {
						st := n.Get("Statement")
						if st == nil {
							return true
						}
						for _, s := range list(st) {
							if text(s.Get("Effect")) != "Allow" {
								continue
							}
							star := func(k string) bool {
								for _, a := range list(s.Get(k)) {
									if text(a) == "*" {
										return true
									}
								}
								return false
							}
							if star("Action") && star("Resource") {
								p.Report(r, s, "%s allows Action \"*\" on Resource \"*\"", r.ID)
							}
						}
						return false
					})
				}
			}},
		&Rule{ID: "SEC007", Name: "plaintext-secret", Family: "security", Severity: Error, Scope: ScopeTemplate, CfnLint: []string{"W2501", "W1011"},
			Title: "a password or secret written in plain text",
			Doc:   "A property or container environment variable named like a password, secret, token or key holds a literal value, which ends up in the template, the stack and its events. Generate it (AWS::SecretsManager::Secret with GenerateSecretString) and pass it with a dynamic reference or ECS Secrets.",
			Bad:   "MasterUserPassword: hunter22\n", Good: "ManageMasterUserPassword: true\n",
			Run: func(p *Pass) {
				for _, r := range p.Stack.Resources {
					if r.Type == "AWS::SecretsManager::Secret" {
						continue
					}
					literal := func(n *ir.Node) bool {
						return n != nil && n.Kind == ir.String && n.Text != "" && !strings.Contains(n.Text, "{{resolve:")
					}
					ir.Walk(r.Props, func(n *ir.Node) bool {
						if isIntrinsic(n) {
							return false
						}
						for _, pr := range n.Pairs {
							if isSecretProp(pr.Key) && literal(pr.Value) {
								p.Report(r, pr.Value, "%s of %s is a literal secret", pr.Key, r.ID)
							}
						}
						if name := text(n.Get("Name")); mayBeSecretName(name) && secretName.MatchString(name) && literal(n.Get("Value")) {
							p.Report(r, n.Get("Value"), "environment variable %s of %s is a literal secret", name, r.ID)
						}
						return true
					})
				}
			}},
		templateRule("SEC008", "secret-in-environment", "security", Error, "a secret resolved into a container's plain environment",
			"A {{resolve:secretsmanager:...}} or {{resolve:ssm-secure:...}} in a container's Environment is resolved into the task definition in clear text, visible to anyone who can describe it. Use the container's Secrets with ValueFrom.",
			"Environment: [{Name: DB_PASSWORD, Value: '{{resolve:secretsmanager:db:SecretString:password}}'}]\n", "Secrets: [{Name: DB_PASSWORD, ValueFrom: !Ref DbSecret}]\n",
			nil, []string{"AWS::ECS::TaskDefinition"}, func(p *Pass, r *Resource) {
				for _, c := range list(r.Props.Get("ContainerDefinitions")) {
					for _, env := range list(c.Get("Environment")) {
						v := env.Get("Value")
						if v != nil && isDynamicSecret(text(v)) {
							p.Report(r, v, "container %s gets secret %s as a plain environment value: use Secrets with ValueFrom", text(c.Get("Name")), text(env.Get("Name")))
						}
					}
				}
			}),
	)
}

// mayBeSecretName is a cheap first test for secretName, which every Name of every map
// in every resource meets: each of its words holds "pass", "secret", "token" or "key".
func mayBeSecretName(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			return true // (?i) folds K (U+212A) to k and ſ (U+017F) to s: let the regexp judge
		}
	}
	for i := 0; i+3 <= len(name); i++ {
		switch name[i] | 0x20 {
		case 'p', 's', 't', 'k':
			rest := name[i:]
			for _, w := range [...]string{"pass", "secret", "token", "key"} {
				if len(rest) >= len(w) && strings.EqualFold(rest[:len(w)], w) {
					return true
				}
			}
		}
	}
	return false
}

// mayBeSecretProp is a cheap first test for secretProp, which every property key of
// every resource meets: all its words end in d, t, n or y.
func mayBeSecretProp(k string) bool {
	if k == "" {
		return false
	}
	switch k[len(k)-1] | 0x20 {
	case 'd', 't', 'n', 'y':
		return true
	}
	return false
}

// secretWords are secretProp's alternatives: a key that ends in one is named like a
// secret.
var secretWords = [...]string{"password", "passwd", "secret", "secretkey", "authtoken", "apikey", "privatekey"}

// isSecretProp is secretProp.MatchString(k) without the regexp for an ASCII key (every
// key of every map of every resource meets it: the regexp was a tenth of lint's CPU):
// the same words, as a suffix, in any case. A key with any other byte goes to the
// regexp, which folds K (U+212A) and ſ (U+017F) onto ASCII letters as (?i) does.
func isSecretProp(k string) bool {
	if !mayBeSecretProp(k) {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] >= 0x80 {
			return secretProp.MatchString(k)
		}
	}
	for _, w := range secretWords {
		if len(k) >= len(w) && strings.EqualFold(k[len(k)-len(w):], w) {
			return true
		}
	}
	return false
}

package lint

import (
	"strings"

	"github.com/riglet/riglet/ir"
)

// The security family: IAM privilege escalation and who may use a policy.

// forTypes returns a template rule's Run: check on each resource of the given types.
func forTypes(check func(p *Pass, r *Resource), types ...string) func(*Pass) {
	return func(p *Pass) {
		for _, r := range p.Stack.Resources {
			for _, t := range types {
				if r.Type == t {
					check(p, r)
					break
				}
			}
		}
	}
}

// eachAllow calls f with every Allow statement of a resource's identity policies.
func eachAllow(r *Resource, f func(st *ir.Node)) {
	allowed := func(st *ir.Node) {
		if allows(st) {
			f(st)
		}
	}
	eachIdentityPolicy(r, func(d *ir.Node) { eachStatement(d, allowed) })
}

// escalating are the actions that write a role's, user's or group's permissions or
// credentials: whoever may call them without a permissions boundary on what they
// create can grant themselves anything. (Only a statement whose Condition tests
// iam:PermissionsBoundary is bounded; the key is absent from the requests of the
// actions that cannot be bounded, so such a statement never allows those.)
var escalating = []string{
	"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy",
	"iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary",
	"iam:CreateUser", "iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:DeleteUserPermissionsBoundary",
	"iam:PutUserPermissionsBoundary", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
	"iam:AddUserToGroup", "iam:PutGroupPolicy", "iam:AttachGroupPolicy",
	"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
}

func runPrivilegeEscalation(p *Pass, r *Resource) {
	eachAllow(r, func(st *ir.Node) {
		if _, admin := serviceWildcard(st); admin || hasConditionKey(st, "iam:PermissionsBoundary") {
			return
		}
		var hit []string
		for _, a := range escalating {
			if _, ok := grants(st, a); ok {
				hit = append(hit, a)
			}
		}
		if len(hit) > 0 {
			if len(hit) > 3 {
				hit = append(hit[:3], "...")
			}
			p.Report(r, st, "%s may %s without an iam:PermissionsBoundary condition, so it can grant itself any permission", r.ID, strings.Join(hit, ", "))
		}
	})
}

func runPassRoleStar(p *Pass, r *Resource) {
	eachAllow(r, func(st *ir.Node) {
		if _, admin := serviceWildcard(st); admin || !onAnyResource(st) {
			return
		}
		if a, ok := grants(st, "iam:PassRole"); ok {
			p.Report(r, st, "%s may pass any role (%s on Resource \"*\") to a service it controls; name the roles", r.ID, a)
		}
	})
}

func runServiceStar(p *Pass, r *Resource) {
	eachAllow(r, func(st *ir.Node) {
		if a, ok := serviceWildcard(st); ok && a != "*" { // "*" on "*" is SEC006's
			p.Report(r, st, "%s allows %s on Resource \"*\": every action of the service on every resource; name the actions and resources", r.ID, a)
		}
	})
}

func runNotAction(p *Pass, r *Resource) {
	docs := identityPolicies(r)
	if d, _ := resourcePolicy(r); d != nil {
		docs = append(docs, d)
	}
	for _, d := range docs {
		for _, st := range statements(d) {
			if allows(st) && st.Get("NotAction") != nil {
				p.Report(r, st.Get("NotAction"), "%s allows every action but those NotAction lists, new actions of AWS included; list the actions to allow", r.ID)
			}
		}
	}
}

// adminPolicies are AWS managed policies that make a principal an administrator of
// the account or of its IAM (and so of the account).
var adminPolicies = []string{"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"}

func runAdminPolicy(p *Pass, r *Resource) {
	for _, n := range list(r.Props.Get("ManagedPolicyArns")) {
		s, ok := literal(n)
		if !ok {
			continue
		}
		for _, a := range adminPolicies {
			if strings.HasSuffix(s, ":iam::aws:policy/"+a) {
				p.Report(r, n, "%s has the AWS managed policy %s attached; grant what it needs instead", r.ID, a)
			}
		}
	}
}

func runOpenTrust(p *Pass, r *Resource) {
	eachStatement(r.Props.Get("AssumeRolePolicyDocument"), func(st *ir.Node) {
		if allows(st) && everyone(st) && !narrowed(st) {
			p.Report(r, st.Get("Principal"), "anyone, in any AWS account, may assume role %s: name the principals or narrow it with a condition on the caller's account or organization", r.ID)
		}
	})
}

func runPublicResourcePolicy(p *Pass, r *Resource) {
	doc, what := resourcePolicy(r)
	eachStatement(doc, func(st *ir.Node) {
		if allows(st) && everyone(st) && !narrowed(st) {
			p.Report(r, st.Get("Principal"), "the %s of %s allows anyone (Principal \"*\") with no condition on the caller's account, organization, network or source", what, r.ID)
		}
	})
}

func init() {
	register(
		&Rule{ID: "SEC009", Name: "iam-privilege-escalation", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "an IAM policy that may write roles or policies without a permissions boundary",
			Doc: "A principal that may create a role, put or attach a role's policy, change a trust policy or write a user's or group's permissions can grant itself (or a role it then assumes or passes) any permission, however narrow its own policy looks: a resource pattern such as role/app-* matches its own name. " +
				"Allow these actions only with a Condition on iam:PermissionsBoundary naming a boundary that the principal itself cannot change or delete, so that whatever it creates stays inside the boundary. Policies with Action \"*\" or \"iam:*\" on Resource \"*\" are reported by SEC006 and SEC011 instead.",
			Bad:      "Statement: [{Effect: Allow, Action: [iam:CreateRole, iam:PutRolePolicy], Resource: !Sub 'arn:aws:iam::${AWS::AccountId}:role/app-*'}]\n",
			Good:     "Statement:\n  - Effect: Allow\n    Action: [iam:CreateRole, iam:PutRolePolicy]\n    Resource: !Sub 'arn:aws:iam::${AWS::AccountId}:role/app-*'\n    Condition: {StringEquals: {'iam:PermissionsBoundary': !Sub 'arn:aws:iam::${AWS::AccountId}:policy/app-boundary'}}\n",
			Scanners: []string{"checkov CKV_AWS_110", "checkov CKV_AWS_109", "cdk-nag AwsSolutions-IAM5"},
			Run:      forTypes(runPrivilegeEscalation, identityTypes...)},
		&Rule{ID: "SEC010", Name: "iam-passrole-star", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "iam:PassRole on every role",
			Doc:   "iam:PassRole on Resource \"*\" lets a principal hand any role of the account, an administrator's included, to a service it controls (an EC2 instance, a Lambda function, a CloudFormation stack) and act as that role. Name the roles it may pass, and narrow them with iam:PassedToService.",
			Bad:   "Statement: [{Effect: Allow, Action: iam:PassRole, Resource: '*'}]\n", Good: "Statement: [{Effect: Allow, Action: iam:PassRole, Resource: !GetAtt TaskRole.Arn, Condition: {StringEquals: {'iam:PassedToService': ecs-tasks.amazonaws.com}}}]\n",
			Scanners: []string{"cfn-nag F38", "cfn-nag F39", "cfn-nag F40", "checkov CKV_AWS_110", "cdk-nag AwsSolutions-IAM5"},
			Run:      forTypes(runPassRoleStar, identityTypes...)},
		&Rule{ID: "SEC011", Name: "iam-service-star", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "an IAM policy that allows every action of a service on every resource",
			Doc:   "A statement with Action \"s3:*\" (or any service:*) and Resource \"*\" makes its principal an administrator of that service in the account: for iam:* that is the whole account. Name the actions and the resources. (Action \"*\" on Resource \"*\" is SEC006.)",
			Bad:   "Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]\n", Good: "Statement: [{Effect: Allow, Action: [s3:GetObject, s3:PutObject], Resource: !Sub '${Bucket.Arn}/*'}]\n",
			Scanners: []string{"cdk-nag AwsSolutions-IAM5", "cdk-nag NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess", "cfn-nag F3", "cfn-nag F4", "cfn-nag F5", "checkov CKV_AWS_63"},
			Run:      forTypes(runServiceStar, identityTypes...)},
		&Rule{ID: "SEC012", Name: "iam-not-action", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "an Allow statement with NotAction",
			Doc:   "Allow with NotAction allows every action except those listed, every action AWS adds later included. Allow the actions the principal needs by name. (Deny with NotAction is the usual way to fence a principal in, and is fine.)",
			Bad:   "Statement: [{Effect: Allow, NotAction: 'iam:*', Resource: '*'}]\n", Good: "Statement: [{Effect: Allow, Action: [sqs:SendMessage], Resource: !GetAtt Queue.Arn}]\n",
			Scanners: []string{"cfn-nag W15", "cfn-nag W16", "cfn-nag W17"},
			Run:      forTypes(runNotAction, append(append([]string(nil), identityTypes...), resourcePolicyTypes...)...)},
		&Rule{ID: "SEC013", Name: "iam-admin-policy", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "a role, user or group with AdministratorAccess, PowerUserAccess or IAMFullAccess",
			Doc:   "These AWS managed policies make a role, user or group an administrator of the account (IAMFullAccess by letting it grant itself anything). Give it a policy of the actions and resources it uses.",
			Bad:   "ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]\n", Good: "Policies: [{PolicyName: deploy, PolicyDocument: {Statement: [{Effect: Allow, Action: [cloudformation:CreateChangeSet], Resource: !Sub 'arn:aws:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/app-*'}]}}]\n",
			Scanners: []string{"cfn-nag W43", "checkov CKV_AWS_274", "cdk-nag AwsSolutions-IAM4", "cdk-nag HIPAA.Security-IAMPolicyNoStatementsWithAdminAccess"},
			Run:      forTypes(runAdminPolicy, "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")},
		&Rule{ID: "SEC014", Name: "iam-open-trust", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "a role that anyone may assume",
			Doc:   "A trust policy that allows Principal \"*\" (or AWS: \"*\") lets a principal of any AWS account assume the role unless a Condition narrows it to an account, organization or ARN (aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalArn and the like; sts:ExternalId does not: it is not a secret). Name the trusted accounts, roles or services.",
			Bad:   "AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {AWS: '*'}, Action: sts:AssumeRole}]}\n", Good: "AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}]}\n",
			Scanners: []string{"checkov CKV_AWS_60", "cfn-nag F2"},
			Run:      forTypes(runOpenTrust, "AWS::IAM::Role")},
		&Rule{ID: "SEC015", Name: "public-resource-policy", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "a bucket, queue, topic or key policy that allows anyone",
			Doc:   "An Allow statement with Principal \"*\" in a bucket, queue, topic or KMS key policy opens the resource to every AWS account (and, for S3, to anonymous callers) unless a Condition narrows it: to the caller's account or organization (aws:PrincipalAccount, aws:PrincipalOrgID, kms:CallerAccount), a network (aws:SourceVpce, aws:SourceIp) or the resource a service acts for (aws:SourceArn, aws:SourceAccount). A Deny with Principal \"*\" (the TLS-only statement) is fine.",
			Bad:   "Statement: [{Effect: Allow, Principal: '*', Action: sqs:SendMessage, Resource: !GetAtt Queue.Arn}]\n", Good: "Statement: [{Effect: Allow, Principal: {Service: sns.amazonaws.com}, Action: sqs:SendMessage, Resource: !GetAtt Queue.Arn, Condition: {ArnEquals: {'aws:SourceArn': !Ref Topic}}}]\n",
			Scanners: []string{"cfn-nag F16", "cfn-nag F18", "cfn-nag F21", "cfn-nag F76", "checkov CKV_AWS_33"},
			Run:      forTypes(runPublicResourcePolicy, resourcePolicyTypes...)},
	)
}

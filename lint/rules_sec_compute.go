package lint

import (
	"regexp"
	"strings"

	"github.com/riglet/riglet/ir"
)

// The security family: instances, images and containers.

func runIMDSv1(p *Pass, r *Resource) {
	var mo *ir.Node
	switch r.Type {
	case "AWS::EC2::LaunchTemplate":
		mo = r.Prop("LaunchTemplateData.MetadataOptions")
	case "AWS::EC2::Instance":
		if r.Props.Get("LaunchTemplate") != nil && r.Props.Get("MetadataOptions") == nil {
			return // the launch template decides, and is checked itself
		}
		mo = r.Props.Get("MetadataOptions")
	default:
		mo = r.Props.Get("MetadataOptions")
	}
	if isIntrinsic(mo) {
		return
	}
	if ht := mo.Get("HttpTokens"); notRequired(ht) {
		at := ht
		if at == nil {
			at = mo
		}
		if ep, ok := literal(mo.Get("HttpEndpoint")); ok && ep == "disabled" {
			return // no metadata service at all
		}
		fix := "set MetadataOptions HttpTokens: required"
		if r.Type == "AWS::EC2::Instance" {
			fix = "launch it from a launch template that sets MetadataOptions HttpTokens: required"
		}
		p.Report(r, at, "%s allows IMDSv1, whose unauthenticated requests let a forged request (SSRF) read the instance role's credentials: %s", r.ID, fix)
	}
}

// notRequired reports whether HttpTokens is known not to be "required".
func notRequired(n *ir.Node) bool {
	if n == nil {
		return true
	}
	s, ok := literal(n)
	return ok && s != "required"
}

// Secrets in user data: an AWS access key, a private key, or an assignment of a
// literal to a name like a password, secret, token or key. A value that a shell
// computes ($VAR, $(command)) or CloudFormation fills in (${Param}) is not literal.
var (
	awsAccessKey  = regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`)
	privateKey    = regexp.MustCompile(`-----BEGIN ([A-Z]+ )?PRIVATE KEY-----`)
	secretAssign  = regexp.MustCompile(`(?i)\b[a-z0-9_.-]*(password|passwd|secret|token|api_?key|private_?key)[a-z0-9_]*\s*[=:]\s*("[^"\n]*"|'[^'\n]*'|[^\s"';|&]+)`)
	passwordFlag  = regexp.MustCompile(`(?i)--(password|passwd|secret|token|api-key)[= ]("[^"\n]*"|'[^'\n]*'|[^\s"';|&]+)`)
	computedValue = regexp.MustCompile(`^["']?(\$|\{\{|<|%|/|\./|arn:)`)
	// names of where a secret is, not of the secret itself
	secretRef = regexp.MustCompile(`(?i)[_.-](file|path|dir|url|uri|arn|id|name|secret_?id)$`)
)

// userDataText returns the literal text of a UserData value: the string inside
// Fn::Base64, with a Fn::Sub's template and the literal parts of a Fn::Join.
func userDataText(n *ir.Node) string {
	var b strings.Builder
	var walk func(n *ir.Node)
	walk = func(n *ir.Node) {
		if n == nil {
			return
		}
		if n.Kind == ir.String {
			b.WriteString(n.Text)
			b.WriteByte('\n')
			return
		}
		fn, arg, ok := n.Intrinsic()
		if !ok {
			return
		}
		switch fn {
		case "Fn::Base64":
			walk(arg)
		case "Fn::Sub":
			if arg.Kind == ir.List && len(arg.Items) > 0 {
				walk(arg.Items[0])
			} else {
				walk(arg)
			}
		case "Fn::Join":
			if arg.Kind == ir.List && len(arg.Items) == 2 {
				for _, it := range list(arg.Items[1]) {
					if it.Kind == ir.String {
						b.WriteString(it.Text)
					}
				}
				b.WriteByte('\n')
			}
		}
	}
	walk(n)
	return b.String()
}

// plaintextSecret returns what in user data looks like a literal secret, or "".
func plaintextSecret(s string) string {
	if m := awsAccessKey.FindString(s); m != "" {
		return "an AWS access key ID (" + m[:8] + "...)"
	}
	if privateKey.MatchString(s) {
		return "a private key"
	}
	for _, re := range []*regexp.Regexp{secretAssign, passwordFlag} {
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			v := m[len(m)-1]
			if len(strings.Trim(v, `"'`)) < 4 || computedValue.MatchString(v) || strings.Contains(v, "${") {
				continue
			}
			name, _, _ := strings.Cut(m[0], v)
			name = strings.TrimRight(strings.TrimSpace(name), "=: ")
			if secretRef.MatchString(name) {
				continue
			}
			return "a literal value for " + name
		}
	}
	return ""
}

func runUserDataSecret(p *Pass, r *Resource) {
	ud := r.Props.Get("UserData")
	if r.Type == "AWS::EC2::LaunchTemplate" {
		ud = r.Prop("LaunchTemplateData.UserData")
	}
	if ud == nil {
		return
	}
	if what := plaintextSecret(userDataText(ud)); what != "" {
		p.Report(r, ud, "the UserData of %s holds %s; anyone who may describe the instance or template reads it: fetch the secret at boot from Secrets Manager or SSM Parameter Store", r.ID, what)
	}
}

func runECRMutable(p *Pass, r *Resource) {
	m := r.Props.Get("ImageTagMutability")
	if s, ok := literal(m); m == nil || ok && !strings.HasPrefix(s, "IMMUTABLE") {
		p.Report(r, m, "repository %s lets a push overwrite a tag, so the image a tag names can change under a running service: set ImageTagMutability: IMMUTABLE", r.ID)
	}
}

func runECRScan(p *Pass, r *Resource) {
	if s := r.Prop("ImageScanningConfiguration.ScanOnPush"); notTrue(s) {
		p.Report(r, s, "repository %s does not scan images on push: set ImageScanningConfiguration ScanOnPush: true", r.ID)
	}
}

func runPrivileged(p *Pass, r *Resource) {
	if r.Type == "AWS::CodeBuild::Project" {
		if pm := r.Prop("Environment.PrivilegedMode"); isTrue(pm) {
			p.Report(r, pm, "CodeBuild project %s runs privileged, with root on its build host; if it builds Docker images, say so with a suppression", r.ID)
		}
		return
	}
	for _, c := range list(r.Props.Get("ContainerDefinitions")) {
		if pr := c.Get("Privileged"); isTrue(pr) {
			p.Report(r, pr, "container %s of %s runs privileged, with root on its host; drop it, or give the reason in a suppression", text(c.Get("Name")), r.ID)
		}
	}
}

func init() {
	register(
		&Rule{ID: "SEC021", Name: "imdsv1", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "an instance or launch template that allows IMDSv1",
			Doc:   "Without MetadataOptions HttpTokens required, the instance metadata service answers IMDSv1's unauthenticated GETs, so a server-side request forgery in anything the instance runs hands out the instance role's credentials. Require IMDSv2 tokens (and keep HttpPutResponseHopLimit at 1 unless containers on the host need 2). An instance launched from a launch template is judged by the template.",
			Bad:   "LaunchTemplateData: {ImageId: !Ref Ami}\n", Good: "LaunchTemplateData: {ImageId: !Ref Ami, MetadataOptions: {HttpTokens: required, HttpPutResponseHopLimit: 1}}\n",
			Scanners: []string{"checkov CKV_AWS_79", "cdk-nag HIPAA.Security-EC2IMDSv2Enabled", "cdk-nag NIST.800.53.R5-EC2IMDSv2Enabled"},
			Run:      forTypes(runIMDSv1, "AWS::EC2::Instance", "AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration")},
		&Rule{ID: "SEC028", Name: "userdata-secret", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "a plaintext secret in EC2 user data",
			Doc:   "User data is readable by anyone who may describe the instance or launch template, and from the instance's metadata service by every process on it; it also sits in the template and the stack. An AWS access key, a private key, or a literal assigned to a password, secret, token or key there is a leaked secret. Fetch secrets at boot (aws secretsmanager get-secret-value, with the instance role) instead. Values the shell computes ($VAR, $(...)) or CloudFormation fills in (${Param}) are not reported.",
			Bad:   "UserData: !Base64 \"#!/bin/sh\\nexport DB_PASSWORD=hunter22\\n\"\n", Good: "UserData: !Base64 \"#!/bin/sh\\nexport DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id db --query SecretString --output text)\\n\"\n",
			Scanners: []string{"checkov CKV_AWS_46"},
			Run:      forTypes(runUserDataSecret, "AWS::EC2::Instance", "AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration")},
		&Rule{ID: "SEC029", Name: "ecr-mutable-tags", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "an ECR repository whose tags can be overwritten",
			Doc:   "With mutable tags (ECR's default) a push can move a tag to another image, so what a deploy reviewed by tag is not what a later task pulls, and anyone who may push can replace a running service's image. Set ImageTagMutability IMMUTABLE and deploy by unique tags (the pipeline's commit tags).",
			Bad:   "Type: AWS::ECR::Repository\nProperties: {RepositoryName: app}\n", Good: "Properties: {RepositoryName: app, ImageTagMutability: IMMUTABLE, ImageScanningConfiguration: {ScanOnPush: true}}\n",
			Scanners: []string{"checkov CKV_AWS_51"},
			Run:      forTypes(runECRMutable, "AWS::ECR::Repository")},
		&Rule{ID: "SEC030", Name: "ecr-scan-on-push", Family: "security", Severity: Warning, Scope: ScopeTemplate,
			Title: "an ECR repository that does not scan images on push",
			Doc:   "Without ImageScanningConfiguration ScanOnPush true, a pushed image's known vulnerabilities are found only if someone asks. (An account's enhanced scanning, which a template cannot see, supersedes it; suppress with that reason.)",
			Bad:   "Properties: {RepositoryName: app}\n", Good: "Properties: {RepositoryName: app, ImageScanningConfiguration: {ScanOnPush: true}}\n",
			Scanners: []string{"cfn-nag W79", "checkov CKV_AWS_163"},
			Run:      forTypes(runECRScan, "AWS::ECR::Repository")},
		&Rule{ID: "SEC032", Name: "privileged-container", Family: "security", Severity: Error, Scope: ScopeTemplate,
			Title: "a privileged container or CodeBuild project without a reason",
			Doc:   "A privileged container (ECS Privileged, CodeBuild PrivilegedMode) has every capability and the host's devices: escaping it is trivial, so it is root on the host. CodeBuild needs it to build Docker images and nothing else; say so with `# riglet:ignore SEC032 <reason>` on the line, so that every privileged container in a review carries its reason.",
			Bad:   "Environment: {Type: LINUX_CONTAINER, PrivilegedMode: true, ...}\n", Good: "Environment: {Type: LINUX_CONTAINER, PrivilegedMode: true, ...} # riglet:ignore SEC032 docker build needs the Docker daemon\n",
			Scanners: []string{"cdk-nag AwsSolutions-CB3", "checkov CKV_AWS_316"},
			Run:      forTypes(runPrivileged, "AWS::ECS::TaskDefinition", "AWS::CodeBuild::Project")},
	)
}

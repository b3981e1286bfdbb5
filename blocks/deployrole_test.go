package blocks_test

import (
	"path"
	"strings"
	"testing"
)

// A small evaluator of one identity policy, enough to ask what the pipeline's deploy
// role may do: Allow and Deny statements with Action, Resource (wildcards) and the
// condition operators the block uses. An explicit Deny wins; a condition key missing
// from the request fails its condition, as in IAM.
type statement struct {
	effect     string
	actions    []string
	resources  []string
	conditions map[string]map[string][]string // operator -> key -> values
}

type request struct {
	action, resource string
	context          map[string]string
}

func parsePolicy(t *testing.T, doc map[string]any, refs map[string]string) []statement {
	t.Helper()
	var out []statement
	for _, raw := range list(doc["Statement"]) {
		st := raw.(map[string]any)
		s := statement{effect: str(st["Effect"]), conditions: map[string]map[string][]string{}}
		for _, a := range list(st["Action"]) {
			s.actions = append(s.actions, str(a))
		}
		for _, r := range list(st["Resource"]) {
			s.resources = append(s.resources, resolve(t, r, refs))
		}
		if st["NotAction"] != nil || st["NotResource"] != nil {
			t.Fatalf("statement %v: NotAction/NotResource not evaluated here", st["Sid"])
		}
		cond, _ := st["Condition"].(map[string]any)
		for op, kv := range cond {
			s.conditions[op] = map[string][]string{}
			for k, v := range kv.(map[string]any) {
				for _, x := range list(v) {
					s.conditions[op][k] = append(s.conditions[op][k], resolve(t, x, refs))
				}
			}
		}
		out = append(out, s)
	}
	return out
}

func resolve(t *testing.T, v any, refs map[string]string) string {
	t.Helper()
	if m, ok := v.(map[string]any); ok {
		if r, ok := refs[str(m["Ref"])]; ok {
			return r
		}
		t.Fatalf("cannot resolve %v", v)
	}
	return str(v)
}

// match is IAM's wildcard match: * any run, ? one character.
func match(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	// path.Match treats / specially; IAM does not
	pattern, s = strings.ReplaceAll(pattern, "/", "\x00"), strings.ReplaceAll(s, "/", "\x00")
	ok, _ := path.Match(pattern, s)
	return ok
}

func (s statement) applies(r request) bool {
	hit := false
	for _, a := range s.actions {
		hit = hit || match(a, r.action, true)
	}
	if !hit {
		return false
	}
	hit = false
	for _, res := range s.resources {
		hit = hit || match(res, r.resource, false)
	}
	if !hit {
		return false
	}
	for op, kv := range s.conditions {
		for k, want := range kv {
			got, present := r.context[k]
			ok := false
			for _, w := range want {
				switch op {
				case "StringEquals", "ArnEquals":
					ok = ok || (present && got == w)
				case "StringLike", "ArnLike":
					ok = ok || (present && match(w, got, false))
				default:
					panic("operator " + op + " not evaluated here")
				}
			}
			if !ok {
				return false
			}
		}
	}
	return true
}

func allowed(policy []statement, r request) bool {
	allow := false
	for _, s := range policy {
		if !s.applies(r) {
			continue
		}
		if s.effect == "Deny" {
			return false
		}
		allow = true
	}
	return allow
}

// deployPolicy is twig's pipeline deploy role's policy, and its boundary's ARN.
func deployPolicy(t *testing.T) ([]statement, string, string) {
	t.Helper()
	for _, s := range exampleStacks(t) {
		if s.riglet != "twig" || s.name != "build" {
			continue
		}
		var boundary, boundaryID string
		s.each("AWS::IAM::ManagedPolicy", func(id string, p map[string]any) {
			if strings.HasSuffix(str(p["ManagedPolicyName"]), "-app-boundary") {
				boundary, boundaryID = "arn:aws:iam::123456789012:policy/"+str(p["ManagedPolicyName"]), id
			}
		})
		if boundary == "" {
			t.Fatal("twig's build stack has no permissions boundary")
		}
		role := s.resources["PipelineDeployRole"]["Properties"].(map[string]any)
		var policy []statement
		for _, p := range list(role["Policies"]) {
			policy = append(policy, parsePolicy(t, p.(map[string]any)["PolicyDocument"].(map[string]any), map[string]string{boundaryID: boundary})...)
		}
		return policy, boundary, s.stackName
	}
	t.Fatal("twig has no build stack")
	return nil, "", ""
}

// The deploy role cannot make itself or anything it creates administrator.
func TestDeployRoleCannotEscalate(t *testing.T) {
	policy, boundary, buildStack := deployPolicy(t)
	const acct = "arn:aws:iam::123456789012:"
	appRole := acct + "role/buildit-twig-staging-app-twig-api-ServiceTaskRole-ABC123"
	own := acct + "role/" + buildStack + "-PipelineDeployRole-XYZ789"
	withBoundary := map[string]string{"iam:PermissionsBoundary": boundary}
	other := map[string]string{"iam:PermissionsBoundary": acct + "policy/wide-open"}
	for _, tc := range []struct {
		r    request
		want bool
	}{
		{request{"iam:CreateRole", appRole, withBoundary}, true},
		{request{"iam:CreateRole", appRole, nil}, false},
		{request{"iam:CreateRole", appRole, other}, false},
		{request{"iam:PutRolePolicy", appRole, withBoundary}, true},
		{request{"iam:AttachRolePolicy", appRole, withBoundary}, true},
		// a role without the boundary, or with another one, cannot be given policies
		{request{"iam:PutRolePolicy", appRole, nil}, false},
		{request{"iam:AttachRolePolicy", appRole, other}, false},
		{request{"iam:PutRolePermissionsBoundary", appRole, other}, false},
		// its own role, even were it to carry the boundary
		{request{"iam:PutRolePolicy", own, withBoundary}, false},
		{request{"iam:AttachRolePolicy", own, withBoundary}, false},
		{request{"iam:UpdateAssumeRolePolicy", own, nil}, false},
		// nor any role's trust, which no boundary bounds: rewriting it is assuming it
		{request{"iam:UpdateAssumeRolePolicy", appRole, withBoundary}, false},
		{request{"iam:UpdateAssumeRolePolicy", acct + "role/" + "buildit-twig-staging-db-CouchRole", nil}, false},
		{request{"iam:DeleteRolePermissionsBoundary", appRole, withBoundary}, false},
		{request{"iam:CreatePolicyVersion", boundary, nil}, false},
		{request{"iam:SetDefaultPolicyVersion", boundary, nil}, false},
		{request{"iam:DeletePolicy", boundary, nil}, false},
		{request{"iam:CreatePolicy", acct + "policy/anything", nil}, false},
		{request{"iam:CreateRole", acct + "role/someone-else-Admin", withBoundary}, false},
		{request{"iam:PassRole", appRole, map[string]string{"iam:PassedToService": "ecs-tasks.amazonaws.com"}}, true},
		{request{"iam:PassRole", appRole, map[string]string{"iam:PassedToService": "lambda.amazonaws.com"}}, false},
		{request{"sts:AssumeRole", appRole, nil}, false},
	} {
		if got := allowed(policy, tc.r); got != tc.want {
			t.Errorf("%s on %s with %v: allowed %v, want %v", tc.r.action, tc.r.resource, tc.r.context, got, tc.want)
		}
	}
}

// Services, rules, security groups, log groups and alarms: only the riglet's own.
func TestDeployRoleReachesOnlyTheRigletsResources(t *testing.T) {
	policy, _, _ := deployPolicy(t)
	const region = "us-west-2:123456789012:"
	app := map[string]string{
		"aws:ResourceTag/aws:cloudformation:stack-name": "buildit-twig-staging-app-twig-api",
		"ec2:ResourceTag/aws:cloudformation:stack-name": "buildit-twig-staging-app-twig-api",
	}
	db := map[string]string{
		"aws:ResourceTag/aws:cloudformation:stack-name": "buildit-twig-staging-db",
		"ec2:ResourceTag/aws:cloudformation:stack-name": "buildit-twig-staging-db",
	}
	foreign := map[string]string{
		"aws:ResourceTag/aws:cloudformation:stack-name": "payments-prod-api",
		"ec2:ResourceTag/aws:cloudformation:stack-name": "payments-prod-api",
	}
	foundation := map[string]string{"aws:ResourceTag/aws:cloudformation:stack-name": "buildit-twig-staging-foundation"}
	sg := "arn:aws:ec2:" + region + "security-group/sg-0123456789abcdef0"
	rule := "arn:aws:elasticloadbalancing:" + region + "listener-rule/app/alb/0123/4567/89ab"
	listener := "arn:aws:elasticloadbalancing:" + region + "listener/app/alb/0123/4567"
	for _, tc := range []struct {
		r    request
		want bool
	}{
		{request{"ecs:UpdateService", "arn:aws:ecs:" + region + "service/cluster/buildit-twig-staging-app-twig-api-Service-1", nil}, true},
		{request{"ecs:UpdateService", "arn:aws:ecs:" + region + "service/cluster/payments-api", nil}, false},
		{request{"ecs:DeleteService", "arn:aws:ecs:" + region + "service/cluster/payments-api", nil}, false},
		{request{"elasticloadbalancing:ModifyRule", rule, app}, true},
		{request{"elasticloadbalancing:ModifyRule", rule, foreign}, false},
		{request{"elasticloadbalancing:DeleteRule", rule, foundation}, false},
		{request{"elasticloadbalancing:CreateRule", listener, foundation}, true},
		{request{"elasticloadbalancing:CreateRule", listener, foreign}, false},
		{request{"ec2:AuthorizeSecurityGroupIngress", sg, app}, true},
		{request{"ec2:AuthorizeSecurityGroupIngress", sg, db}, false},
		{request{"ec2:AuthorizeSecurityGroupIngress", sg, foreign}, false},
		{request{"ec2:RevokeSecurityGroupEgress", sg, foreign}, false},
		{request{"ec2:DeleteSecurityGroup", sg, db}, false},
		{request{"logs:DeleteLogGroup", "arn:aws:logs:" + region + "log-group:buildit-twig-staging-app-twig-api-ServiceLogGroup-1", nil}, true},
		{request{"logs:DeleteLogGroup", "arn:aws:logs:" + region + "log-group:/aws/cloudtrail/audit", nil}, false},
		{request{"cloudwatch:DeleteAlarms", "arn:aws:cloudwatch:" + region + "alarm:buildit-twig-staging-app-twig-api-Service-cpu", nil}, true},
		{request{"cloudwatch:DeleteAlarms", "arn:aws:cloudwatch:" + region + "alarm:payments-errors", nil}, false},
		{request{"s3:DeleteBucket", "arn:aws:s3:::anything", nil}, false},
	} {
		if got := allowed(policy, tc.r); got != tc.want {
			t.Errorf("%s on %s with %v: allowed %v, want %v", tc.r.action, tc.r.resource, tc.r.context, got, tc.want)
		}
	}
}

// Every role an app stack of a riglet with a pipeline creates carries its boundary, or
// the pipeline could not deploy it.
func TestTwigAppRolesCarryTheBoundary(t *testing.T) {
	_, boundary, _ := deployPolicy(t)
	n := 0
	for _, s := range exampleStacks(t) {
		if s.riglet != "twig" || !strings.HasPrefix(s.name, "app-") {
			continue
		}
		s.each("AWS::IAM::Role", func(id string, p map[string]any) {
			n++
			if got := str(p["PermissionsBoundary"]); got != boundary {
				t.Errorf("%s %s: boundary %q, want %s", s.stackName, id, got, boundary)
			}
		})
	}
	if n < 12 {
		t.Errorf("only %d app roles checked", n)
	}
}

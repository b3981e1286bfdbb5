//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSpacesCrossAccount deploys the spaces example, whose envs live in accounts of their
// own, through the Makefile, each env with credentials of its own account, and checks
// what moto holds in each: the shared stacks in the pipeline's account, each env's stacks
// in its account only, each env's deploy role trusting exactly the pipeline's roles, and
// the artifact bucket, its key and the image repositories shared with exactly the envs.
//
// moto takes the account of a request from the access key when it knows the key (an
// STS AssumeRole answer's is kept in the role's account), from MOTO_ACCOUNT_ID for the
// whole server otherwise: each env's credentials here come from an assume-role into that
// env's account.
func TestSpacesCrossAccount(t *testing.T) {
	start := time.Now()
	w := newWorld(t, "spaces")
	accounts := map[string]string{}
	for _, env := range []string{"shared", "dev", "qa", "prod"} {
		accounts[env] = w.manifest("spaces", env).Account
	}
	if accounts["shared"] != accounts["dev"] || accounts["dev"] == accounts["qa"] || accounts["qa"] == accounts["prod"] || accounts["dev"] == accounts["prod"] {
		t.Fatalf("spaces's accounts: %v; want dev's for the shared stacks, and three different ones", accounts)
	}
	creds := map[string][]string{}
	for env, acct := range accounts {
		creds[env] = w.assumeInto(acct)
	}

	// qa and prod listen on HTTPS: their certificates must exist in their own accounts.
	for _, env := range []string{"qa", "prod"} {
		var cert struct{ CertificateArn string }
		w.awsAs(creds[env], &cert, "acm", "request-certificate", "--domain-name", env+".spaces.example.com")
		if !strings.Contains(cert.CertificateArn, ":"+accounts[env]+":") {
			t.Fatalf("the certificate of %s is %s, not in its account %s", env, cert.CertificateArn, accounts[env])
		}
		file := "envs/" + env + ".yaml"
		b, err := os.ReadFile(filepath.Join(w.repo, file))
		if err != nil {
			t.Fatal(err)
		}
		old := regexp.MustCompile(`(?m)^certificate: .*$`).FindString(string(b))
		w.edit(file, old, "certificate: "+cert.CertificateArn)
	}
	w.mustMake("compile", "RIGLET=spaces")
	w.commit("envs: the certificates of the moto accounts")

	// The shared stacks first, in the pipeline's account: the envs' deploy roles trust
	// its pipeline roles, which must exist.
	if out, ok := w.make(creds["shared"], "create-environment", "ENV=shared", "RIGLET=spaces"); !ok {
		t.Fatalf("make create-environment ENV=shared failed:\n%s", out)
	}
	for _, env := range []string{"dev", "qa", "prod"} {
		out, ok := w.make(creds[env], "check-env", "ENV="+env, "RIGLET=spaces")
		if env != "dev" && !strings.Contains(out, "create them there first") {
			t.Errorf("make check-env ENV=%s in its own account does not say what to create first in account %s:\n%s", env, accounts["shared"], out)
		}
		_ = ok // the certificates of qa and prod are not in moto: check-env says so, on purpose
		if out, ok := w.make(creds[env], "create-environment", "ENV="+env, "RIGLET=spaces", "IMAGE_TAG=0a1b2c3d4e5f"); !ok {
			t.Fatalf("make create-environment ENV=%s failed:\n%s", env, out)
		}
	}

	// Each account holds its own stacks, and no other env's.
	for _, env := range []string{"dev", "qa", "prod"} {
		var got struct {
			Stacks []struct{ StackName, StackStatus string }
		}
		w.awsAs(creds[env], &got, "cloudformation", "describe-stacks")
		var names []string
		for _, s := range got.Stacks {
			names = append(names, s.StackName)
		}
		for _, s := range w.manifest("spaces", env).Stacks {
			if !slices.Contains(names, s.StackName) {
				t.Errorf("account %s (%s) has no stack %s; it has %v", accounts[env], env, s.StackName, names)
			}
		}
		for _, n := range names {
			if !strings.HasPrefix(n, "wework-spaces-"+env+"-") && !(env == "dev" && (n == "wework-spaces-bootstrap" || n == "wework-spaces-build")) {
				t.Errorf("account %s (%s) holds stack %s of another env", accounts[env], env, n)
			}
		}
	}

	// Each env's deploy role trusts only the pipeline's roles, which exist in the
	// pipeline's account; its CloudFormation role only CloudFormation.
	apps := []string{"bookings", "members"}
	var pipelineRoles []string
	for _, app := range apps {
		arn := fmt.Sprintf("arn:aws:iam::%s:role/wework-spaces-build-%s", accounts["shared"], app)
		pipelineRoles = append(pipelineRoles, arn)
		var role struct{ Role struct{ Arn string } }
		w.awsAs(creds["shared"], &role, "iam", "get-role", "--role-name", "wework-spaces-build-"+app)
		if role.Role.Arn != arn {
			t.Errorf("the pipeline role of %s is %q, want %s", app, role.Role.Arn, arn)
		}
	}
	for _, env := range []string{"dev", "qa", "prod"} {
		action := "wework-spaces-" + env + "-deploy-action"
		principals, services := w.trust(creds[env], action)
		slices.Sort(principals)
		if !slices.Equal(principals, pipelineRoles) || len(services) != 0 {
			t.Errorf("%s in account %s trusts %v and services %v; want exactly the pipeline's roles %v", action, accounts[env], principals, services, pipelineRoles)
		}
		principals, services = w.trust(creds[env], "wework-spaces-"+env+"-deploy-cfn")
		if len(principals) != 0 || !slices.Equal(services, []string{"cloudformation.amazonaws.com"}) {
			t.Errorf("the CloudFormation role of %s trusts %v and %v; want cloudformation.amazonaws.com alone", env, principals, services)
		}
		// the env's own key, in its own account
		var aliases struct{ Aliases []struct{ AliasName string } }
		w.awsAs(creds[env], &aliases, "kms", "list-aliases")
		want := "alias/wework-spaces-" + env + "-foundation"
		found := false
		for _, a := range aliases.Aliases {
			found = found || a.AliasName == want
		}
		if !found {
			t.Errorf("account %s has no key %s: %v", accounts[env], want, aliases.Aliases)
		}
	}
	// No env account but the pipeline's holds the pipeline's roles.
	for _, env := range []string{"qa", "prod"} {
		if err := w.awsAsErr(creds[env], nil, "iam", "get-role", "--role-name", "wework-spaces-build-members"); err == nil {
			t.Errorf("account %s (%s) holds the pipeline's role", accounts[env], env)
		}
	}

	// The artifact buckets' policies and the repositories' pull policies: moto's
	// CloudFormation records them as stack resources but applies neither (get-bucket-policy
	// and get-repository-policy answer "does not exist"), so moto is asked that the stacks
	// hold them, and blocks' TestPipelineAndDeployRolesMatch judges what they say.
	for stack, want := range map[string]string{"wework-spaces-build": "AWS::S3::BucketPolicy", "wework-spaces-bootstrap": "AWS::ECR::Repository"} {
		var got struct {
			StackResources []struct{ ResourceType, ResourceStatus string }
		}
		w.awsAs(creds["shared"], &got, "cloudformation", "describe-stack-resources", "--stack-name", stack)
		n := 0
		for _, r := range got.StackResources {
			if r.ResourceType == want && r.ResourceStatus == "CREATE_COMPLETE" {
				n++
			}
		}
		if n != len(apps) {
			t.Errorf("stack %s in the pipeline's account holds %d complete %s, want one per app (%d)", stack, n, want, len(apps))
		}
	}
	t.Logf("spaces, four accounts' worth of stacks deployed and checked in %.1fs", time.Since(start).Seconds())
}

// assumeInto returns credentials (environment variables) of the given account: moto
// keeps an assumed role's access key in the role's account.
func (w *world) assumeInto(account string) []string {
	w.t.Helper()
	var got struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	}
	w.awsAs(nil, &got, "sts", "assume-role", "--role-arn", "arn:aws:iam::"+account+":role/e2e-admin", "--role-session-name", "e2e")
	c := got.Credentials
	env := []string{"AWS_ACCESS_KEY_ID=" + c.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + c.SecretAccessKey, "AWS_SESSION_TOKEN=" + c.SessionToken}
	var who struct{ Account string }
	w.awsAs(env, &who, "sts", "get-caller-identity")
	if who.Account != account {
		w.t.Fatalf("credentials assumed into account %s are for account %s", account, who.Account)
	}
	return env
}

// trust returns the AWS principals and the services a role's trust policy allows.
func (w *world) trust(creds []string, role string) (principals, services []string) {
	w.t.Helper()
	var got struct {
		Role struct {
			AssumeRolePolicyDocument struct {
				Statement []struct {
					Effect    string
					Principal map[string]any
				}
			}
		}
	}
	w.awsAs(creds, &got, "iam", "get-role", "--role-name", role)
	for _, s := range got.Role.AssumeRolePolicyDocument.Statement {
		if s.Effect != "Allow" {
			continue
		}
		principals = append(principals, anyStrings(s.Principal["AWS"])...)
		services = append(services, anyStrings(s.Principal["Service"])...)
	}
	return principals, services
}

func anyStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, i := range x {
			out = append(out, fmt.Sprint(i))
		}
		return out
	}
	return nil
}

// awsAs asks moto in us-east-1 (spaces's region) with the given credentials (nil: the
// default ones) and decodes the JSON answer.
func (w *world) awsAs(creds []string, v any, args ...string) {
	w.t.Helper()
	if err := w.awsAsErr(creds, v, args...); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) awsAsErr(creds []string, v any, args ...string) error {
	return w.awsIn("us-east-1", creds, v, args...)
}

package blocks_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
)

// The properties of cross-account deploys and per-service grants, on every template the
// example riglets generate (spaces is the cross-account one).

// Every role another account may assume names the roles it trusts, never a whole account
// (":root") nor everyone: a trust of the pipeline's account would let any of its
// principals with sts:AssumeRole deploy production.
func TestTrustNamesRolesNotAccounts(t *testing.T) {
	n := 0
	for _, s := range exampleStacks(t) {
		s.each("AWS::IAM::Role", func(id string, p map[string]any) {
			doc, _ := p["AssumeRolePolicyDocument"].(map[string]any)
			for _, raw := range list(doc["Statement"]) {
				st := raw.(map[string]any)
				pr, _ := st["Principal"].(map[string]any)
				for _, a := range list(pr["AWS"]) {
					n++
					arn := str(a)
					if !strings.Contains(arn, ":role/") || strings.Contains(arn, "*") {
						t.Errorf("%s/%s %s trusts %v: name the role, not the account", s.riglet, s.env, id, a)
					}
				}
			}
		})
	}
	if n == 0 {
		t.Error("no role of the examples trusts another principal: the cross-account example is gone")
	}
}

// Each env's deploy stack trusts exactly the pipeline roles the shared stack creates, in
// the shared stack's account, and the pipeline assumes exactly the envs' action roles,
// in each env's account; the artifacts and their key are shared with exactly those.
func TestPipelineAndDeployRolesMatch(t *testing.T) {
	res, err := compiler.Compile(os.DirFS(".."), blocks.FS, "riglets/spaces.yaml", compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	accounts := map[string]string{}
	stacks := map[string]map[string]map[string]any{} // env/stack -> resources
	for _, er := range res.Envs {
		accounts[er.Env] = er.Account
		for _, sr := range er.Stacks {
			rs := map[string]map[string]any{}
			for _, p := range sr.Template.Get("Resources").Pairs {
				rs[p.Key] = plain(p.Value).(map[string]any)
			}
			stacks[er.Env+"/"+sr.Name] = rs
		}
	}
	build := stacks["shared/build"]
	if build == nil {
		t.Fatal("spaces has no shared build stack")
	}
	var pipelineRoles []string
	for _, r := range build {
		p, _ := r["Properties"].(map[string]any)
		if r["Type"] == "AWS::IAM::Role" && strings.Contains(fmt.Sprint(p["AssumeRolePolicyDocument"]), "codepipeline.amazonaws.com") {
			name := str(p["RoleName"])
			if name == "" {
				t.Errorf("a pipeline role has no name, so no env's deploy role can trust it")
			}
			pipelineRoles = append(pipelineRoles, "arn:aws:iam::"+accounts["shared"]+":role/"+name)
		}
	}
	slices.Sort(pipelineRoles)
	var actionRoles []string
	for _, env := range []string{"dev", "qa", "prod"} {
		deploy := stacks[env+"/deploy"]
		action := deploy["RoleActionRole"]
		if action == nil {
			t.Fatalf("env %s's deploy stack has no action role", env)
		}
		p := action["Properties"].(map[string]any)
		var trusted []string
		for _, st := range list(p["AssumeRolePolicyDocument"].(map[string]any)["Statement"]) {
			for _, a := range list(st.(map[string]any)["Principal"].(map[string]any)["AWS"]) {
				trusted = append(trusted, str(a))
			}
		}
		slices.Sort(trusted)
		if !slices.Equal(trusted, pipelineRoles) {
			t.Errorf("env %s's action role trusts %v, want the pipeline's roles %v", env, trusted, pipelineRoles)
		}
		actionRoles = append(actionRoles, "arn:aws:iam::"+accounts[env]+":role/"+str(p["RoleName"]))
	}
	// what the pipelines assume, what the bucket and key policies let read
	text := fmt.Sprint(build)
	for _, arn := range actionRoles {
		// each pipeline: its deploy action's RoleArn and its role's sts:AssumeRole; each
		// bucket policy and the key policy: the condition naming the role
		want := 2*len(pipelineRoles) + len(pipelineRoles) + 1
		if got := strings.Count(text, arn); got != want {
			t.Errorf("the build stack names %s %d times, want %d (per pipeline its action and its assume, per bucket and the key the read grant)", arn, got, want)
		}
	}
	for id, r := range build {
		if r["Type"] != "AWS::S3::BucketPolicy" && r["Type"] != "AWS::KMS::Key" {
			continue
		}
		p := r["Properties"].(map[string]any)
		doc, _ := p["PolicyDocument"].(map[string]any)
		if doc == nil {
			doc, _ = p["KeyPolicy"].(map[string]any)
		}
		for _, raw := range list(doc["Statement"]) {
			st := raw.(map[string]any)
			if st["Effect"] != "Allow" || !strings.Contains(fmt.Sprint(st["Condition"]), "-deploy-action") {
				continue
			}
			for _, a := range list(st["Action"]) {
				if !slices.Contains([]string{"s3:GetObject", "s3:GetObjectVersion", "kms:Decrypt", "kms:DescribeKey"}, str(a)) {
					t.Errorf("%s lets an env's deploy role %s: more than reading", id, a)
				}
			}
		}
	}
}

// Each service of spaces gets only what it declares: every managed policy attached to a
// task role names resources of the service's own stack, by ARN, never "*" (or the env's
// own key, which encrypts them).
func TestTaskRolesNameTheirResources(t *testing.T) {
	n := 0
	for _, s := range exampleStacks(t) {
		if s.riglet != "spaces" || !strings.HasPrefix(s.name, "app-") {
			continue
		}
		s.each("AWS::IAM::ManagedPolicy", func(id string, p map[string]any) {
			roles := fmt.Sprint(p["Roles"])
			if !strings.Contains(roles, "ServiceTaskRole") {
				return
			}
			n++
			doc := p["PolicyDocument"].(map[string]any)
			for _, raw := range list(doc["Statement"]) {
				st := raw.(map[string]any)
				for _, r := range list(st["Resource"]) {
					ref := fmt.Sprint(r)
					if strings.HasPrefix(ref, "map[Fn::ImportValue:"+strings.TrimSuffix(s.stackName, s.name)+"foundation--KeyKeyArn]") {
						continue // the env's own key, which encrypts the resource
					}
					if ref == "*" || !strings.Contains(ref, "GetAtt") && !strings.Contains(ref, "Sub") && !strings.Contains(ref, "Ref") {
						t.Errorf("%s/%s %s grants the task role %v, not an ARN of its stack", s.env, s.name, id, r)
						continue
					}
					found := false
					for rid := range s.resources {
						found = found || strings.Contains(ref, rid+" ") || strings.Contains(ref, "${"+rid+".") || strings.Contains(ref, "["+rid+" ")
					}
					if !found {
						t.Errorf("%s/%s %s grants the task role %v, not a resource of its stack", s.env, s.name, id, r)
					}
				}
			}
		})
	}
	if n == 0 {
		t.Error("no task role of spaces has a grant: each service declares what it uses")
	}
}

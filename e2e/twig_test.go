//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type stackDesc struct {
	StackName                   string
	StackStatus                 string
	CreationTime                time.Time
	EnableTerminationProtection bool
	Tags                        []struct{ Key, Value string }
	Parameters                  []struct{ ParameterKey, ParameterValue string }
	Outputs                     []struct{ OutputKey, OutputValue, ExportName string }
}

func (w *world) stacks() map[string]stackDesc {
	var out struct{ Stacks []stackDesc }
	w.aws(&out, "cloudformation", "describe-stacks")
	m := map[string]stackDesc{}
	for _, s := range out.Stacks {
		m[s.StackName] = s
	}
	return m
}

// certificate stands in for the env's ACM certificate, which moto must hold before an
// HTTPS listener can use it: the harness requests one and points the env file at it, then
// recompiles and commits. The test checks that nothing else in the templates changed.
func (w *world) certificate(env string) {
	t := w.t
	var cert struct{ CertificateArn string }
	w.aws(&cert, "acm", "request-certificate", "--domain-name", env+".twig.example.com")
	envFile := filepath.Join(w.repo, "envs", env+".yaml")
	b, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	var old string
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "certificate: "); ok {
			old = v
		}
	}
	if old == "" {
		t.Fatalf("envs/%s.yaml has no certificate", env)
	}
	w.edit("envs/"+env+".yaml", "certificate: "+old, "certificate: "+cert.CertificateArn)
	for _, r := range w.riglets {
		w.mustMake("compile", "RIGLET="+r)
		dir := filepath.Join("out", r, env)
		files, _ := filepath.Glob(filepath.Join(w.root, dir, "*.yaml"))
		for _, f := range files {
			committed, _ := os.ReadFile(f)
			now, err := os.ReadFile(filepath.Join(w.repo, dir, filepath.Base(f)))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(string(committed), strings.ReplaceAll(string(now), cert.CertificateArn, old)); d != "" {
				t.Fatalf("%s changed beyond the certificate (-committed +deployed):\n%s", f, d)
			}
		}
	}
	w.commit("the certificate of " + env)
}

// TestTwig deploys the twig example's staging env through the Makefile, changes it,
// updates it, and deletes it, asserting on moto's state and the AWS CLI calls at each step.
func TestTwig(t *testing.T) {
	w := newWorld(t, "twig")
	m := w.manifest("twig", "staging")

	// The committed out/ matches its sources before the harness touches anything.
	w.mustMake("verify", "RIGLET=twig")
	w.certificate("staging")

	t.Run("bootstrap", func(t *testing.T) {
		// what a first deploy needs is said before anything is deployed
		out, ok := w.make(nil, "check-env", "ENV=staging")
		if ok || !strings.Contains(out, "FAILED  bootstrap: buildit-twig-bootstrap is not there: make create-bootstrap ENV=shared RIGLET=twig") ||
			!strings.Contains(out, "ok      certificate: arn:aws:acm:us-west-2:") || !strings.Contains(out, "ok      credentials: account "+m.Account) {
			t.Errorf("check-env before the bootstrap: ok=%v, want the bootstrap FAILED and the rest ok", ok)
		}
		n := w.callCount()
		out, ok = w.make(nil, "create-environment", "ENV=staging")
		if ok || !strings.Contains(out, "first make create-bootstrap ENV=shared RIGLET=twig") {
			t.Errorf("create-environment before the bootstrap: ok=%v, want a refusal saying to create the bootstrap first", ok)
		}
		for _, c := range w.callsSince(n) {
			if strings.Contains(c, "cloudformation deploy") {
				t.Errorf("create-environment before the bootstrap deployed: %q", c)
			}
		}
		w.mustMake("create-bootstrap", "ENV=shared")
		out = w.mustMake("check-env", "ENV=staging")
		if !strings.Contains(out, "ok      bootstrap: buildit-twig-bootstrap is CREATE_COMPLETE") {
			t.Errorf("check-env after the bootstrap does not say it is there")
		}
		var repos struct {
			Repositories []struct{ RepositoryName, ImageTagMutability string }
		}
		w.aws(&repos, "ecr", "describe-repositories")
		got := map[string]string{}
		for _, r := range repos.Repositories {
			got[r.RepositoryName] = r.ImageTagMutability
		}
		for _, app := range []string{"app-twig-api", "app-twig"} {
			repo := strings.TrimPrefix(app, "app-")
			if got["twig/"+repo] != "IMMUTABLE" {
				t.Errorf("the bootstrap has no immutable repository twig/%s for %s: %v", repo, app, got)
			}
		}
	})
	if t.Failed() {
		t.FailNow()
	}

	// An app stack's image tag has no default (none is sure to exist): its first deploy
	// without IMAGE_TAG is refused before anything is created.
	t.Run("first deploy without IMAGE_TAG", func(t *testing.T) {
		n := w.callCount()
		out, ok := w.make(nil, "create-environment", "ENV=staging")
		if ok || !strings.Contains(out, "IMAGE_TAG=") || !strings.Contains(out, "does not exist yet") {
			t.Errorf("create-environment without IMAGE_TAG: ok=%v, want a failure asking for IMAGE_TAG", ok)
		}
		for _, c := range w.callsSince(n) {
			if !strings.Contains(c, "cloudformation describe-stacks") {
				t.Errorf("a refused first deploy called %q; want only describe-stacks", c)
			}
		}
	})

	t.Run("create-environment", func(t *testing.T) {
		n := w.callCount()
		w.mustMake("create-environment", "ENV=staging", "IMAGE_TAG=1")
		calls := w.callsSince(n)
		// Only describe-stacks (is the bootstrap there? does an app stack exist yet?) may
		// come before the account check; nothing that changes AWS does.
		first := 0
		for first < len(calls) && strings.Contains(calls[first], "cloudformation describe-stacks") {
			first++
		}
		if first == len(calls) || !strings.HasPrefix(calls[first], "--endpoint-url=") || !strings.Contains(calls[first], "sts get-caller-identity") {
			t.Errorf("first call but describe-stacks %q, want sts get-caller-identity", calls)
		}
		var deployed []string
		for _, c := range calls {
			if strings.Contains(c, "cloudformation deploy ") {
				deployed = append(deployed, flag(c, "--stack-name"))
				if !strings.Contains(c, "--no-fail-on-empty-changeset") || flag(c, "--region") != m.Region {
					t.Errorf("deploy call %q: want --no-fail-on-empty-changeset and --region %s", c, m.Region)
				}
			}
			if strings.Contains(c, "update-termination-protection") {
				t.Errorf("staging got termination protection: %q", c)
			}
		}
		var want []string
		for _, s := range m.Stacks {
			want = append(want, s.StackName)
		}
		if d := cmp.Diff(want, deployed); d != "" {
			t.Errorf("deploy calls not in stacks.json's order (-want +got):\n%s", d)
		}
		// stacks.json's order is a dependency order
		seen := map[string]bool{}
		for _, s := range m.Stacks {
			for _, need := range s.Needs {
				if !seen[need] {
					t.Errorf("stacks.json deploys %s before %s, which it needs", s.Name, need)
				}
			}
			seen[s.Name] = true
		}
		live := w.stacks()
		for _, s := range m.Stacks {
			got, ok := live[s.StackName]
			if !ok || got.StackStatus != "CREATE_COMPLETE" {
				t.Errorf("stack %s: status %q, want CREATE_COMPLETE", s.StackName, got.StackStatus)
				continue
			}
			tags := map[string]string{}
			for _, tag := range got.Tags {
				tags[tag.Key] = tag.Value
			}
			if d := cmp.Diff(s.Tags, tags); d != "" {
				t.Errorf("stack %s tags (-stacks.json +moto):\n%s", s.StackName, d)
			}
			for _, need := range s.Needs {
				if n := live[m.stackName(need)]; n.CreationTime.After(got.CreationTime) {
					t.Errorf("stack %s created at %v, before %s it needs (%v)", s.StackName, got.CreationTime, need, n.CreationTime)
				}
			}
		}
	})
	if t.Failed() {
		t.FailNow()
	}

	t.Run("network", func(t *testing.T) { w.checkNetwork(m, "twig", "staging") })
	t.Run("exports and imports", func(t *testing.T) { w.checkExports(m, "twig", "staging") })
	t.Run("topics and queues", func(t *testing.T) { w.checkTopicsQueues(m, "twig", "staging") })
	t.Run("listener rule priorities", func(t *testing.T) { w.checkPriorities(m, "twig", "staging") })
	t.Run("image tag of the first deploy", func(t *testing.T) {
		svc := w.service(m, "app-twig-api")
		if !strings.HasSuffix(svc.image, ":1") || svc.desired != 2 {
			t.Errorf("app-twig-api runs %s x%d, want IMAGE_TAG's 1 x2 (envs/staging.yaml)", svc.image, svc.desired)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		n := w.callCount()
		// a source edited but not compiled: out/ is stale, and nothing is called
		w.edit("riglets/twig.yaml", "HealthCheckPath: /ping", "HealthCheckPath: /pong")
		out, ok := w.make(nil, "update-app-twig-api", "ENV=staging")
		if ok || !strings.Contains(out, "does not match the sources") || !strings.Contains(out, "stale") {
			t.Errorf("update with a stale out/: ok=%v, want a failure naming the stale files", ok)
		}
		w.edit("riglets/twig.yaml", "HealthCheckPath: /pong", "HealthCheckPath: /ping")
		for _, args := range [][]string{{"create-foundation"}, {"create-foundation", "ENV=qa"}, {"create-nostack", "ENV=staging"}} {
			out, ok := w.make(nil, args...)
			if ok || !strings.Contains(out, "staging") {
				t.Errorf("make %v: ok=%v, want a failure that names the envs or stacks", args, ok)
			}
		}
		if c := w.callsSince(n); len(c) > 0 {
			t.Errorf("refused targets called the AWS CLI: %q", c)
		}
		// credentials of another account: one sts call, no deploy
		var creds struct {
			Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		}
		w.aws(&creds, "sts", "assume-role", "--role-arn", "arn:aws:iam::111111111111:role/other", "--role-session-name", "e2e")
		c := creds.Credentials
		n = w.callCount()
		out, ok = w.make([]string{"AWS_ACCESS_KEY_ID=" + c.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + c.SecretAccessKey,
			"AWS_SESSION_TOKEN=" + c.SessionToken}, "update-foundation", "ENV=staging")
		if ok || !strings.Contains(out, "account 111111111111") || !strings.Contains(out, m.Account) {
			t.Errorf("deploy with another account's credentials: ok=%v, want a failure naming both accounts", ok)
		}
		if calls := w.callsSince(n); len(calls) != 1 || !strings.Contains(calls[0], "sts get-caller-identity") {
			t.Errorf("calls with another account's credentials: %q, want sts get-caller-identity alone", calls)
		}
		// delete without YES=1 and nobody to answer
		n = w.callCount()
		out, ok = w.make(nil, "delete-app-twig", "ENV=staging")
		if ok || !strings.Contains(out, "YES=1") {
			t.Errorf("delete without confirmation: ok=%v, want a refusal that mentions YES=1", ok)
		}
		for _, c := range w.callsSince(n) {
			if strings.Contains(c, "delete-stack") {
				t.Errorf("delete without confirmation called %q", c)
			}
		}
	})

	// A change to the source: staging runs three API tasks.
	w.edit("riglets/twig.yaml", "          integration: {DesiredCount: 1}\n          production: {DesiredCount: 3}\n        with: [autoscale]",
		"          integration: {DesiredCount: 1}\n          staging: {DesiredCount: 3}\n          production: {DesiredCount: 3}\n        with: [autoscale]")
	w.mustMake("compile", "RIGLET=twig")
	w.commit("staging runs three API tasks")
	apiStack := m.stackName("app-twig-api")
	serviceID := w.logicalID("twig", "staging", "app-twig-api.yaml", "AWS::ECS::Service")

	t.Run("changeset", func(t *testing.T) {
		n := w.callCount()
		out := w.mustMake("changeset-app-twig-api", "ENV=staging", "OUTPUT=json")
		if !strings.Contains(out, `"Action": "Modify"`) || !strings.Contains(out, `"LogicalId": "`+serviceID+`"`) {
			t.Errorf("change set output does not show %s modified", serviceID)
		}
		calls := strings.Join(w.callsSince(n), "\n")
		for _, want := range []string{"--no-execute-changeset", "describe-change-set"} {
			if !strings.Contains(calls, want) {
				t.Errorf("changeset calls lack %s:\n%s", want, calls)
			}
		}
		if st := w.stacks()[apiStack].StackStatus; st != "CREATE_COMPLETE" {
			t.Errorf("after a change set only, %s is %s, want CREATE_COMPLETE", apiStack, st)
		}
		if svc := w.service(m, "app-twig-api"); svc.desired != 2 {
			t.Errorf("a change set changed the service: desired %d, want 2 until it is applied", svc.desired)
		}
	})

	t.Run("update with IMAGE_TAG", func(t *testing.T) {
		n := w.callCount()
		w.mustMake("update-app-twig-api", "ENV=staging", "IMAGE_TAG=2")
		calls := strings.Join(w.callsSince(n), "\n")
		if !strings.Contains(calls, "--parameter-overrides ImageTag=2") {
			t.Errorf("update calls lack --parameter-overrides ImageTag=2:\n%s", calls)
		}
		got := w.stacks()[apiStack]
		if got.StackStatus != "UPDATE_COMPLETE" || param(got, "ImageTag") != "2" {
			t.Errorf("%s: %s with ImageTag=%q, want UPDATE_COMPLETE with 2", apiStack, got.StackStatus, param(got, "ImageTag"))
		}
		svc := w.service(m, "app-twig-api")
		if !strings.HasSuffix(svc.image, ":2") || svc.desired != 3 {
			t.Errorf("app-twig-api runs %s x%d, want tag 2 x3", svc.image, svc.desired)
		}
	})

	t.Run("update with no change", func(t *testing.T) {
		out := w.mustMake("update-app-twig-api", "ENV=staging")
		if !strings.Contains(out, "No changes to deploy") {
			t.Errorf("an update with no change did not say so")
		}
		if got := param(w.stacks()[apiStack], "ImageTag"); got != "2" {
			t.Errorf("an update without IMAGE_TAG changed the tag to %q, want 2 kept", got)
		}
	})

	// A target group updated in place: the stack stays whole, and a later update works.
	t.Run("update of a health check", func(t *testing.T) {
		w.edit("riglets/twig.yaml", "HealthCheckPath: /ping", "HealthCheckPath: /healthz")
		w.mustMake("compile", "RIGLET=twig")
		w.commit("a new health check")
		w.mustMake("update-app-twig-api", "ENV=staging")
		if st := w.stacks()[apiStack].StackStatus; st != "UPDATE_COMPLETE" {
			t.Errorf("after the health check update %s is %s, want UPDATE_COMPLETE", apiStack, st)
		}
		var res struct {
			StackResourceDetail struct{ PhysicalResourceId string }
		}
		w.aws(&res, "cloudformation", "describe-stack-resource", "--stack-name", apiStack, "--logical-resource-id",
			w.logicalID("twig", "staging", "app-twig-api.yaml", "AWS::ElasticLoadBalancingV2::TargetGroup"))
		var tgs struct {
			TargetGroups []struct{ HealthCheckPath string }
		}
		w.aws(&tgs, "elbv2", "describe-target-groups", "--target-group-arns", res.StackResourceDetail.PhysicalResourceId)
		if len(tgs.TargetGroups) != 1 || tgs.TargetGroups[0].HealthCheckPath != "/healthz" {
			t.Errorf("target group %s: %+v, want health check /healthz", res.StackResourceDetail.PhysicalResourceId, tgs.TargetGroups)
		}
		w.mustMake("update-app-twig-api", "ENV=staging", "IMAGE_TAG=3")
		if got := w.stacks()[apiStack]; got.StackStatus != "UPDATE_COMPLETE" || param(got, "ImageTag") != "3" {
			t.Errorf("the update after the health check: %s with ImageTag=%q, want UPDATE_COMPLETE with 3", got.StackStatus, param(got, "ImageTag"))
		}
		// back to the committed sources, which the later subtests compare with
		w.edit("riglets/twig.yaml", "HealthCheckPath: /healthz", "HealthCheckPath: /ping")
		w.mustMake("compile", "RIGLET=twig")
		w.commit("the health check as it was")
	})

	t.Run("outputs", func(t *testing.T) {
		out := w.mustMake("outputs-foundation", "ENV=staging", "OUTPUT=text")
		vpc := w.vpc(m.stackName("foundation"))
		for _, s := range w.stacks()[m.stackName("foundation")].Outputs {
			if !strings.Contains(out, s.OutputKey+"\t"+s.OutputValue) {
				t.Errorf("outputs-foundation lacks %s %s", s.OutputKey, s.OutputValue)
			}
		}
		if !strings.Contains(out, vpc.VpcID) {
			t.Errorf("outputs-foundation does not show the VPC %s", vpc.VpcID)
		}
	})

	t.Run("production termination protection", func(t *testing.T) { w.production() })
	t.Run("template over 51,200 bytes via S3", func(t *testing.T) { w.bigTemplate() })

	t.Run("delete-environment", func(t *testing.T) {
		n := w.callCount()
		out := w.mustMake("delete-environment", "ENV=staging", "YES=1")
		var deleted []string
		for _, c := range w.callsSince(n) {
			if strings.Contains(c, "cloudformation delete-stack ") {
				deleted = append(deleted, flag(c, "--stack-name"))
			}
		}
		var want []string
		for i := len(m.Stacks) - 1; i >= 0; i-- {
			want = append(want, m.Stacks[i].StackName)
		}
		if d := cmp.Diff(want, deleted); d != "" {
			t.Errorf("delete calls not in reverse order (-want +got):\n%s", d)
		}
		live := w.stacks()
		for _, s := range m.Stacks {
			if st, ok := live[s.StackName]; ok {
				t.Errorf("stack %s left: %s", s.StackName, st.StackStatus)
			}
		}
		var vpcs struct{ Vpcs []vpcDesc }
		w.aws(&vpcs, "ec2", "describe-vpcs", "--filters", "Name=tag:aws:cloudformation:stack-name,Values="+m.stackName("foundation"))
		if len(vpcs.Vpcs) != 0 {
			t.Errorf("the VPC is left after its stack: %+v", vpcs.Vpcs)
		}
		// resources kept on purpose are listed, and are still there
		for _, s := range m.Stacks {
			tpl := w.template("twig", "staging", s.Template)
			for id, r := range tpl.Resources {
				if r.DeletionPolicy != "Retain" {
					continue
				}
				if !strings.Contains(out, r.Type) || !strings.Contains(out, "("+id+")") {
					t.Errorf("delete output does not list %s (%s), kept by DeletionPolicy Retain", id, r.Type)
				}
				if r.Type == "AWS::S3::Bucket" {
					var buckets struct{ Buckets []struct{ Name string } }
					w.aws(&buckets, "s3api", "list-buckets")
					found := false
					for _, b := range buckets.Buckets {
						found = found || strings.Contains(out, b.Name) && strings.Contains(strings.ToLower(b.Name), strings.ToLower(id))
					}
					if !found {
						t.Errorf("the retained bucket %s is not in moto, or not named in the output", id)
					}
				}
			}
		}
	})
}

// flag returns the word after name in a logged call.
func flag(call, name string) string {
	words := strings.Fields(call)
	for i, w := range words[:len(words)-1] {
		if w == name {
			return words[i+1]
		}
	}
	return ""
}

func param(s stackDesc, key string) string {
	for _, p := range s.Parameters {
		if p.ParameterKey == key {
			return p.ParameterValue
		}
	}
	return ""
}

func (m manifest) stackName(name string) string {
	for _, s := range m.Stacks {
		if s.Name == name {
			return s.StackName
		}
	}
	return ""
}

func (m manifest) template(name string) string {
	for _, s := range m.Stacks {
		if s.Name == name {
			return s.Template
		}
	}
	return ""
}

// logicalID is the one resource of a type in a template.
func (w *world) logicalID(riglet, env, file, typ string) string {
	w.t.Helper()
	var ids []string
	for id, r := range w.template(riglet, env, file).Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		w.t.Fatalf("%s has %d resources of type %s, want 1", file, len(ids), typ)
	}
	sort.Strings(ids)
	return ids[0]
}

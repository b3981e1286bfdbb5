//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"
)

type vpcDesc struct {
	VpcID     string `json:"VpcId"`
	CidrBlock string
	Tags      []struct{ Key, Value string }
}

// vpc is the one VPC a stack made.
func (w *world) vpc(stackName string) vpcDesc {
	w.t.Helper()
	var out struct{ Vpcs []vpcDesc }
	w.aws(&out, "ec2", "describe-vpcs", "--filters", "Name=tag:aws:cloudformation:stack-name,Values="+stackName)
	if len(out.Vpcs) != 1 {
		w.t.Fatalf("stack %s has %d VPCs in moto, want 1", stackName, len(out.Vpcs))
	}
	return out.Vpcs[0]
}

// checkNetwork: the VPC and subnets have the CIDRs of the lock, the stacks' security
// groups are there, and the database admits the app subnets alone.
func (w *world) checkNetwork(m manifest, riglet, env string) {
	t := w.t
	net, ok := w.lock(riglet).Network[env]
	if !ok {
		t.Fatalf("riglets/%s.lock has no network for %s", riglet, env)
	}
	vpc := w.vpc(m.stackName("foundation"))
	if vpc.CidrBlock != net.Cidr {
		t.Errorf("VPC %s has %s, want the lock's %s", vpc.VpcID, vpc.CidrBlock, net.Cidr)
	}
	tags := map[string]string{}
	for _, tag := range vpc.Tags {
		tags[tag.Key] = tag.Value
	}
	for _, s := range m.Stacks {
		if s.Name != "foundation" {
			continue
		}
		for k, v := range s.Tags {
			if tags[k] != v {
				t.Errorf("VPC tag %s=%q, want the stack's %q", k, tags[k], v)
			}
		}
	}
	var subnets struct {
		Subnets []struct{ CidrBlock, AvailabilityZone string }
	}
	w.aws(&subnets, "ec2", "describe-subnets", "--filters", "Name=vpc-id,Values="+vpc.VpcID)
	var got, want []string
	for _, s := range subnets.Subnets {
		got = append(got, s.AvailabilityZone+" "+s.CidrBlock)
	}
	for _, azs := range net.Subnets {
		for az, cidr := range azs {
			want = append(want, az+" "+cidr)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("subnets of %s (-lock +moto):\n%s", vpc.VpcID, d)
	}

	var groups struct {
		SecurityGroups []struct {
			GroupID       string `json:"GroupId"`
			Tags          []struct{ Key, Value string }
			IpPermissions []struct {
				FromPort         int
				IpRanges         []struct{ CidrIp string }
				UserIdGroupPairs []struct{ GroupId string }
			}
		}
	}
	w.aws(&groups, "ec2", "describe-security-groups", "--filters", "Name=vpc-id,Values="+vpc.VpcID)
	byStack := map[string]int{}
	dbGroups := map[string]bool{}
	admitted := map[string]bool{}
	for _, g := range groups.SecurityGroups {
		stack := ""
		for _, tag := range g.Tags {
			if tag.Key == "aws:cloudformation:stack-name" {
				stack = tag.Value
			}
		}
		byStack[stack]++
		if m.stackName("db") == "" || stack != m.stackName("db") {
			continue
		}
		// the database admits the members of its consumer group, never a subnet
		dbGroups[g.GroupID] = true
		for _, p := range g.IpPermissions {
			for _, r := range p.IpRanges {
				t.Errorf("database security group %s admits the CIDR %s", g.GroupID, r.CidrIp)
			}
			for _, pair := range p.UserIdGroupPairs {
				admitted[pair.GroupId] = true
			}
		}
	}
	if m.stackName("db") != "" && len(admitted) != 1 { // only a riglet with a db stack
		t.Errorf("the database security groups admit %d groups, want its one consumer group", len(admitted))
	}
	for id := range admitted {
		if !dbGroups[id] {
			t.Errorf("the database admits %s, not its own consumer group", id)
		}
	}
	for _, s := range m.Stacks {
		want := w.template(riglet, env, s.Template).count("AWS::EC2::SecurityGroup")
		if byStack[s.StackName] != want {
			t.Errorf("stack %s has %d security groups in the VPC, its template %d", s.StackName, byStack[s.StackName], want)
		}
	}
}

// checkExports: every export of the templates is in moto with a value, and every import
// names an export of a stack the importer needs.
func (w *world) checkExports(m manifest, riglet, env string) {
	t := w.t
	var out struct {
		Exports []struct{ ExportingStackId, Name, Value string }
	}
	w.aws(&out, "cloudformation", "list-exports")
	live := map[string]string{} // export -> exporting stack name
	for _, e := range out.Exports {
		if e.Value == "" || e.Value == "None" {
			t.Errorf("export %s has no value", e.Name)
		}
		parts := strings.Split(e.ExportingStackId, "/")
		if len(parts) >= 2 {
			live[e.Name] = parts[1]
		}
	}
	imports := 0
	for _, s := range m.Stacks {
		tpl := w.template(riglet, env, s.Template)
		for _, o := range tpl.Outputs {
			if o.Export.Name != "" && live[o.Export.Name] != s.StackName {
				t.Errorf("export %s of %s: exported by %q in moto", o.Export.Name, s.StackName, live[o.Export.Name])
			}
		}
		needs := map[string]bool{}
		for _, n := range s.Needs {
			needs[m.stackName(n)] = true
		}
		for _, imp := range tpl.Imports {
			imports++
			if from, ok := live[imp]; !ok || !needs[from] {
				t.Errorf("%s imports %s, exported by %q, not by a stack it needs %v", s.StackName, imp, from, s.Needs)
			}
		}
	}
	if imports == 0 {
		t.Errorf("no stack imports anything; the check would prove nothing")
	}
}

// checkTopicsQueues: moto holds every topic and queue of each stack's template, as the
// stack's resources name them.
func (w *world) checkTopicsQueues(m manifest, riglet, env string) {
	var topics struct{ Topics []struct{ TopicArn string } }
	w.aws(&topics, "sns", "list-topics")
	var queues struct{ QueueUrls []string }
	w.aws(&queues, "sqs", "list-queues")
	live := map[string]bool{}
	for _, tp := range topics.Topics {
		live[tp.TopicArn] = true
	}
	// a queue by its name: moto's URLs have its own host, a stack's physical IDs AWS's
	queueName := func(url string) string { return url[strings.LastIndex(url, "/")+1:] }
	for _, q := range queues.QueueUrls {
		live[queueName(q)] = true
	}
	total := 0
	for _, s := range m.Stacks {
		tpl := w.template(riglet, env, s.Template)
		var res struct {
			StackResourceSummaries []struct{ LogicalResourceId, PhysicalResourceId, ResourceType string }
		}
		w.aws(&res, "cloudformation", "list-stack-resources", "--stack-name", s.StackName)
		n := map[string]int{}
		for _, r := range res.StackResourceSummaries {
			if r.ResourceType != "AWS::SNS::Topic" && r.ResourceType != "AWS::SQS::Queue" {
				continue
			}
			id := r.PhysicalResourceId
			if r.ResourceType == "AWS::SQS::Queue" {
				id = queueName(id)
			}
			if !live[id] {
				w.t.Errorf("stack %s: %s %s is %q, which moto's %s does not hold", s.StackName, r.ResourceType,
					r.LogicalResourceId, r.PhysicalResourceId, strings.Split(r.ResourceType, "::")[1])
				continue
			}
			n[r.ResourceType]++
			total++
		}
		for _, typ := range []string{"AWS::SNS::Topic", "AWS::SQS::Queue"} {
			if want := tpl.count(typ); n[typ] != want {
				w.t.Errorf("stack %s: %d of %s in moto, %d in its template", s.StackName, n[typ], typ, want)
			}
		}
	}
	if total == 0 {
		w.t.Errorf("no topic or queue at all; the check would prove nothing")
	}
}

// checkPriorities: the service listener's rules have the lock's priorities.
func (w *world) checkPriorities(m manifest, riglet, env string) {
	t := w.t
	var want []string
	for _, rules := range w.lock(riglet).Priorities[env] {
		for _, p := range rules {
			want = append(want, strconv.Itoa(p))
		}
	}
	var exports struct {
		Exports []struct{ Name, Value string }
	}
	w.aws(&exports, "cloudformation", "list-exports")
	listener := ""
	for _, e := range exports.Exports {
		if e.Name == m.stackName("foundation")+"--AlbServiceListenerArn" {
			listener = e.Value
		}
	}
	if listener == "" {
		t.Fatalf("no export of the service listener")
	}
	var rules struct{ Rules []struct{ Priority string } }
	w.aws(&rules, "elbv2", "describe-rules", "--listener-arn", listener)
	var got []string
	for _, r := range rules.Rules {
		if r.Priority != "default" {
			got = append(got, r.Priority)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if len(want) == 0 {
		t.Fatalf("the lock has no priorities for %s", env)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("listener rule priorities (-lock +moto):\n%s", d)
	}
}

type serviceState struct {
	image   string // of the stack's task definition
	desired int    // of its ECS service
}

// service is what ECS holds for an app stack: the image of its task definition and the
// desired count of its service.
func (w *world) service(m manifest, stack string) serviceState {
	t := w.t
	t.Helper()
	file := m.template(stack)
	physical := func(typ string) string {
		var res struct {
			StackResourceDetail struct{ PhysicalResourceId string }
		}
		w.aws(&res, "cloudformation", "describe-stack-resource", "--stack-name", m.stackName(stack),
			"--logical-resource-id", w.logicalID("twig", m.Env, file, typ))
		return res.StackResourceDetail.PhysicalResourceId
	}
	arn := physical("AWS::ECS::Service")
	// arn:aws:ecs:region:account:service/cluster/name
	parts := strings.Split(arn, "/")
	if len(parts) != 3 {
		t.Fatalf("service %q: not an ECS service ARN with its cluster", arn)
	}
	var svcs struct{ Services []struct{ DesiredCount int } }
	w.aws(&svcs, "ecs", "describe-services", "--cluster", parts[1], "--services", arn)
	if len(svcs.Services) != 1 {
		t.Fatalf("ecs describe-services %s: %d services", arn, len(svcs.Services))
	}
	taskDef := physical("AWS::ECS::TaskDefinition")
	var td struct {
		TaskDefinition struct{ ContainerDefinitions []struct{ Image string } }
	}
	w.aws(&td, "ecs", "describe-task-definition", "--task-definition", taskDef)
	if len(td.TaskDefinition.ContainerDefinitions) == 0 {
		t.Fatalf("task definition %s has no container", taskDef)
	}
	return serviceState{image: td.TaskDefinition.ContainerDefinitions[0].Image, desired: svcs.Services[0].DesiredCount}
}

// production: a production stack gets termination protection, which stops a delete.
func (w *world) production() {
	t := w.t
	w.certificate("production")
	m := w.manifest("twig", "production")
	name := m.stackName("foundation")
	n := w.callCount()
	w.mustMake("create-foundation", "ENV=production")
	if !strings.Contains(strings.Join(w.callsSince(n), "\n"), "update-termination-protection --enable-termination-protection --stack-name "+name) {
		t.Errorf("production deploy did not enable termination protection")
	}
	if s := w.stacks()[name]; !s.EnableTerminationProtection || s.StackStatus != "CREATE_COMPLETE" {
		t.Errorf("%s: %s, protection %v; want CREATE_COMPLETE and protected", name, s.StackStatus, s.EnableTerminationProtection)
	}
	if _, ok := w.make(nil, "delete-foundation", "ENV=production", "YES=1"); ok {
		t.Errorf("a protected stack was deleted")
	}
	if _, ok := w.stacks()[name]; !ok {
		t.Fatalf("%s is gone despite termination protection", name)
	}
	// what an operator does on purpose before deleting production
	w.aws(nil, "cloudformation", "update-termination-protection", "--no-enable-termination-protection", "--stack-name", name)
	w.mustMake("delete-foundation", "ENV=production", "YES=1")
	if _, ok := w.stacks()[name]; ok {
		t.Errorf("%s left after delete", name)
	}
}

// bigTemplate: a template over 51,200 bytes needs S3_BUCKET, which is checked before any
// call, and then deploys from S3.
func (w *world) bigTemplate() {
	t := w.t
	copyFile(t, filepath.Join(w.root, "e2e", "testdata", "big.yaml"), filepath.Join(w.repo, "riglets", "big.yaml"))
	w.mustMake("compile", "RIGLET=big")
	w.commit("the big riglet")
	m := w.manifest("big", "staging")
	if len(m.Stacks) != 1 || !m.Stacks[0].OverBodyLimit {
		t.Fatalf("the big riglet's stack is not over the body limit: %+v", m.Stacks)
	}
	fi, err := os.Stat(filepath.Join(w.repo, "out", "big", "staging", m.Stacks[0].Template))
	if err != nil || fi.Size() <= 51200 {
		t.Fatalf("big template: %v, %d bytes", err, fi.Size())
	}
	n := w.callCount()
	if out, ok := w.make(nil, "create-foundation", "ENV=staging"); ok || !strings.Contains(out, "RIGLET=") {
		t.Errorf("with two riglets and no RIGLET: ok=%v, want a failure asking for RIGLET", ok)
	}
	out, ok := w.make(nil, "create-foundation", "RIGLET=big", "ENV=staging")
	if ok || !strings.Contains(out, "S3_BUCKET") {
		t.Errorf("a big template without S3_BUCKET: ok=%v, want a failure asking for S3_BUCKET", ok)
	}
	if c := w.callsSince(n); len(c) > 0 {
		t.Errorf("refused deploys called the AWS CLI: %q", c)
	}
	// the template bucket of twig's bootstrap serves any riglet of the account and region
	var bootstrap struct{ Stacks []stackDesc }
	w.aws(&bootstrap, "cloudformation", "describe-stacks", "--stack-name", "buildit-twig-bootstrap")
	bucket := ""
	for _, o := range bootstrap.Stacks[0].Outputs {
		if o.OutputKey == "TemplatesBucketName" {
			bucket = o.OutputValue
		}
	}
	if bucket != "buildit-twig-templates-123456789012-us-west-2" {
		t.Fatalf("the bootstrap's template bucket is %q, want the name the spec gives it", bucket)
	}
	n = w.callCount()
	w.mustMake("create-foundation", "RIGLET=big", "ENV=staging", "S3_BUCKET="+bucket)
	calls := strings.Join(w.callsSince(n), "\n")
	if !strings.Contains(calls, "--s3-bucket "+bucket) {
		t.Errorf("the deploy call lacks --s3-bucket %s:\n%s", bucket, calls)
	}
	var objects struct{ Contents []struct{ Key string } }
	w.aws(&objects, "s3api", "list-objects-v2", "--bucket", bucket)
	if len(objects.Contents) != 1 || !strings.HasPrefix(objects.Contents[0].Key, "big/staging/") {
		t.Errorf("bucket %s holds %+v, want the template under big/staging/", bucket, objects.Contents)
	}
	name := m.Stacks[0].StackName
	if s := w.stacks()[name]; s.StackStatus != "CREATE_COMPLETE" {
		t.Errorf("%s: %q, want CREATE_COMPLETE", name, s.StackStatus)
	}
	if v := w.vpc(name); v.CidrBlock != w.lock("big").Network["staging"].Cidr {
		t.Errorf("big VPC %s, want %s", v.CidrBlock, w.lock("big").Network["staging"].Cidr)
	}
	w.mustMake("delete-environment", "RIGLET=big", "ENV=staging", "YES=1")
	if _, ok := w.stacks()[name]; ok {
		t.Errorf("%s left after delete", name)
	}
	os.Remove(filepath.Join(w.repo, "riglets", "big.yaml"))
}

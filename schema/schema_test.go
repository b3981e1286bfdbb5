package schema

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// mustLookup fails the test when typeName is unknown.
func mustLookup(t *testing.T, typeName string) *Resource {
	t.Helper()
	r := Lookup(typeName)
	if r == nil {
		t.Fatalf("Lookup(%q) = nil", typeName)
	}
	if r.Type != typeName {
		t.Fatalf("Lookup(%q).Type = %q", typeName, r.Type)
	}
	return r
}

// at is r.Path that fails the test when there is nothing at path.
func at(t *testing.T, r *Resource, path string) *Prop {
	t.Helper()
	p := r.Path(path)
	if p == nil {
		t.Fatalf("%s: nothing at %s", r.Type, path)
	}
	return p
}

func wantKind(t *testing.T, r *Resource, path string, k Kind) *Prop {
	t.Helper()
	p := at(t, r, path)
	if p.Kind != k {
		t.Fatalf("%s %s: kind %s, want %s", r.Type, path, p.Kind, k)
	}
	return p
}

func wantAll(t *testing.T, what string, got, want []string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s: %q missing from %q", what, w, got)
		}
	}
}

func TestSpotChecks(t *testing.T) {
	sqs := mustLookup(t, "AWS::SQS::Queue")
	wantAll(t, "SQS attributes", sqs.Attributes, []string{"Arn", "QueueName", "QueueUrl"})
	wantAll(t, "SQS create-only", sqs.CreateOnly, []string{"FifoQueue", "QueueName"})
	tags := wantKind(t, sqs, "Tags.*", Object)
	wantKind(t, sqs, "Tags.*.Key", String)
	wantKind(t, sqs, "Tags.*.Value", String)
	if diff := cmp.Diff([]string{"Key", "Value"}, tags.Required); diff != "" {
		t.Errorf("SQS Tags item required (-want +got):\n%s", diff)
	}

	ssm := mustLookup(t, "AWS::SSM::Parameter")
	if m := wantKind(t, ssm, "Tags", Map); m.Item == nil || m.Item.Kind != String {
		t.Errorf("SSM::Parameter Tags values: %+v, want String", m.Item)
	}
	wantAll(t, "SSM::Parameter required", ssm.Required, []string{"Type", "Value"})
	wantAll(t, "SSM::Parameter Type enum", at(t, ssm, "Type").Enum, []string{"String", "StringList"})

	s3 := mustLookup(t, "AWS::S3::Bucket")
	wantKind(t, s3, "BucketEncryption", Object)
	wantKind(t, s3, "BucketEncryption.ServerSideEncryptionConfiguration", List)
	wantKind(t, s3, "BucketEncryption.ServerSideEncryptionConfiguration.*", Object)
	wantKind(t, s3, "BucketEncryption.ServerSideEncryptionConfiguration.*.BucketKeyEnabled", Boolean)
	sse := wantKind(t, s3, "BucketEncryption.ServerSideEncryptionConfiguration.*.ServerSideEncryptionByDefault.SSEAlgorithm", String)
	wantAll(t, "SSEAlgorithm enum", sse.Enum, []string{"AES256", "aws:kms"})
	wantAll(t, "S3 attributes", s3.Attributes, []string{"Arn", "DomainName", "RegionalDomainName", "WebsiteURL"})

	lb := mustLookup(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")
	wantAll(t, "ALB attributes", lb.Attributes, []string{"LoadBalancerFullName", "DNSName", "CanonicalHostedZoneID", "LoadBalancerArn"})

	rule := mustLookup(t, "AWS::ElasticLoadBalancingV2::ListenerRule")
	if diff := cmp.Diff([]string{"Actions", "Conditions", "Priority"}, rule.Required); diff != "" {
		t.Errorf("ListenerRule required (-want +got):\n%s", diff)
	}
	wantKind(t, rule, "Priority", Integer)
	wantKind(t, rule, "Conditions.*.Field", String)

	td := mustLookup(t, "AWS::ECS::TaskDefinition")
	cd := wantKind(t, td, "ContainerDefinitions.*", Object)
	wantAll(t, "ContainerDefinition required", cd.Required, []string{"Name", "Image"})
	wantKind(t, td, "ContainerDefinitions.*.Name", String)
	wantKind(t, td, "ContainerDefinitions.*.Image", String)
	wantKind(t, td, "ContainerDefinitions.*.PortMappings.*.ContainerPort", Integer)
	wantKind(t, td, "ContainerDefinitions.*.Secrets.*.ValueFrom", String)

	db := mustLookup(t, "AWS::RDS::DBCluster")
	wantAll(t, "DBCluster attributes", db.Attributes, []string{"Endpoint.Address", "Endpoint.Port", "DBClusterArn"})
	wantAll(t, "DBCluster write-only", db.WriteOnly, []string{"MasterUserPassword"})

	// A legacy dotted GetAtt name replaces its flattened property.
	rg := mustLookup(t, "AWS::ElastiCache::ReplicationGroup")
	wantAll(t, "ReplicationGroup attributes", rg.Attributes, []string{"PrimaryEndPoint.Address", "PrimaryEndPoint.Port"})
	if slices.Contains(rg.Attributes, "PrimaryEndPointAddress") {
		t.Errorf("ReplicationGroup attributes keep the flattened PrimaryEndPointAddress: %q", rg.Attributes)
	}

	// IAM policy documents are JSON objects or JSON strings.
	role := mustLookup(t, "AWS::IAM::Role")
	if p := at(t, role, "AssumeRolePolicyDocument"); p.Kind != Union && p.Kind != Any && p.Kind != Map {
		t.Errorf("Role AssumeRolePolicyDocument kind %s, want a free-form shape", p.Kind)
	}

	// Deprecated properties of a definition are named where it is used.
	cdp := mustLookup(t, "AWS::CloudFront::ContinuousDeploymentPolicy")
	wantAll(t, "ContinuousDeploymentPolicy deprecated", cdp.Deprecated, []string{"ContinuousDeploymentPolicyConfig.Type"})
	at(t, cdp, "ContinuousDeploymentPolicyConfig.Type")

	// cfn-lint's corrections of the provider's view: a template gives a nested stack
	// its TemplateURL, never a StackName (AWS's schema requires StackName and lists
	// what only the provider sets, Outputs, StackStatus, as properties).
	stack := mustLookup(t, "AWS::CloudFormation::Stack")
	if diff := cmp.Diff([]string{"TemplateURL"}, stack.Required); diff != "" {
		t.Errorf("CloudFormation::Stack required (-want +got):\n%s", diff)
	}
	for _, gone := range []string{"StackName", "Outputs", "StackStatus", "TemplateBody"} {
		if stack.Props[gone] != nil {
			t.Errorf("CloudFormation::Stack has property %s, which cfn-lint's patch removes", gone)
		}
	}
	wantAll(t, "CloudFormation::Stack attributes", stack.Attributes, []string{"StackId"})
	// cfn-lint's extensions: enums from AWS's service models, some ignoring case.
	vt := wantKind(t, mustLookup(t, "AWS::EC2::Volume"), "VolumeType", String)
	if diff := cmp.Diff([]string{"gp2", "gp3", "io1", "io2", "sc1", "st1", "standard"}, vt.Enum); diff != "" || !vt.EnumFold {
		t.Errorf("EC2::Volume VolumeType enum (fold %v) (-want +got):\n%s", vt.EnumFold, diff)
	}
	// "Exactly one of" (requiredXor, oneOf of single requirements) and "at least one
	// of" (anyOf of single requirements) are kept, not merged away.
	ingress := wantKind(t, mustLookup(t, "AWS::EC2::SecurityGroup"), "SecurityGroupIngress.*", Object)
	if diff := cmp.Diff([]Choice{{One: true, Names: []string{"CidrIp", "CidrIpv6", "SourcePrefixListId", "SourceSecurityGroupId", "SourceSecurityGroupName"}}}, ingress.Choices); diff != "" {
		t.Errorf("SecurityGroup ingress choices (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Choice{{Names: []string{"Groups", "Roles", "Users"}}}, mustLookup(t, "AWS::IAM::Policy").Choices); diff != "" {
		t.Errorf("IAM::Policy choices (-want +got):\n%s", diff)
	}

	for _, path := range []string{"", "Nope", "Tags.Key", "Tags.*.Nope", "QueueName.*", "Tags.*.Key.Value"} {
		if p := sqs.Path(path); p != nil {
			t.Errorf("SQS Path(%q) = %+v, want nil", path, p)
		}
	}
	if p := at(t, ssm, "Tags.*"); p.Kind != String {
		t.Errorf("SSM::Parameter Path(Tags.*) kind %s, want String", p.Kind)
	}

	if Lookup("AWS::SQS::Queues") != nil || Lookup("aws::sqs::queue") != nil || Lookup("") != nil {
		t.Error("Lookup of an unknown or wrongly cased type is not nil")
	}
}

func TestSuggest(t *testing.T) {
	for in, want := range map[string]string{
		"AWS::SQS::Queue":                          "AWS::SQS::Queue",
		"AWS::SQS::Queu":                           "AWS::SQS::Queue",
		"AWS::SQS::Qeuue":                          "AWS::SQS::Queue",
		"aws::s3::bucket":                          "AWS::S3::Bucket",
		"S3::Bucket":                               "AWS::S3::Bucket",
		"AWS::EC2::SecurityGroups":                 "AWS::EC2::SecurityGroup",
		"AWS::ElasticLoadBalancingV2::Loadbalncer": "AWS::ElasticLoadBalancingV2::LoadBalancer",
		"AWS::Lamda::Function":                     "AWS::Lambda::Function",
		"Foo::Bar::Baz":                            "",
		"AWS::Nothing::LikeThisAtAll":              "",
		"Block::sqs-queue":                         "",
		"":                                         "",
	} {
		if got := Suggest(in); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAgainstRegistryJSON compares every type with its registry schema read
// directly, so the encoding round trip is checked on all of them.
// TestShapeInvariants walks every decoded shape of every type.
func TestShapeInvariants(t *testing.T) {
	seen := map[*Prop]bool{}
	var check func(typ, path string, p *Prop)
	check = func(typ, path string, p *Prop) {
		if p == nil {
			t.Errorf("%s %s: nil shape", typ, path)
			return
		}
		if seen[p] {
			return
		}
		seen[p] = true
		if p.Kind > Union {
			t.Errorf("%s %s: kind %d", typ, path, p.Kind)
		}
		if (p.Item != nil) != (p.Kind == List || p.Kind == Map) {
			t.Errorf("%s %s: %s with item %v", typ, path, p.Kind, p.Item)
		}
		if len(p.Enum) > 0 && (p.Kind < String || p.Kind > Number || len(p.Enum) > 64 || !slices.IsSorted(p.Enum)) {
			t.Errorf("%s %s: %s with enum %q", typ, path, p.Kind, p.Enum)
		}
		if !slices.IsSorted(p.Required) {
			t.Errorf("%s %s: required not sorted: %q", typ, path, p.Required)
		}
		for _, n := range p.Required {
			if p.Props[n] == nil {
				t.Errorf("%s %s: required %s is not a property", typ, path, n)
			}
		}
		if p.Kind == Union {
			kinds := map[Kind]bool{}
			for _, a := range p.Alts {
				if a != nil && (a.Kind == Union || kinds[a.Kind]) {
					t.Errorf("%s %s: union alternative %s repeated or nested", typ, path, a.Kind)
				} else if a != nil {
					kinds[a.Kind] = true
				}
			}
			if len(p.Alts) < 2 {
				t.Errorf("%s %s: union of %d", typ, path, len(p.Alts))
			}
		}
		if p.Item != nil {
			check(typ, path+".*", p.Item)
		}
		for n, c := range p.Props {
			check(typ, path+"."+n, c)
		}
		for _, a := range p.Alts {
			check(typ, path+"|", a)
		}
	}
	types := Types()
	if !slices.IsSorted(types) || len(slices.Compact(slices.Clone(types))) != len(types) {
		t.Fatal("Types() not sorted and unique")
	}
	for _, typ := range types {
		r := mustLookup(t, typ)
		check(typ, "", &Prop{Kind: Object, Props: r.Props, Required: r.Required})
		for _, l := range [][]string{r.Attributes, r.ReadOnly, r.CreateOnly, r.WriteOnly, r.Deprecated} {
			if !slices.IsSorted(l) {
				t.Errorf("%s: list not sorted: %q", typ, l)
			}
		}
		for _, a := range r.Attributes {
			if a == "" || strings.Contains(a, "*") {
				t.Errorf("%s: attribute %q", typ, a)
			}
		}
	}
}

func TestLookupConcurrent(t *testing.T) {
	types := Types()
	const workers = 8
	got := make([][]*Resource, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range types {
				// Each worker starts elsewhere so that first decodes race.
				got[w] = append(got[w], Lookup(types[(i+w*len(types)/workers)%len(types)]))
			}
		})
	}
	wg.Wait()
	for w := 1; w < workers; w++ {
		for i, r := range got[w] {
			j := (i + w*len(types)/workers) % len(types)
			if r != got[0][j] {
				t.Fatalf("worker %d got a different *Resource for %s", w, types[j])
			}
		}
	}
}

func BenchmarkLoadAll(b *testing.B) {
	t := load()
	b.ReportMetric(float64(len(data)), "embedded-bytes")
	for b.Loop() {
		for i := range t.nTypes {
			t.decode(i)
		}
	}
}

// BenchmarkDecode is the first Lookup of a large type.
func BenchmarkDecode(b *testing.B) {
	t := load()
	i := slices.Index(Types(), "AWS::S3::Bucket")
	for b.Loop() {
		t.decode(i)
	}
}

// BenchmarkTypicalRiglet is the schema work of linting a small riglet: the first
// Lookup of each type it uses.
func BenchmarkTypicalRiglet(b *testing.B) {
	t := load()
	var idx []int
	for _, n := range []string{
		"AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::SecurityGroup", "AWS::EC2::RouteTable",
		"AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::Listener",
		"AWS::ElasticLoadBalancingV2::ListenerRule", "AWS::ElasticLoadBalancingV2::TargetGroup",
		"AWS::ECS::Cluster", "AWS::ECS::Service", "AWS::ECS::TaskDefinition", "AWS::IAM::Role",
		"AWS::SQS::Queue", "AWS::RDS::DBCluster", "AWS::CloudWatch::Alarm", "AWS::Logs::LogGroup",
		"AWS::SecretsManager::Secret", "AWS::ApplicationAutoScaling::ScalingPolicy",
	} {
		i := slices.Index(Types(), n)
		if i < 0 {
			b.Fatalf("no %s", n)
		}
		idx = append(idx, i)
	}
	for b.Loop() {
		for _, i := range idx {
			t.decode(i)
		}
	}
}

// BenchmarkLookup is a Lookup of a type already decoded.
func BenchmarkLookup(b *testing.B) {
	Lookup("AWS::ECS::TaskDefinition")
	for b.Loop() {
		if Lookup("AWS::ECS::TaskDefinition") == nil {
			b.Fatal("nil")
		}
	}
}

func BenchmarkSuggest(b *testing.B) {
	Types()
	for b.Loop() {
		Suggest("AWS::ElasticLoadBalancingV2::Loadbalncer")
	}
}

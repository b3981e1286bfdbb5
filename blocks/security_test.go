package blocks_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/ir"
)

// The security properties of the built-in blocks, checked on every template the three
// example riglets generate: each would have failed on the blocks before issue 12.

// stack is one generated template, as plain values, with where it came from.
type stack struct {
	riglet, env, name, stackName string
	vpcCidr                      string
	resources                    map[string]map[string]any
	origins                      map[string]*compiler.Origin
}

func exampleStacks(t *testing.T) []stack {
	t.Helper()
	specs, _ := filepath.Glob("../riglets/*.yaml")
	if len(specs) < 3 {
		t.Fatalf("only %d example riglets", len(specs))
	}
	var out []stack
	for _, spec := range specs {
		got, err := compileStacks(os.DirFS(".."), "riglets/"+filepath.Base(spec))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got...)
	}
	return out
}

// compileStacks compiles one riglet spec into its stacks, as plain values.
func compileStacks(fsys fs.FS, spec string) ([]stack, error) {
	res, err := compiler.Compile(fsys, blocks.FS, spec, compiler.Options{})
	if err != nil {
		return nil, err
	}
	var out []stack
	for _, er := range res.Envs {
		cidr := ""
		if er.Network != nil {
			cidr = er.Network.CIDR.String()
		}
		for _, sr := range er.Stacks {
			s := stack{riglet: res.Spec.Name, env: er.Env, name: sr.Name, stackName: sr.StackName, vpcCidr: cidr,
				resources: map[string]map[string]any{}, origins: sr.Origins}
			for _, p := range sr.Template.Get("Resources").Pairs {
				s.resources[p.Key] = plain(p.Value).(map[string]any)
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// plain turns a value tree into maps, lists and strings.
func plain(n *ir.Node) any {
	switch n.Kind {
	case ir.Map:
		m := map[string]any{}
		for _, p := range n.Pairs {
			m[p.Key] = plain(p.Value)
		}
		return m
	case ir.List:
		l := []any{}
		for _, it := range n.Items {
			l = append(l, plain(it))
		}
		return l
	}
	return n.Text
}

// block names the built-in block a resource came from.
func (s stack) block(id string) string {
	if o := s.origins[id]; o != nil {
		return strings.TrimSuffix(strings.TrimPrefix(o.Pos.File.String(), "blocks/"), "/block.yaml")
	}
	return ""
}

func (s stack) each(typ string, fn func(id string, props map[string]any)) {
	for id, r := range s.resources {
		if r["Type"] == typ {
			props, _ := r["Properties"].(map[string]any)
			fn(id, props)
		}
	}
}

func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func str(v any) string { s, _ := v.(string); return s }

// A service's tasks may reach the VPC and HTTPS anywhere, nothing else.
func TestServiceEgressIsTheVpcAndHttps(t *testing.T) {
	n := 0
	for _, s := range exampleStacks(t) {
		s.each("AWS::EC2::SecurityGroup", func(id string, p map[string]any) {
			if s.block(id) != "ecs-service" {
				return
			}
			n++
			egress := list(p["SecurityGroupEgress"])
			if len(egress) == 0 {
				t.Errorf("%s/%s %s: no egress rules, which AWS reads as all traffic anywhere", s.riglet, s.env, id)
			}
			for _, e := range egress {
				r := e.(map[string]any)
				cidr, from, to := str(r["CidrIp"]), str(r["FromPort"]), str(r["ToPort"])
				switch {
				case cidr == s.vpcCidr && str(r["IpProtocol"]) == "tcp":
				case cidr == "0.0.0.0/0" && from == "443" && to == "443" && str(r["IpProtocol"]) == "tcp":
				default:
					t.Errorf("%s/%s %s: egress %v is neither the VPC %s nor 443", s.riglet, s.env, id, r, s.vpcCidr)
				}
			}
		})
	}
	if n < 10 {
		t.Errorf("only %d service security groups checked", n)
	}
}

// Data stores admit the members of their consumer group, never subnets; services never
// read a database master secret.
func TestDataStoresAdmitOnlyConsumerGroups(t *testing.T) {
	n := 0
	for _, s := range exampleStacks(t) {
		s.each("AWS::EC2::SecurityGroup", func(id string, p map[string]any) {
			switch s.block(id) {
			case "rds-aurora", "opensearch", "couchdb":
			default:
				return
			}
			for _, in := range list(p["SecurityGroupIngress"]) {
				r := in.(map[string]any)
				if r["CidrIp"] != nil || r["CidrIpv6"] != nil {
					t.Errorf("%s/%s %s admits a CIDR: %v", s.riglet, s.env, id, r)
					continue
				}
				ref, _ := r["SourceSecurityGroupId"].(map[string]any)
				src := str(ref["Ref"])
				if s.resources[src]["Type"] != "AWS::EC2::SecurityGroup" || !strings.HasSuffix(src, "ConsumerSecurityGroup") {
					t.Errorf("%s/%s %s admits %v, not its consumer group", s.riglet, s.env, id, r)
				}
				n++
			}
		})
		s.each("AWS::ECS::TaskDefinition", func(id string, p map[string]any) {
			for _, c := range list(p["ContainerDefinitions"]) {
				for _, sec := range list(c.(map[string]any)["Secrets"]) {
					b, _ := json.Marshal(sec)
					if strings.Contains(string(b), "DbSecretArn") || strings.Contains(string(b), "MasterUserSecret") {
						t.Errorf("%s/%s %s reads a database master secret: %s", s.riglet, s.env, id, b)
					}
				}
			}
		})
	}
	if n < 9 {
		t.Errorf("only %d data store ingress rules checked", n)
	}
}

// Consumers reach a data store only by joining its group, which opens no egress.
func TestConsumerGroupsOpenNoEgress(t *testing.T) {
	n := 0
	for _, s := range exampleStacks(t) {
		s.each("AWS::EC2::SecurityGroup", func(id string, p map[string]any) {
			if !strings.HasSuffix(id, "ConsumerSecurityGroup") {
				return
			}
			n++
			for _, e := range list(p["SecurityGroupEgress"]) {
				if str(e.(map[string]any)["CidrIp"]) != "255.255.255.255/32" {
					t.Errorf("%s/%s %s opens egress %v", s.riglet, s.env, id, e)
				}
			}
			if len(list(p["SecurityGroupEgress"])) == 0 {
				t.Errorf("%s/%s %s: no egress rule, which AWS reads as all traffic anywhere", s.riglet, s.env, id)
			}
		})
	}
	// twig's CouchDB, otx's Aurora and OpenSearch, in three envs each
	if n != 9 {
		t.Errorf("%d consumer groups, want 9", n)
	}
}

// No deploy-time image tag has a default: none is sure to exist.
func TestNoImageTagDefault(t *testing.T) {
	specs, _ := filepath.Glob("../riglets/*.yaml")
	n := 0
	for _, spec := range specs {
		res, err := compiler.Compile(os.DirFS(".."), blocks.FS, "riglets/"+filepath.Base(spec), compiler.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, er := range res.Envs {
			for _, sr := range er.Stacks {
				for _, p := range sr.DeployParams {
					n++
					if !p.Required || p.Default != "" {
						t.Errorf("%s/%s %s: deploy-time %s has default %q", res.Spec.Name, er.Env, sr.Name, p.Name, p.Default)
					}
				}
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d image tags checked", n)
	}
}

// ECR lifecycle rules never expire a tagged image by count: production may run one
// while newer builds wait for its approval.
func TestEcrLifecycleNeverCountsTaggedImages(t *testing.T) {
	n := 0
	for _, s := range exampleStacks(t) {
		s.each("AWS::ECR::Repository", func(id string, p map[string]any) {
			lp, _ := p["LifecyclePolicy"].(map[string]any)
			text := str(lp["LifecyclePolicyText"])
			if text == "" {
				return
			}
			var policy struct {
				Rules []struct {
					Selection struct{ TagStatus, CountType string }
				}
			}
			if err := json.Unmarshal([]byte(text), &policy); err != nil {
				t.Fatalf("%s %s: lifecycle policy: %v", s.stackName, id, err)
			}
			for _, r := range policy.Rules {
				n++
				if r.Selection.TagStatus != "untagged" && r.Selection.CountType == "imageCountMoreThan" {
					t.Errorf("%s %s expires %s images by count", s.stackName, id, r.Selection.TagStatus)
				}
			}
		})
	}
	if n < 4 {
		t.Errorf("only %d lifecycle rules checked", n)
	}
}

// Every queue and topic refuses requests without TLS.
func TestQueuesAndTopicsAreTlsOnly(t *testing.T) {
	n := 0
	for _, s := range exampleStacks(t) {
		tlsOnly := map[string]bool{}
		for _, typ := range []string{"AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"} {
			s.each(typ, func(id string, p map[string]any) {
				doc, _ := p["PolicyDocument"].(map[string]any)
				denies := false
				for _, st := range list(doc["Statement"]) {
					b, _ := json.Marshal(st)
					denies = denies || (st.(map[string]any)["Effect"] == "Deny" && strings.Contains(string(b), `"aws:SecureTransport":"false"`))
				}
				if !denies {
					return
				}
				for _, q := range list(p["Queues"]) {
					tlsOnly[str(q.(map[string]any)["Ref"])] = true
				}
				for _, q := range list(p["Topics"]) {
					tlsOnly[str(q.(map[string]any)["Ref"])] = true
				}
			})
		}
		for _, typ := range []string{"AWS::SQS::Queue", "AWS::SNS::Topic"} {
			s.each(typ, func(id string, _ map[string]any) {
				n++
				if !tlsOnly[id] {
					t.Errorf("%s/%s %s %s has no TLS-only policy", s.riglet, s.env, typ, id)
				}
			})
		}
	}
	if n < 10 {
		t.Errorf("only %d queues and topics checked", n)
	}
}

// An execution role pulls only its own image's repository.
func TestExecutionRolesPullOnlyTheirRepository(t *testing.T) {
	n := 0
	for _, s := range exampleStacks(t) {
		s.each("AWS::IAM::Role", func(id string, p map[string]any) {
			if s.block(id) != "ecs-service" {
				return
			}
			b, _ := json.Marshal(p["Policies"])
			if strings.Contains(string(b), ":repository/*") {
				t.Errorf("%s/%s %s may pull every repository", s.riglet, s.env, id)
			}
			if strings.Contains(string(b), "ecr:BatchGetImage") {
				n++
			}
		})
	}
	if n < 10 {
		t.Errorf("only %d execution roles checked", n)
	}
}

// Containers run read-only and not as root unless their instance says otherwise.
func TestContainersReadOnlyNonRoot(t *testing.T) {
	writable := 0
	for _, s := range exampleStacks(t) {
		s.each("AWS::ECS::TaskDefinition", func(id string, p map[string]any) {
			for _, c := range list(p["ContainerDefinitions"]) {
				c := c.(map[string]any)
				if c["ReadonlyRootFilesystem"] == "true" && c["User"] != nil && c["User"] != "0" && c["User"] != "root" {
					continue
				}
				// twig's nginx front end says why it needs root and a writable root
				if s.riglet == "twig" && s.name == "app-twig" {
					writable++
					continue
				}
				t.Errorf("%s/%s %s: container %v runs writable or as root", s.riglet, s.env, id, c["Name"])
			}
		})
	}
	if writable != 3 {
		t.Errorf("%d writable containers in twig's app-twig, want 3 (one per env)", writable)
	}
}

// Each app's build and pipeline reach only their own artifact bucket.
func TestArtifactsPerApp(t *testing.T) {
	n := 0
	for _, s := range exampleStacks(t) {
		s.each("AWS::IAM::Role", func(id string, p map[string]any) {
			app, ok := strings.CutPrefix(id, "PipelineBuildRole")
			if !ok {
				app, ok = strings.CutPrefix(id, "PipelinePipelineRole")
			}
			if !ok {
				return
			}
			n++
			b, _ := json.Marshal(p["Policies"])
			if !strings.Contains(string(b), "${PipelineArtifacts"+app+".Arn}/*") {
				t.Errorf("%s %s cannot reach its own artifacts", s.stackName, id)
			}
			// every statement names what it applies to
			for _, pol := range list(p["Policies"]) {
				doc := pol.(map[string]any)["PolicyDocument"].(map[string]any)
				for _, st := range list(doc["Statement"]) {
					if m, ok := st.(map[string]any); !ok || m["Resource"] == nil || m["Resource"] == "" {
						t.Errorf("%s %s: statement %v has no resource", s.stackName, id, st)
					}
				}
			}
			for other := range s.resources {
				if s.resources[other]["Type"] == "AWS::S3::Bucket" && strings.Contains(string(b), `"`+other+`"`) ||
					s.resources[other]["Type"] == "AWS::S3::Bucket" && strings.Contains(string(b), "${"+other+".Arn}") {
					if other != "PipelineArtifacts"+app {
						t.Errorf("%s %s reaches bucket %s, not only its own", s.stackName, id, other)
					}
				}
			}
		})
	}
	if n < 4 {
		t.Errorf("only %d build and pipeline roles checked", n)
	}
}

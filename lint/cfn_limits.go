package lint

import (
	"regexp"
	"strings"

	"github.com/riglet/riglet/ir"
)

// The cloudformation family's limits: what CloudFormation refuses however valid each
// resource is. Template-wide findings go to the stack's line in the spec.

func countRule(id, name, section, what string, limit int, cfn string) *Rule {
	return &Rule{ID: id, Name: name, Family: "cloudformation", Severity: Error, Scope: ScopeTemplate, CfnLint: []string{cfn},
		Title: "a template with more than " + itoa(limit) + " " + what,
		Doc:   "CloudFormation allows at most " + itoa(limit) + " " + what + " in one template. Split the stack.",
		Bad:   "stacks:\n  everything: {blocks: {...}}   # " + itoa(limit+1) + " " + what + "\n",
		Good:  "stacks:\n  data: {blocks: {...}}\n  app: {blocks: {...}}\n",
		Run: func(p *Pass) {
			if n := len(pairs(p.Stack.Template.Get(section))); n > limit {
				p.ReportAt(p.Stack.Pos, "stack %s has %d %s; CloudFormation allows %d", p.Stack.Name, n, what, limit)
			}
		}}
}

func pairs(n *ir.Node) []ir.Pair {
	if n == nil {
		return nil
	}
	return n.Pairs
}

func itoa(n int) string {
	s := ""
	for {
		s = string(rune('0'+n%10)) + s
		n /= 10
		if n == 0 {
			break
		}
	}
	// thousands separators read better in docs: 1000000 -> 1,000,000
	if len(s) > 4 {
		var b strings.Builder
		for i, c := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(c)
		}
		return b.String()
	}
	return s
}

var logicalIDRE = regexp.MustCompile(`^[A-Za-z0-9]{1,255}$`)

// MaxDynamicRefs is CloudFormation's limit of dynamic references per template.
const MaxDynamicRefs = 60

func init() {
	register(
		countRule("CFN011", "too-many-resources", "Resources", "resources", 500, "E3010"),
		countRule("CFN012", "too-many-outputs", "Outputs", "outputs", 200, "E6010"),
		countRule("CFN013", "too-many-parameters", "Parameters", "parameters", 200, "E2010"),
		&Rule{ID: "CFN014", Name: "too-many-dynamic-references", Family: "cloudformation", Severity: Error, Scope: ScopeTemplate,
			Title: "a template with more than 60 dynamic references",
			Doc:   "CloudFormation resolves at most 60 {{resolve:...}} dynamic references per template; the deploy fails beyond that. Reference one secret or parameter once and share it, or split the stack.",
			Bad:   "# 61 resources each with ImageId: '{{resolve:ssm:/aws/service/ecs/...}}'\n", Good: "# one launch template with the {{resolve:...}}, shared by all\n",
			Run: func(p *Pass) {
				n := 0
				var first *ir.Node
				var firstRes *Resource
				for _, r := range p.Stack.Resources {
					ir.Walk(r.Node, func(m *ir.Node) bool {
						if m.Kind == ir.String {
							if c := strings.Count(m.Text, "{{resolve:"); c > 0 {
								n += c
								if n > MaxDynamicRefs && first == nil {
									first, firstRes = m, r
								}
							}
						}
						return true
					})
				}
				if first != nil {
					p.Report(firstRes, first, "stack %s has %d dynamic references; CloudFormation resolves at most %d (this is number %d)", p.Stack.Name, n, MaxDynamicRefs, MaxDynamicRefs+1)
				}
			}},
		&Rule{ID: "CFN015", Name: "template-too-large", Family: "cloudformation", Severity: Error, Scope: ScopeTemplate, CfnLint: []string{"E1002"},
			Title: "a template over CloudFormation's 1,000,000-byte limit",
			Doc:   "A template uploaded to S3 may be at most 1,000,000 bytes. Split the stack.",
			Bad:   "# one stack with every service of the system\n", Good: "# a stack per service\n",
			Run: func(p *Pass) {
				if n := p.Stack.Size(); n > 1000000 {
					p.ReportAt(p.Stack.Pos, "stack %s's template is %d bytes; CloudFormation allows 1,000,000", p.Stack.Name, n)
				}
			}},
		&Rule{ID: "CFN016", Name: "template-needs-s3", Family: "cloudformation", Severity: Info, Scope: ScopeTemplate,
			Title: "a template over 51,200 bytes deploys through S3",
			Doc:   "aws cloudformation accepts at most 51,200 bytes in --template-body; larger templates are uploaded to S3 (the Makefile does so, stacks.json says overBodyLimit). Informational.",
			Bad:   "# a stack whose template is 60 KB\n", Good: "# a stack under 50 KB, or S3 configured for the Makefile\n",
			Run: func(p *Pass) {
				if n := p.Stack.Size(); n > 51200 && n <= 1000000 {
					p.ReportAt(p.Stack.Pos, "stack %s's template is %d bytes, over the 51,200 of --template-body: it deploys through S3", p.Stack.Name, n)
				}
			}},
		&Rule{ID: "CFN017", Name: "bad-logical-id", Code: ir.CodeLogicalID, Family: "cloudformation", Severity: Error, Scope: ScopeTemplate, CfnLint: []string{"E3001", "E6001"},
			Title: "a logical ID that is not 1 to 255 letters and digits",
			Doc:   "Resource and output logical IDs may hold only A-Z, a-z and 0-9, at most 255 of them. Nested block instance names are prefixed to their resources' IDs, so a long chain of names can pass the limit.",
			Bad:   "Resources:\n  Orders-Queue: {Type: AWS::SQS::Queue}\n", Good: "Resources:\n  OrdersQueue: {Type: AWS::SQS::Queue}\n",
			Run: func(p *Pass) {
				for _, r := range p.Stack.Resources {
					if !logicalIDRE.MatchString(r.ID) {
						p.Report(r, nil, "logical ID %q must be 1 to 255 letters and digits", r.ID)
					}
				}
				eachOutputPair(p.Stack, func(pr *ir.Pair) {
					if !logicalIDRE.MatchString(pr.Key) {
						p.ReportAt(pr.KeyPos, "output name %q must be 1 to 255 letters and digits", pr.Key)
					}
				})
			}},
		&Rule{ID: "CFN018", Name: "export-name", Code: ir.CodeExportName, Family: "cloudformation", Severity: Error, Scope: ScopeTemplate,
			Title: "an export name over 255 characters or with characters AWS refuses",
			Doc:   "Export names are at most 255 characters of letters, digits, colons and hyphens. riglet names exports {stackName}--{Instance}{Output}, so long owner, riglet, stack and instance names add up.",
			Bad:   "Export: {Name: !Sub '${AWS::StackName}/queue arn'}\n", Good: "Export: {Name: !Sub '${AWS::StackName}--QueueArn'}\n",
			Run: func(p *Pass) {
				eachOutputPair(p.Stack, func(pr *ir.Pair) {
					n := pr.Value.Get("Export").Get("Name")
					if n == nil || n.Kind != ir.String {
						return
					}
					switch {
					case len(n.Text) > 255:
						p.ReportAt(n.Pos, "export name of output %s is %d characters; CloudFormation allows 255", pr.Key, len(n.Text))
					case strings.Trim(n.Text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-") != "":
						p.ReportAt(n.Pos, "export name %q of output %s may hold only letters, digits, colons and hyphens", n.Text, pr.Key)
					}
				})
			}},
		&Rule{ID: "CFN019", Name: "elb-name-too-long", Family: "cloudformation", Severity: Error, Scope: ScopeTemplate, CfnLint: []string{"E3033"},
			Title: "a load balancer or target group name over 32 characters",
			Doc:   "Application load balancer and target group names are at most 32 characters and cannot change after creation. Leave Name out and let CloudFormation name it, or shorten it deterministically.",
			Bad:   "Name: !Sub ${AWS::StackName}-service-targets\n", Good: "# no Name: CloudFormation generates one\n",
			Run: func(p *Pass) {
				for _, r := range p.Stack.Resources {
					if r.Type != "AWS::ElasticLoadBalancingV2::LoadBalancer" && r.Type != "AWS::ElasticLoadBalancingV2::TargetGroup" {
						continue
					}
					if n := r.Props.Get("Name"); n != nil && n.Kind == ir.String && len(n.Text) > 32 {
						p.Report(r, n, "%s name %q is %d characters; AWS allows 32", r.Type[len("AWS::ElasticLoadBalancingV2::"):], n.Text, len(n.Text))
					}
				}
			}},
		&Rule{ID: "CFN020", Name: "import-without-export", Family: "cloudformation", Severity: Error, Scope: ScopeRiglet,
			Title: "a Fn::ImportValue of an export no earlier stack produces",
			Doc:   "An import must name an export of a stack that deploys before the importing one (in the riglet's deploy order, in the same env; shared stacks may import from every env). Otherwise the deploy fails, or depends on a stack outside the riglet.",
			Bad:   "Value: !ImportValue acme-demo-staging-base--QueueArn   # base exports no QueueArn\n", Good: "ListenerArn: !Output foundation.alb.ServiceListenerArn\n",
			Run: runImports},
	)
}

func eachOutputPair(s *Stack, f func(*ir.Pair)) {
	if s.Outputs == nil {
		return
	}
	for i := range s.Outputs.Pairs {
		f(&s.Outputs.Pairs[i])
	}
}

type export struct {
	stack *Stack
	order int
	pos   ir.Pos
}

// exports lists each export name of an env's stacks, with the position of its
// stack in deploy order.
func exportsOf(e *Env) map[string]export {
	out := map[string]export{}
	for i, s := range e.Stacks {
		eachOutputPair(s, func(pr *ir.Pair) {
			if n := pr.Value.Get("Export").Get("Name"); n != nil && n.Kind == ir.String {
				out[n.Text] = export{stack: s, order: i, pos: n.Pos}
			}
		})
	}
	return out
}

func runImports(p *Pass) {
	if p.Result == nil {
		return // a plain template's imports come from stacks outside it
	}
	byEnv := map[string]map[string]export{}
	for _, e := range p.Envs {
		byEnv[e.Env] = exportsOf(e)
	}
	for _, e := range p.Envs {
		mine := byEnv[e.Env]
		for i, s := range e.Stacks {
			for _, r := range s.Resources {
				ir.Walk(r.Node, func(m *ir.Node) bool {
					fn, arg, ok := m.Intrinsic()
					if !ok || fn != "Fn::ImportValue" {
						return true
					}
					if arg.Kind != ir.String {
						return false
					}
					if ex, ok := mine[arg.Text]; ok {
						if ex.order >= i {
							f := p.Report(r, m, "%s imports %s from stack %s, which does not deploy before stack %s", r.ID, arg.Text, ex.stack.Name, s.Name)
							f.Envs = []string{e.Env}
							f.Related = append(f.Related, Related{Pos: ex.pos, Msg: "exported here"})
						}
						return false
					}
					if e.Env == "shared" {
						for _, other := range byEnv {
							if _, ok := other[arg.Text]; ok {
								return false
							}
						}
					}
					f := p.Report(r, m, "%s imports %s, which no stack of the riglet exports", r.ID, arg.Text)
					f.Envs = []string{e.Env}
					return false
				})
			}
		}
	}
}

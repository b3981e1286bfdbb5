package model

// The keys of every file riglet reads, as data. The decoders read only keys their
// table has (object.get refuses any other, so a key cannot be decoded without being
// documented) and report every other key as unknown; the reference docs
// (docs/reference/) and the editors' JSON Schemas (`riglet schema`) are generated from
// the same tables, so that what is documented is what is decoded.

// Kind is the shape of a value.
type Kind string

const (
	KString  Kind = "string"
	KInteger Kind = "integer"
	KNumber  Kind = "number"
	KBoolean Kind = "boolean"
	KList    Kind = "list"   // Elem per item
	KMap     Kind = "map"    // free names to Elem
	KObject  Kind = "object" // the keys of Keys
	KAny     Kind = "any"    // any YAML value, intrinsic functions included
	KOneOf   Kind = "one of" // any of Of
)

// Shape is what a key's value may be.
type Shape struct {
	Kind    Kind
	Elem    *Shape   // KList, KMap
	Keys    *Table   // KObject
	Of      []*Shape // KOneOf
	Enum    []string
	Pattern string // for a string: an ECMA 262 regular expression, as JSON Schema has it
	Min     *int   // for an integer
	Max     *int
	MaxLen  int    // for a string: its most characters, 0 for no limit
	Name    string // what the value is, in the docs ("CIDR block", "rule ID")
}

// Key is one key of a file.
type Key struct {
	Name     string
	Shape    *Shape
	Required bool
	Default  string // as YAML; "" for none
	Doc      string // what it does: a sentence or two
	Example  string // YAML: the key with a value
	Refused  bool   // read only to say it is not supported
}

// Table is the keys of one map of a file.
type Table struct {
	Name string // "env file", "instance": what the docs call it
	Keys []Key
	Open bool // other keys are allowed (and kept, not read)
}

// Key returns the key of that name, or nil.
func (t *Table) Key(name string) *Key {
	for i := range t.Keys {
		if t.Keys[i].Name == name {
			return &t.Keys[i]
		}
	}
	return nil
}

// Names lists the table's keys in their order.
func (t *Table) Names() []string {
	out := make([]string, len(t.Keys))
	for i, k := range t.Keys {
		out[i] = k.Name
	}
	return out
}

func str() *Shape                   { return &Shape{Kind: KString} }
func named(k Kind, n string) *Shape { return &Shape{Kind: k, Name: n} }
func pattern(p, n string) *Shape    { return &Shape{Kind: KString, Pattern: p, Name: n} }
func listOf(s *Shape) *Shape        { return &Shape{Kind: KList, Elem: s} }
func mapOf(s *Shape) *Shape         { return &Shape{Kind: KMap, Elem: s} }
func obj(t *Table) *Shape           { return &Shape{Kind: KObject, Keys: t} }
func oneOf(s ...*Shape) *Shape      { return &Shape{Kind: KOneOf, Of: s} }
func intRange(lo, hi int) *Shape    { return &Shape{Kind: KInteger, Min: &lo, Max: &hi} }
func enum(vs ...string) *Shape      { return &Shape{Kind: KString, Enum: vs} }

// Patterns shared by the tables and the decoders' checks.
const (
	namePattern    = `^[a-z][a-z0-9-]*$`
	cidrPattern    = `^([0-9]{1,3}\.){3}[0-9]{1,3}/[0-9]{1,2}$`
	accountPattern = `^[0-9]{12}$`
	// a Route 53 hosted zone ID as the API returns it, without the /hostedzone/ prefix
	hostedZonePattern = `^[A-Z0-9]{1,32}$`
)

// Threshold is an alarm threshold: a number, or {disabled: reason}.
var Threshold = oneOf(named(KNumber, "threshold"), obj(&Table{Name: "disabled alarm", Keys: []Key{
	{Name: "disabled", Shape: named(KString, "reason"), Required: true, Doc: "Turns the alarm off; the reason is required and shows in `riglet plan`.", Example: `disabled: "batch queue, drained nightly"`},
}}))

// EnvAlarmsKeys is the alarms section of an env file.
var EnvAlarmsKeys = &Table{Name: "env alarms", Keys: []Key{
	{Name: "profile", Shape: enum("all", "critical", "none"), Default: "all", Doc: "Which catalogue alarms this env gets: every one, the critical ones, or none.", Example: "profile: critical"},
	{Name: "email", Shape: named(KString, "email address"), Doc: "An address subscribed to the env's ops topic.", Example: "email: ops@example.com"},
	{Name: "thresholds", Shape: mapOf(Threshold), Doc: "Env-wide alarm thresholds by catalogue alarm name, over the catalogue's defaults; `{disabled: reason}` turns one off.", Example: "thresholds: {SqsQueueDepth: 500}"},
}}

// EnvKeys is an env file (envs/<env>.yaml).
var EnvKeys = &Table{Name: "env file", Keys: []Key{
	{Name: "extends", Shape: named(KString, "env name"), Doc: "Another env file (by name) merged under this one: maps merge key by key, anything else is replaced.", Example: "extends: base"},
	{Name: "env", Shape: named(KString, "env name"), Doc: "The env's name; when given it must be the file's name.", Example: "env: staging"},
	{Name: "account", Shape: pattern(accountPattern, "AWS account ID"), Doc: "The AWS account the env deploys to: 12 digits, quoted. Deploy targets refuse credentials of another account. `${Env::Account}` in `!Sub` strings; `${Env::<env>::Account}` names another env's, in any stack (the pipeline's deploy roles, cross-account image pulls).", Example: `account: "123456789012"`},
	{Name: "region", Shape: named(KString, "AWS region"), Required: true, Doc: "The AWS region of every stack of the env.", Example: "region: us-west-2"},
	{Name: "azs", Shape: listOf(named(KString, "availability zone")), Required: true, Doc: "The availability zones the env uses, in its region. Each gets a subnet per tier; adding or removing one renames nothing.", Example: "azs: [us-west-2a, us-west-2b]"},
	{Name: "cidr", Shape: pattern(cidrPattern, "CIDR block"), Doc: "The env's VPC CIDR block. Leave it out to let the riglet's `network.pool` allocate one (kept in the lock).", Example: "cidr: 10.20.0.0/16"},
	{Name: "subnets", Shape: mapOf(mapOf(pattern(cidrPattern, "CIDR block"))), Doc: "Explicit subnet CIDRs, by tier and AZ; they win over derived ones and are checked like them.", Example: "subnets: {public: {us-west-2a: 10.20.0.0/24}}"},
	{Name: "domain", Shape: named(KString, "domain name"), Doc: "The env's DNS domain, `${Env::Domain}` in `!Sub` strings.", Example: "domain: staging.twig.example.com"},
	{Name: "certificate", Shape: named(KString, "ACM certificate ARN"), Doc: "The ACM certificate of the env's load balancers; without one the ALB serves HTTP only. Leave it out when the riglet has an `acm-certificate` block: the ALB then takes that block's certificate (naming both is an error).", Example: "certificate: arn:aws:acm:us-west-2:123456789012:certificate/abcd-1234"},
	{Name: "hosted_zone", Shape: pattern(hostedZonePattern, "Route 53 hosted zone ID"), Doc: "The ID of the env's public Route 53 hosted zone, which holds `domain`: an `acm-certificate` block validates its certificate with DNS records there (and needs it), and the alb and cloudfront-spa blocks add alias records for their domain names to it.", Example: "hosted_zone: Z0123456789ABCDEFGHIJ"},
	{Name: "alarms", Shape: obj(EnvAlarmsKeys), Doc: "Which catalogue alarms the env gets, who is told, and env-wide thresholds.", Example: "alarms: {profile: all, email: ops@example.com}"},
	{Name: "params", Shape: mapOf(named(KAny, "parameter value")), Doc: "Env-wide values for block parameters of that name, given to the instances the riglet spec names (not to the blocks nested inside them).", Example: "params: {DesiredCount: 2}"},
	{Name: "tags", Shape: mapOf(oneOf(named(KString, "tag value"), named(KNumber, "tag value"), named(KBoolean, "tag value"))), Doc: "Tags on every stack of the env.", Example: `tags: {CostCenter: "42"}`},
}}

// NetworkKeys is a riglet spec's network section.
var NetworkKeys = &Table{Name: "network", Keys: []Key{
	{Name: "pool", Shape: pattern(cidrPattern, "CIDR block"), Default: "10.0.0.0/8", Doc: "Where env VPC CIDRs come from when an env file gives none: the lowest free block of `prefix` size.", Example: "pool: 10.0.0.0/8"},
	{Name: "prefix", Shape: intRange(16, 28), Default: "16", Doc: "The size of each env's VPC, as a prefix length.", Example: "prefix: 16"},
	{Name: "max_azs", Shape: intRange(1, 16), Default: "4", Doc: "Subnets reserved per tier: the most AZs an env may ever use (raise to 6 in us-east-1).", Example: "max_azs: 4"},
	{Name: "tiers", Shape: mapOf(intRange(1, 32)), Default: "{public: 24, app: 20, db: 24}", Doc: "Subnet size per tier, as a prefix length, in allocation order.", Example: "tiers: {public: 24, app: 20, db: 24}"},
}}

// InstanceKeys is one block instance of a stack.
var InstanceKeys = &Table{Name: "instance", Keys: []Key{
	{Name: "block", Shape: named(KString, "block name"), Required: true, Doc: "The block this instance stamps out: a built-in block, or one of the repository's `blocks/<name>/block.yaml`.", Example: "block: ecs-service"},
	{Name: "params", Shape: mapOf(named(KAny, "parameter value")), Doc: "Values for the block's parameters, over env `params` and block defaults. `!Output stack.instance.Output` wires another instance's output.", Example: "params: {Image: buildit/twig, ContainerPort: 80}"},
	{Name: "envs", Shape: mapOf(mapOf(named(KAny, "parameter value"))), Doc: "Per-env parameter values, the strongest layer.", Example: "envs: {production: {DesiredCount: 3}}"},
	{Name: "with", Shape: listOf(oneOf(named(KString, "modification"), mapOf(oneOf(mapOf(named(KAny, "parameter value")), &Shape{Kind: KAny, Name: "null"})))), Doc: "Service modifications attached to this instance, by name or as `{name: {params}}`.", Example: "with: [autoscale, {sqs-threshold: {QueueName: orders}}]"},
	{Name: "alarms", Shape: mapOf(mapOf(Threshold)), Doc: "Alarm thresholds of this instance's resources, by resource (its logical ID inside the instance) and catalogue alarm name; the strongest layer.", Example: "alarms: {Queue: {SqsQueueDepth: 200}}"},
	{Name: "ignore", Shape: mapOf(named(KString, "reason")), Doc: "Lint rules not to report for this instance, each with its reason (a suppression without one is a finding).", Example: `ignore: {SEC003: "public bucket of the static site"}`},
	{Name: "only", Shape: listOf(named(KString, "env name")), Doc: "The envs this instance exists in, within its stack's `only:` (every env of the stack when left out). In another env it has no resources, alarms, priorities or lock entries, and wiring to it (`!Output` or by block) is an error there; its `envs:` (per-env parameter values) may name only these envs. Widening it allocates what is new and moves nothing.", Example: "only: [production]"},
}}

// StackKeys is one stack of a riglet spec.
var StackKeys = &Table{Name: "stack", Keys: []Key{
	{Name: "shared", Shape: named(KBoolean, ""), Default: "false", Doc: "Compiled once for the riglet, not per env (`out/<riglet>/shared/`), for what spans envs such as the build pipeline.", Example: "shared: true"},
	{Name: "needs", Shape: listOf(named(KString, "stack name")), Doc: "Stacks deployed before this one, beside those its wiring already needs.", Example: "needs: [db]"},
	{Name: "only", Shape: listOf(named(KString, "env name")), Doc: "The envs this stack exists in (every env of the riglet when left out): elsewhere it is not compiled, not in `out/<riglet>/<env>/`, `stacks.json` or the lock, and wiring or `needs:` to it is an error. Leaving an env it was deployed to retires it there, as removing it would; in each env it keeps, one of its instances must be (an instance's `only:` narrows within it). Not for a shared stack.", Example: "only: [staging]"},
	{Name: "blocks", Shape: mapOf(obj(InstanceKeys)), Required: true, Doc: "The stack's block instances, by instance name (letters, digits, `-` and `_`).", Example: "blocks: {service: {block: ecs-service}}"},
}}

// SpecKeys is a riglet spec (riglets/<riglet>.yaml).
var SpecKeys = &Table{Name: "riglet spec", Keys: []Key{
	{Name: "riglet", Shape: &Shape{Kind: KString, Pattern: namePattern, MaxLen: MaxNameLen, Name: "riglet name"}, Required: true, Doc: "The riglet's name: lower case letters, digits and dashes. It names `out/<riglet>/` and every stack.", Example: "riglet: twig"},
	{Name: "owner", Shape: pattern(namePattern, "owner"), Required: true, Doc: "The owning team; stack names are `{owner}-{riglet}-{env}-{stack}`.", Example: "owner: buildit"},
	{Name: "requires", Shape: named(KString, "version constraint"), Doc: "The riglet versions this spec was written for, so that an upgrade never silently changes what is deployed.", Example: `requires: ">= 0.3"`},
	{Name: "description", Shape: str(), Doc: "What the riglet is, for readers.", Example: "description: Twig, the riglet of the twig app"},
	{Name: "envs", Shape: listOf(named(KString, "env name")), Required: true, Doc: "The envs the riglet is stamped out for, each an `envs/<env>.yaml`.", Example: "envs: [integration, staging, production]"},
	{Name: "network", Shape: obj(NetworkKeys), Doc: "How env VPC CIDRs and subnets are derived.", Example: "network: {pool: 10.0.0.0/8, prefix: 16}"},
	{Name: "stacks", Shape: mapOf(obj(StackKeys)), Required: true, Doc: "The riglet's stacks, by name (lower case letters, digits and dashes).", Example: "stacks: {foundation: {blocks: {network: {block: vpc}}}}"},
}}

// RigletMetaKeys is a block's Metadata.Riglet: riglet's own keys in a template.
var RigletMetaKeys = &Table{Name: "Metadata.Riglet", Keys: []Key{
	{Name: "Kind", Shape: enum("block", "modification"), Default: "block", Doc: "A block is instantiated by a spec or nested with `Type: Block::<name>`; a modification attaches to another instance with `with:`.", Example: "Kind: modification"},
	{Name: "Doc", Shape: named(KString, "Markdown"), Doc: "The block's longer doc, shown by `riglet docs`.", Example: "Doc: Scales the service on CPU."},
	{Name: "Wiring", Shape: mapOf(pattern(`^[a-z][a-z0-9-]*\.[A-Za-z0-9]+$`, "block.Output")), Doc: "Per parameter, the block output that normally feeds it; the compiler wires it when the riglet has exactly one instance of that block.", Example: "Wiring: {ListenerArn: alb.ServiceListenerArn}"},
	{Name: "Names", Shape: mapOf(pattern(`^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+\.[A-Za-z0-9]+$`, "resource type.Property")), Doc: "Per parameter, the resource of the riglet it names: a literal value must be that property of such a resource in the env.", Example: "Names: {QueueName: AWS::SQS::Queue.QueueName}"},
	{Name: "Derived", Shape: mapOf(pattern(derivedPattern, "derived value")), Doc: "Per parameter, the derived value that feeds it: the CIDR plan (`network.cidr`, `network.subnets.<tier>`...), the env (`env.name`, `env.domain`...), the riglet, or the listener rule priority.", Example: "Derived: {Priority: listener.priority}"},
	{Name: "DeployTime", Shape: listOf(named(KString, "parameter name")), Doc: "Parameters that stay CloudFormation parameters with their default, set at deploy time (an image tag).", Example: "DeployTime: [ImageTag]"},
	{Name: "Maps", Shape: mapOf(obj(MapParamKeys)), Doc: "Parameters that take a map of named entries (CloudFormation has no map type), each declared `Type: CommaDelimitedList, Default: \"\"`. A spec gives `NAME: value` or `NAME: {Field: value...}` in any order; in the block, `!Ref Param` is the names, sorted, for `Fn::ForEach`, and `!FindInMap [Param, !Ref Name, Field]` an entry's field (its default when the entry leaves it out). Each layer (env params, instance params, `envs.<env>`) gives the whole map. `Fn::ForEach` may also stand as an item of a list: its values become items, each distinct one once.", Example: "Maps: {Secrets: {Names: '^[A-Z_]+$', Fields: {Arn: {Type: String}, Key: {Type: String, Default: \"\"}}, Distinct: [Environment]}}"},
	{Name: "AttachesTo", Shape: listOf(named(KString, "block name")), Doc: "For a modification: the blocks it may attach to.", Example: "AttachesTo: [ecs-service]"},
	{Name: "Requires", Shape: listOf(named(KString, "modification")), Doc: "For a modification: the modifications the instance must have too.", Example: "Requires: [autoscale]"},
}}

// MapParamKeys is one map-valued parameter of a block (Metadata.Riglet.Maps).
var MapParamKeys = &Table{Name: "map parameter", Keys: []Key{
	{Name: "Names", Shape: named(KString, "regular expression"), Doc: "A regular expression every entry's name must match (as AllowedPattern, the whole name).", Example: "Names: '^[A-Za-z_][A-Za-z0-9_]*$'"},
	{Name: "Fields", Shape: mapOf(obj(ParamKeys)), Required: true, Doc: "An entry's fields, each with the parameter schema (a field without a default is required); an entry given as a single value sets the first field.", Example: "Fields: {Arn: {Type: String}, Key: {Type: String, Default: \"\"}}"},
	{Name: "Distinct", Shape: listOf(named(KString, "parameter name")), Doc: "Parameters that name what the entries name another way (an environment variable): no entry may repeat a name they give; a list item `NAME=value` names NAME.", Example: "Distinct: [Environment]"},
}}

// ParamKeys is one parameter of a block, CloudFormation's parameter schema.
var ParamKeys = &Table{Name: "parameter", Keys: []Key{
	{Name: "Type", Shape: named(KString, "parameter type"), Required: true, Doc: "String, Number, List<Number>, CommaDelimitedList or an AWS-specific type (AWS::EC2::VPC::Id...); not SSM parameter types.", Example: "Type: Number"},
	{Name: "Default", Shape: named(KAny, "value"), Doc: "The value when no layer sets one; a parameter without a default is required.", Example: "Default: 1"},
	{Name: "AllowedValues", Shape: listOf(named(KAny, "value")), Doc: "The only values allowed.", Example: "AllowedValues: [t3.small, t3.medium]"},
	{Name: "AllowedPattern", Shape: named(KString, "regular expression"), Doc: "A regular expression the whole value must match.", Example: "AllowedPattern: '^/.*'"},
	{Name: "MinLength", Shape: named(KNumber, ""), Doc: "The shortest string allowed.", Example: "MinLength: 1"},
	{Name: "MaxLength", Shape: named(KNumber, ""), Doc: "The longest string allowed.", Example: "MaxLength: 32"},
	{Name: "MinValue", Shape: named(KNumber, ""), Doc: "The smallest number allowed.", Example: "MinValue: 1"},
	{Name: "MaxValue", Shape: named(KNumber, ""), Doc: "The largest number allowed.", Example: "MaxValue: 10"},
	{Name: "Description", Shape: str(), Doc: "What the parameter is for, shown by `riglet docs` and editors.", Example: "Description: Tasks to run"},
	{Name: "ConstraintDescription", Shape: str(), Doc: "Said when a value breaks a constraint.", Example: "ConstraintDescription: a path starting with /"},
	{Name: "NoEcho", Shape: named(KBoolean, ""), Doc: "Masks the value in CloudFormation's output.", Example: "NoEcho: true"},
}}

// BlockMetadataKeys is a block's Metadata: riglet's own section, and anything else
// CloudFormation allows, kept in the output.
var BlockMetadataKeys = &Table{Name: "Metadata", Open: true, Keys: []Key{
	{Name: "Riglet", Shape: obj(RigletMetaKeys), Doc: "riglet's own keys: the block's kind, doc, wiring, derived and deploy-time parameters.", Example: "Riglet: {Kind: block}"},
}}

// BlockKeys is a block file (blocks/<name>/block.yaml): a CloudFormation template.
var BlockKeys = &Table{Name: "block", Keys: []Key{
	{Name: "AWSTemplateFormatVersion", Shape: enum("2010-09-09"), Doc: "CloudFormation's template version; optional.", Example: `AWSTemplateFormatVersion: "2010-09-09"`},
	{Name: "Description", Shape: str(), Doc: "What the block is for: one line, the first of its README.", Example: "Description: An SQS queue with a dead-letter queue"},
	{Name: "Metadata", Shape: obj(BlockMetadataKeys), Doc: "The template's metadata; `Metadata.Riglet` holds riglet's keys, the rest is kept.", Example: "Metadata: {Riglet: {Kind: block}}"},
	{Name: "Parameters", Shape: mapOf(obj(ParamKeys)), Doc: "The block's parameters, with CloudFormation's parameter schema, enforced at compile time.", Example: "Parameters: {DesiredCount: {Type: Number, Default: 1}}"},
	{Name: "Rules", Shape: named(KAny, ""), Refused: true, Doc: "Not supported in blocks: use AllowedValues, AllowedPattern and the other parameter constraints."},
	{Name: "Conditions", Shape: mapOf(named(KAny, "condition")), Doc: "CloudFormation conditions, folded at compile time.", Example: "Conditions: {IsProd: !Equals [!Ref Env, production]}"},
	{Name: "Mappings", Shape: mapOf(mapOf(mapOf(named(KAny, "value")))), Doc: "CloudFormation mappings, folded at compile time.", Example: "Mappings: {Sizes: {production: {Count: 3}}}"},
	{Name: "Resources", Shape: mapOf(named(KObject, "resource")), Doc: "CloudFormation resources, required but in a modification; `Type: Block::<name>` nests another block, its `Properties` being that block's parameters.", Example: "Resources: {Queue: {Type: AWS::SQS::Queue}}"},
	{Name: "Outputs", Shape: mapOf(named(KObject, "output")), Doc: "The block's outputs: what wiring, `!Output` and `!GetAtt Instance.Output` read.", Example: "Outputs: {QueueArn: {Value: !GetAtt Queue.Arn}}"},
	{Name: "Transform", Shape: enum("AWS::LanguageExtensions"), Doc: "Only AWS::LanguageExtensions, which riglet folds (`Fn::ForEach`, `Fn::Length`, `Fn::ToJsonString`).", Example: "Transform: AWS::LanguageExtensions"},
}}

// The lock file's keys (riglets/<riglet>.lock), which riglet writes and reads back.
var (
	LockRuleKeys = &Table{Name: "lock rule", Keys: []Key{
		{Name: "priority", Shape: intRange(1, 50000), Required: true, Doc: "The rule's priority on its listener.", Example: "priority: 100"},
		{Name: "retired", Shape: named(KBoolean, ""), Default: "false", Doc: "The rule is gone from the spec; its priority stays reserved until `riglet lock prune`.", Example: "retired: true"},
	}}
	LockEnvKeys = &Table{Name: "lock entry", Keys: []Key{
		{Name: "cidr", Shape: pattern(cidrPattern, "CIDR block"), Doc: "The env's VPC CIDR.", Example: "cidr: 10.0.0.0/16"},
		{Name: "retired", Shape: named(KBoolean, ""), Default: "false", Doc: "The env is gone from the spec; its CIDR stays reserved until `riglet lock prune`.", Example: "retired: true"},
		{Name: "slots", Shape: mapOf(pattern(cidrPattern, "CIDR block")), Doc: "Per tier, the aligned range its subnets come from.", Example: "slots: {public: 10.0.0.0/22}"},
		{Name: "subnets", Shape: mapOf(mapOf(pattern(cidrPattern, "CIDR block"))), Doc: "Per tier and AZ, the subnet allocated.", Example: "subnets: {public: {us-west-2a: 10.0.0.0/24}}"},
		{Name: "retired_subnets", Shape: mapOf(mapOf(pattern(cidrPattern, "CIDR block"))), Doc: "Subnets of removed AZs, reserved until `riglet lock prune`.", Example: "retired_subnets: {public: {us-west-2c: 10.0.2.0/24}}"},
	}}
	LockStackKeys = &Table{Name: "lock stack", Keys: []Key{
		{Name: "stackName", Shape: named(KString, "stack name"), Required: true, Doc: "The stack's CloudFormation name.", Example: "stackName: buildit-twig-staging-app-twig"},
		{Name: "needs", Shape: listOf(named(KString, "stack")), Doc: "The stacks it needs: a retired stack is deleted before them.", Example: "needs: [compute, foundation]"},
		{Name: "retired", Shape: named(KBoolean, ""), Default: "false", Doc: "The stack left the spec but may still be deployed: `make delete-retired` deletes it, then `riglet lock prune` releases it.", Example: "retired: true"},
	}}
	LockKeys = &Table{Name: "lock file", Keys: []Key{
		{Name: "network", Shape: mapOf(obj(LockEnvKeys)), Doc: "Per env, its VPC CIDR, tier slots and subnets.", Example: "network: {staging: {cidr: 10.0.0.0/16}}"},
		{Name: "stacks", Shape: mapOf(mapOf(obj(LockStackKeys))), Doc: "Per env (and `shared`), each stack riglet compiled: its CloudFormation name and needs, kept when it leaves the spec (retired) so that it can still be deleted.", Example: "stacks: {staging: {app-twig: {stackName: buildit-twig-staging-app-twig, needs: [compute, foundation]}}}"},
		{Name: "priorities", Shape: mapOf(mapOf(mapOf(oneOf(intRange(1, 50000), obj(LockRuleKeys))))), Doc: "Per env and listener, each rule's priority: a number, or `{priority: N, retired: true}` for a removed rule.", Example: "priorities: {staging: {foundation.alb.ServiceListenerArn: {app-twig.service: 200, app-old.service: {priority: 300, retired: true}}}}"},
	}}
)

// Tables lists every table by the file it belongs to, for the docs and a test.
func Tables() []*Table {
	return []*Table{EnvKeys, EnvAlarmsKeys, SpecKeys, NetworkKeys, StackKeys, InstanceKeys,
		BlockKeys, BlockMetadataKeys, RigletMetaKeys, MapParamKeys, ParamKeys, LockKeys, LockEnvKeys, LockRuleKeys, LockStackKeys,
		ConfigKeys, ConfigLintKeys}
}

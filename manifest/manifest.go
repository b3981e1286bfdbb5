// Package manifest is stacks.json, the file beside an env's templates that says what
// make and the AWS CLI need to deploy it: the stacks in deploy order, each with its
// name, template, the stacks it needs, capabilities, tags, deploy-time parameters and
// size. riglet writes it; rigletdeploy reads it; both use these types.
package manifest

// File is the name of the manifest in an env's directory.
const File = "stacks.json"

// MaxBodyBytes is CloudFormation's limit for a template passed as --template-body;
// larger templates deploy from S3.
const MaxBodyBytes = 51200

// Version is the version of stacks.json's shape: a change a reader must know of
// (a field renamed, its meaning changed) raises it; a field added does not.
const Version = 1

// Manifest is stacks.json.
type Manifest struct {
	Version int    `json:"version"`
	Riglet  string `json:"riglet"`
	Env     string `json:"env"`
	Account string `json:"account"`
	Region  string `json:"region"`
	// Certificate is the env file's ACM certificate, which `make check-env` looks for in
	// the env's region before a deploy needs it.
	Certificate string `json:"certificate,omitempty"`
	// CertificateBlock is the acm-certificate instance (stack.instance) that makes the
	// env's certificate when its file names none: the certificate exists only once that
	// stack is deployed, validated in HostedZone.
	CertificateBlock string `json:"certificateBlock,omitempty"`
	// HostedZone is the env file's public Route 53 hosted zone, which check-env looks for.
	HostedZone string  `json:"hostedZone,omitempty"`
	Source     string  `json:"source"`
	Stacks     []Stack `json:"stacks"`
	// Retired are stacks removed from the spec that the lock keeps until riglet lock
	// prune, in the order to delete them (make delete-retired).
	Retired []Retired `json:"retired,omitempty"`
	// LeftOut are the spec's stacks that only: leaves out of this env, so that make can
	// say why there is nothing to deploy for one.
	LeftOut []LeftOut `json:"leftOut,omitempty"`
}

// LeftOut is a stack of the spec that its only: leaves out of the env.
type LeftOut struct {
	Name string   `json:"name"`
	Only []string `json:"only"` // the envs it exists in
}

// Retired is a stack removed from the spec, which may still exist in AWS.
type Retired struct {
	Name      string   `json:"name"`
	StackName string   `json:"stackName"`
	Needs     []string `json:"needs"`
}

// Stack is one stack of stacks.json, in deploy order.
type Stack struct {
	Name                  string            `json:"name"`
	StackName             string            `json:"stackName"`
	Template              string            `json:"template"`
	Needs                 []string          `json:"needs"`
	Capabilities          []string          `json:"capabilities"`
	Tags                  map[string]string `json:"tags"`
	Parameters            []Param           `json:"parameters"`
	TemplateBytes         int               `json:"templateBytes"`
	OverBodyLimit         bool              `json:"overBodyLimit"`
	TerminationProtection bool              `json:"terminationProtection"`
}

// Param is a deploy-time parameter and its default. A required one has none: the
// stack's first deploy must set it (make refuses to create the stack without it), later
// deploys keep the running value.
type Param struct {
	Name     string `json:"name"`
	Default  string `json:"default,omitempty"`
	Required bool   `json:"required,omitempty"`
}

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

// Manifest is stacks.json.
type Manifest struct {
	Riglet  string `json:"riglet"`
	Env     string `json:"env"`
	Account string `json:"account"`
	Region  string `json:"region"`
	// Certificate is the env file's ACM certificate, which `make check-env` looks for in
	// the env's region before a deploy needs it.
	Certificate string  `json:"certificate,omitempty"`
	Source      string  `json:"source"`
	Stacks      []Stack `json:"stacks"`
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

// Param is a deploy-time parameter and its default.
type Param struct {
	Name    string `json:"name"`
	Default string `json:"default"`
}

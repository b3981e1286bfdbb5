package ir

// Code is the kind of a problem the compiler reports. Every code is owned by exactly
// one lint rule (riglet rules lists them), so that a compile error and the lint
// finding for the same mistake print with the same ID; code flow tests codes, never
// message text. A test in package lint fails when a code has no rule, and one in
// package compiler when an error is made without a code.
type Code string

// The codes. Keep Codes below in step: it is what the tests walk.
const (
	CodeYAML            Code = "yaml"                 // a file does not parse
	CodeDuplicateKey    Code = "duplicate-key"        // a map has a key twice
	CodeUnknownKey      Code = "unknown-key"          // a key riglet does not know
	CodeUnknownBlock    Code = "unknown-block"        // an instance names no block
	CodeUnknownEnv      Code = "unknown-env"          // an env the spec does not list
	CodeUnknownParam    Code = "unknown-parameter"    // a value for a parameter the block lacks
	CodeMissingParam    Code = "missing-parameter"    // a required parameter or threshold unset
	CodeConstraint      Code = "parameter-constraint" // a value breaks a parameter's constraints
	CodeWiring          Code = "wiring"               // wiring ambiguous or missing
	CodeCycle           Code = "cycle"                // blocks, stacks, instances or env files in a cycle
	CodeModification    Code = "modification"         // a with: entry that does not fit
	CodeLock            Code = "lock"                 // the lock contradicts the sources
	CodeIntrinsic       Code = "intrinsic"            // an intrinsic that cannot be folded
	CodeVersion         Code = "version"              // requires: another riglet version
	CodeOther           Code = "other"                // nothing more specific: the catch-all
	CodeUnreadable      Code = "unreadable"           // a source file cannot be read
	CodeInvalidValue    Code = "invalid-value"        // a value of the wrong type or form
	CodeMissingKey      Code = "missing-key"          // a required key is absent
	CodeDuplicateName   Code = "duplicate-name"       // a name that must be unique is not
	CodeBlockDefinition Code = "block-definition"     // a block's template or Metadata.Riglet is malformed
	CodeCatalogue       Code = "alarm-catalogue"      // the alarm catalogue is malformed
	CodeUnknownStack    Code = "unknown-stack"        // needs: names no stack
	CodeEmptyStack      Code = "empty-stack"          // a stack with no resources in an env
	CodeNetwork         Code = "network"              // the CIDR plan cannot be made
	CodePriority        Code = "priority"             // listener rule priorities cannot be derived
	CodeAlarm           Code = "alarm"                // a catalogue alarm cannot be made as configured
	CodeLogicalID       Code = "logical-id"           // a logical ID of the wrong form, or a collision
	CodeExportName      Code = "export-name"          // an export name over CloudFormation's limit
	CodeGetAttMissing   Code = "getatt-missing"       // GetAtt of a missing resource or output
	CodeDependsOn       Code = "depends-on-missing"   // DependsOn a missing resource
	CodeFargate         Code = "fargate"              // an invalid Fargate CPU/memory pair
)

// Codes lists every code.
var Codes = []Code{
	CodeYAML, CodeDuplicateKey, CodeUnknownKey, CodeUnknownBlock, CodeUnknownEnv,
	CodeUnknownParam, CodeMissingParam, CodeConstraint, CodeWiring, CodeCycle,
	CodeModification, CodeLock, CodeIntrinsic, CodeVersion, CodeOther, CodeUnreadable,
	CodeInvalidValue, CodeMissingKey, CodeDuplicateName, CodeBlockDefinition,
	CodeCatalogue, CodeUnknownStack, CodeEmptyStack, CodeNetwork, CodePriority,
	CodeAlarm, CodeLogicalID, CodeExportName, CodeGetAttMissing, CodeDependsOn,
	CodeFargate,
}

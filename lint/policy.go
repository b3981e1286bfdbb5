package lint

import (
	"strings"

	"github.com/riglet/riglet/ir"
)

// IAM policy documents as the security rules read them. A value the linter cannot
// see (an intrinsic other than a literal Fn::Sub) is never taken for a match: a rule
// that asks "is any action iam:PassRole" ignores it, and one that asks "is there no
// condition" treats it as present, so that no rule fires on what it cannot know.

// identityPolicies returns the identity-based policy documents of a resource: the
// inline policies of roles, users and groups, and the policy resources' documents.
func identityPolicies(r *Resource) []*ir.Node {
	var out []*ir.Node
	switch r.Type {
	case "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group":
		for _, p := range list(r.Props.Get("Policies")) {
			if d := p.Get("PolicyDocument"); d != nil {
				out = append(out, d)
			}
		}
	case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy":
		if d := r.Props.Get("PolicyDocument"); d != nil {
			out = append(out, d)
		}
	}
	return out
}

var identityTypes = []string{"AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Policy",
	"AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy"}

// resourcePolicy returns the resource-based policy document of a bucket, queue or
// topic policy or a KMS key, and what it guards.
func resourcePolicy(r *Resource) (*ir.Node, string) {
	switch r.Type {
	case "AWS::S3::BucketPolicy":
		return r.Props.Get("PolicyDocument"), "bucket policy"
	case "AWS::SQS::QueuePolicy":
		return r.Props.Get("PolicyDocument"), "queue policy"
	case "AWS::SNS::TopicPolicy":
		return r.Props.Get("PolicyDocument"), "topic policy"
	case "AWS::KMS::Key":
		return r.Props.Get("KeyPolicy"), "key policy"
	}
	return nil, ""
}

var resourcePolicyTypes = []string{"AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy", "AWS::KMS::Key"}

// statements returns a document's statements that are maps; a statement behind an
// intrinsic (a Fn::If) is one the linter cannot see.
func statements(doc *ir.Node) []*ir.Node {
	var out []*ir.Node
	for _, s := range list(doc.Get("Statement")) {
		if s.Kind == ir.Map && !isIntrinsic(s) {
			out = append(out, s)
		}
	}
	return out
}

func allows(st *ir.Node) bool { return text(st.Get("Effect")) == "Allow" }

// strs returns the literal texts of a string or list of strings (a literal
// Fn::Sub's template included: "arn:${AWS::Partition}:iam::aws:policy/X" names X);
// values it cannot see are left out.
func strs(n *ir.Node) []string {
	var out []string
	for _, it := range list(n) {
		if s, ok := literal(it); ok {
			out = append(out, s)
		}
	}
	return out
}

// literal returns a scalar's text, or a Fn::Sub's template when it has no variables
// of its own; ok is false for anything else.
func literal(n *ir.Node) (string, bool) {
	if n == nil {
		return "", false
	}
	if n.IsScalar() && n.Kind != ir.Null {
		return n.Text, true
	}
	if fn, arg, ok := n.Intrinsic(); ok && fn == "Fn::Sub" && arg.Kind == ir.String {
		return arg.Text, true
	}
	return "", false
}

// grants reports whether any of a statement's Action patterns matches action (IAM's
// case-insensitive * and ? wildcards), and returns the pattern.
func grants(st *ir.Node, action string) (string, bool) {
	for _, a := range strs(st.Get("Action")) {
		if wildcardMatch(strings.ToLower(a), strings.ToLower(action)) {
			return a, true
		}
	}
	return "", false
}

// onAnyResource reports whether a statement's Resource includes "*".
func onAnyResource(st *ir.Node) bool {
	for _, r := range strs(st.Get("Resource")) {
		if r == "*" {
			return true
		}
	}
	return false
}

// wildcardMatch matches s against an IAM pattern of * (any run) and ? (one rune).
func wildcardMatch(pat, s string) bool {
	// iterative, with one backtrack point: linear in practice, never exponential
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pat) && (pat[p] == '?' || pat[p] == s[i]):
			p++
			i++
		case p < len(pat) && pat[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

// serviceWildcard returns a statement's "*" or "service:*" action when its Resource
// is "*" too: then the principal administers the service (SEC006, SEC011), which
// says more than any narrower rule would about the same statement.
func serviceWildcard(st *ir.Node) (string, bool) {
	if !onAnyResource(st) {
		return "", false
	}
	for _, a := range strs(st.Get("Action")) {
		if a == "*" || strings.HasSuffix(a, ":*") && !strings.ContainsAny(strings.TrimSuffix(a, ":*"), "*?:") {
			return a, true
		}
	}
	return "", false
}

// narrowingKeys are the condition keys that limit who may use a statement whose
// principal is everyone: the caller's account, organization, ARN or network, or the
// source a service acts for.
var narrowingKeys = map[string]bool{
	"aws:sourcearn": true, "aws:sourceaccount": true, "aws:sourceorgid": true, "aws:sourceorgpaths": true,
	"aws:sourcevpc": true, "aws:sourcevpce": true, "aws:sourceip": true, "aws:vpcsourceip": true,
	"aws:principalorgid": true, "aws:principalorgpaths": true, "aws:principalaccount": true,
	"aws:principalarn": true, "aws:principalservicename": true, "aws:userid": true, "aws:username": true,
	"aws:sourceowner": true, "kms:calleraccount": true, "kms:viaservice": true,
	"sts:externalid": false, // known by whoever the owner told: not who may call
}

// everyone reports whether a statement's principal is anyone at all: "*" or
// {AWS: "*"}. A principal the linter cannot see is not.
func everyone(st *ir.Node) bool {
	p := st.Get("Principal")
	if s, ok := literal(p); ok {
		return s == "*"
	}
	for _, a := range strs(p.Get("AWS")) {
		if a == "*" {
			return true
		}
	}
	return false
}

// conditionKeys returns the condition keys a statement's Condition tests (any
// operator); opaque is true when part of it is a value the linter cannot see.
func conditionKeys(st *ir.Node) (keys []string, opaque bool) {
	c := st.Get("Condition")
	if c == nil {
		return nil, false
	}
	if c.Kind != ir.Map || isIntrinsic(c) {
		return nil, true
	}
	for _, op := range c.Pairs {
		if op.Value.Kind != ir.Map || isIntrinsic(op.Value) {
			opaque = true
			continue
		}
		for _, k := range op.Value.Pairs {
			keys = append(keys, strings.ToLower(k.Key))
		}
	}
	return keys, opaque
}

// narrowed reports whether a statement's Condition limits who may use it (see
// narrowingKeys); a Condition the linter cannot see counts as narrowing.
func narrowed(st *ir.Node) bool {
	keys, opaque := conditionKeys(st)
	for _, k := range keys {
		opaque = opaque || narrowingKeys[k]
	}
	return opaque
}

// hasConditionKey reports whether a statement's Condition tests key; a Condition
// the linter cannot see counts as testing it.
func hasConditionKey(st *ir.Node, key string) bool {
	keys, opaque := conditionKeys(st)
	for _, k := range keys {
		opaque = opaque || k == strings.ToLower(key)
	}
	return opaque
}

// deniesInsecureTransport reports whether a document holds the TLS-only statement:
// Deny when aws:SecureTransport is false.
func deniesInsecureTransport(doc *ir.Node) bool {
	for _, st := range statements(doc) {
		if text(st.Get("Effect")) != "Deny" {
			continue
		}
		for _, op := range pairs(st.Get("Condition")) {
			if op.Key != "Bool" && op.Key != "BoolIfExists" {
				continue
			}
			for _, k := range pairs(op.Value) {
				if strings.EqualFold(k.Key, "aws:SecureTransport") && strings.EqualFold(text(k.Value), "false") {
					return true
				}
			}
		}
	}
	return false
}

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
	eachIdentityPolicy(r, func(d *ir.Node) { out = append(out, d) })
	return out
}

// eachIdentityPolicy calls f with each document identityPolicies lists, without the
// list.
func eachIdentityPolicy(r *Resource, f func(doc *ir.Node)) {
	switch r.Type {
	case "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group":
		each := func(p *ir.Node) {
			if d := p.Get("PolicyDocument"); d != nil {
				f(d)
			}
		}
		switch ps := r.Props.Get("Policies"); {
		case ps == nil:
		case ps.Kind == ir.List:
			for _, p := range ps.Items {
				each(p)
			}
		default:
			each(ps)
		}
	case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy":
		if d := r.Props.Get("PolicyDocument"); d != nil {
			f(d)
		}
	}
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
	eachStatement(doc, func(st *ir.Node) { out = append(out, st) })
	return out
}

// eachStatement calls f with each statement statements lists, without the list.
func eachStatement(doc *ir.Node, f func(st *ir.Node)) {
	each := func(s *ir.Node) {
		if s.Kind == ir.Map && !isIntrinsic(s) {
			f(s)
		}
	}
	switch n := doc.Get("Statement"); {
	case n == nil:
	case n.Kind == ir.List:
		for _, s := range n.Items {
			each(s)
		}
	default:
		each(n)
	}
}

func allows(st *ir.Node) bool { return text(st.Get("Effect")) == "Allow" }

// anyStr reports whether f is true of any of the literal texts of a string or list
// of strings (a literal Fn::Sub's template included:
// "arn:${AWS::Partition}:iam::aws:policy/X" names X), calling it on them in order
// until it is; values it cannot see are left out. It makes no list of them.
func anyStr(n *ir.Node, f func(string) bool) bool {
	switch {
	case n == nil:
		return false
	case n.Kind == ir.List:
		for _, it := range n.Items {
			if s, ok := literal(it); ok && f(s) {
				return true
			}
		}
		return false
	}
	s, ok := literal(n)
	return ok && f(s)
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
	var pat string
	found := anyStr(st.Get("Action"), func(a string) bool {
		pat = a
		return wildcardMatchFold(a, action)
	})
	if !found {
		return "", false
	}
	return pat, true
}

// wildcardMatchFold is wildcardMatch of both lowered, lowering ASCII text byte by
// byte as it compares rather than copying it (IAM's actions are ASCII).
func wildcardMatchFold(pat, s string) bool {
	if !isASCII(pat) || !isASCII(s) {
		return wildcardMatch(strings.ToLower(pat), strings.ToLower(s))
	}
	// wildcardMatch's walk, each byte lowered: '*' and '?' lower to themselves, and
	// no other byte lowers to them.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pat) && (pat[p] == '?' || lowerASCII(pat[p]) == lowerASCII(s[i])):
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

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + ('a' - 'A')
	}
	return b
}

// onAnyResource reports whether a statement's Resource includes "*".
func onAnyResource(st *ir.Node) bool {
	return anyStr(st.Get("Resource"), func(r string) bool { return r == "*" })
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
	var admin string
	if anyStr(st.Get("Action"), func(a string) bool {
		admin = a
		return a == "*" || strings.HasSuffix(a, ":*") && !strings.ContainsAny(strings.TrimSuffix(a, ":*"), "*?:")
	}) {
		return admin, true
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
	return anyStr(p.Get("AWS"), func(a string) bool { return a == "*" })
}

// anyConditionKey reports whether match is true of any condition key a statement's
// Condition tests (any operator), or part of it is a value the linter cannot see.
func anyConditionKey(st *ir.Node, match func(key string) bool) bool {
	c := st.Get("Condition")
	if c == nil {
		return false
	}
	if c.Kind != ir.Map || isIntrinsic(c) {
		return true
	}
	for _, op := range c.Pairs {
		if op.Value.Kind != ir.Map || isIntrinsic(op.Value) {
			return true
		}
		for _, k := range op.Value.Pairs {
			if match(k.Key) {
				return true
			}
		}
	}
	return false
}

// narrowed reports whether a statement's Condition limits who may use it (see
// narrowingKeys); a Condition the linter cannot see counts as narrowing.
func narrowed(st *ir.Node) bool {
	return anyConditionKey(st, func(k string) bool {
		if len(k) <= 64 && isASCII(k) {
			var buf [64]byte
			for i := 0; i < len(k); i++ {
				buf[i] = lowerASCII(k[i])
			}
			return narrowingKeys[string(buf[:len(k)])]
		}
		return narrowingKeys[strings.ToLower(k)]
	})
}

// hasConditionKey reports whether a statement's Condition tests key; a Condition
// the linter cannot see counts as testing it.
func hasConditionKey(st *ir.Node, key string) bool {
	return anyConditionKey(st, func(k string) bool { return sameLower(k, key) })
}

// sameLower reports whether strings.ToLower(a) == strings.ToLower(b), copying
// neither when both are ASCII.
func sameLower(a, b string) bool {
	if !isASCII(a) || !isASCII(b) {
		return strings.ToLower(a) == strings.ToLower(b)
	}
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
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

package diff

import (
	"fmt"
	"sort"
	"strings"

	"github.com/riglet/riglet/ir"
)

// security adds to ch what the change from a to b (resources of type ty; either may be
// nil) does to access: IAM statements, security group rules, public access and
// encryption. Widening makes the change a Security one; narrowing is listed only.
func (c *envComparison) security(ch *Change, ty string, a, b *ir.Node) {
	pa, pb := a.Get("Properties"), b.Get("Properties")
	var secs []Sec
	secs = append(secs, iamChanges(pa, pb)...)
	secs = append(secs, sgChanges(ty, pa, pb)...)
	if a != nil && b != nil {
		secs = append(secs, flagChanges(ty, pa, pb)...)
	}
	for _, s := range secs {
		if s.Direction == "widened" {
			ch.add(Security)
		}
	}
	ch.Security = append(ch.Security, secs...)
}

// statements are the IAM statements of a resource's properties, by the document path.
func statements(props *ir.Node) map[string][]*ir.Node {
	out := map[string][]*ir.Node{}
	var walk func(path string, n *ir.Node)
	walk = func(path string, n *ir.Node) {
		if n == nil {
			return
		}
		switch n.Kind {
		case ir.Map:
			for _, p := range n.Pairs {
				if p.Key == "PolicyDocument" || p.Key == "AssumeRolePolicyDocument" || p.Key == "KeyPolicy" {
					st := p.Value.Get("Statement")
					key := join(path, p.Key)
					if st != nil && st.Kind == ir.List {
						out[key] = append(out[key], st.Items...)
					} else if st != nil {
						out[key] = append(out[key], st)
					}
					continue
				}
				walk(join(path, p.Key), p.Value)
			}
		case ir.List:
			for i, it := range n.Items {
				name := txt(it.Get("PolicyName"))
				if name == "" {
					name = fmt.Sprint(i)
				}
				walk(path+"["+name+"]", it)
			}
		}
	}
	walk("", props)
	return out
}

func iamChanges(pa, pb *ir.Node) []Sec {
	sa, sb := statements(pa), statements(pb)
	keys := map[string]bool{}
	for k := range sa {
		keys[k] = true
	}
	for k := range sb {
		keys[k] = true
	}
	var out []Sec
	for _, k := range sortedKeys(keys) {
		old, new := unmatched(sa[k], sb[k])
		for len(old) > 0 && len(new) > 0 {
			o, n := old[0], new[0]
			old, new = old[1:], new[1:]
			dir := "narrowed"
			if broadened(o, n) {
				dir = "widened"
			}
			out = append(out, Sec{Area: "iam", Direction: dir, What: fmt.Sprintf("%s: statement %s -> %s", k, describe(o), describe(n))})
		}
		for _, o := range old {
			out = append(out, Sec{Area: "iam", Direction: "narrowed", What: fmt.Sprintf("%s: statement removed: %s", k, describe(o))})
		}
		for _, n := range new {
			dir := "widened"
			if txt(n.Get("Effect")) == "Deny" {
				dir = "narrowed"
			}
			out = append(out, Sec{Area: "iam", Direction: dir, What: fmt.Sprintf("%s: statement added: %s", k, describe(n))})
		}
	}
	return out
}

// unmatched drops the items both lists hold alike.
func unmatched(a, b []*ir.Node) ([]*ir.Node, []*ir.Node) {
	used := make([]bool, len(b))
	var oa []*ir.Node
	for _, x := range a {
		found := false
		for j, y := range b {
			if !used[j] && ir.Equal(x, y) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			oa = append(oa, x)
		}
	}
	var ob []*ir.Node
	for j, y := range b {
		if !used[j] {
			ob = append(ob, y)
		}
	}
	return oa, ob
}

// describe is a statement in a line: effect, actions, resources, principal, condition.
func describe(s *ir.Node) string {
	var b strings.Builder
	b.WriteString(txt(s.Get("Effect")))
	for _, k := range []string{"Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"} {
		if v := s.Get(k); v != nil {
			fmt.Fprintf(&b, " %s %s", k, flat(v))
		}
	}
	return b.String()
}

// flat is a statement field in a line: a list of names as [a, b], else as short.
func flat(v *ir.Node) string {
	if v.Kind != ir.List {
		return short(v)
	}
	parts := make([]string, len(v.Items))
	for i, it := range v.Items {
		parts[i] = short(it)
	}
	s := "[" + strings.Join(parts, ", ") + "]"
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// broadened reports whether statement n allows more than o: an Allow where there was a
// Deny, actions, resources or principals it did not name (or a wildcard), a condition
// dropped or changed.
func broadened(o, n *ir.Node) bool {
	if txt(n.Get("Effect")) == "Deny" {
		// a Deny that names less denies less
		return txt(o.Get("Effect")) != "Deny" || !subset(set(o.Get("Action")), set(n.Get("Action"))) ||
			!subset(set(o.Get("Resource")), set(n.Get("Resource")))
	}
	if txt(o.Get("Effect")) == "Deny" {
		return true
	}
	for _, k := range []string{"Action", "Resource", "Principal"} {
		if !subset(set(n.Get(k)), set(o.Get(k))) {
			return true
		}
	}
	return o.Get("Condition") != nil && !ir.Equal(o.Get("Condition"), n.Get("Condition"))
}

// set is a statement field's values as strings; a wildcard is "*".
func set(n *ir.Node) map[string]bool {
	out := map[string]bool{}
	var add func(n *ir.Node)
	add = func(n *ir.Node) {
		switch {
		case n == nil:
		case n.Kind == ir.List:
			for _, it := range n.Items {
				add(it)
			}
		case n.Kind == ir.Map:
			if _, _, ok := n.Intrinsic(); ok {
				out[short(n)] = true
				return
			}
			for _, p := range n.Pairs { // Principal: {AWS: [...], Service: ...}
				for k := range set(p.Value) {
					out[p.Key+":"+k] = true
				}
			}
		default:
			out[n.Text] = true
		}
	}
	add(n)
	return out
}

// subset reports whether every value of a is covered by b (a "*" in b covers all).
func subset(a, b map[string]bool) bool {
	for k := range a {
		if b[k] || b["*"] || b["AWS:*"] {
			continue
		}
		covered := false
		for p := range b {
			if strings.HasSuffix(p, "*") && strings.HasPrefix(k, strings.TrimSuffix(p, "*")) {
				covered = true
				break
			}
		}
		if !covered {
			return false
		}
	}
	return true
}

// sgChanges are security group rules opened and closed.
func sgChanges(ty string, pa, pb *ir.Node) []Sec {
	var out []Sec
	switch ty {
	case "AWS::EC2::SecurityGroup":
		for _, dir := range []string{"SecurityGroupIngress", "SecurityGroupEgress"} {
			old, new := unmatched(items(pa.Get(dir)), items(pb.Get(dir)))
			what := strings.ToLower(strings.TrimPrefix(dir, "SecurityGroup"))
			for _, o := range old {
				out = append(out, Sec{Area: "security-group", Direction: "narrowed", What: what + " rule closed: " + rule(o, what == "egress")})
			}
			for _, n := range new {
				out = append(out, Sec{Area: "security-group", Direction: "widened", What: what + " rule opened: " + rule(n, what == "egress")})
			}
		}
	case "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress":
		what := "ingress"
		if strings.HasSuffix(ty, "Egress") {
			what = "egress"
		}
		if ir.Equal(pa, pb) {
			break
		}
		if pa != nil {
			out = append(out, Sec{Area: "security-group", Direction: "narrowed", What: what + " rule closed: " + rule(pa, what == "egress")})
		}
		if pb != nil {
			out = append(out, Sec{Area: "security-group", Direction: "widened", What: what + " rule opened: " + rule(pb, what == "egress")})
		}
	}
	return out
}

func items(n *ir.Node) []*ir.Node {
	if n == nil {
		return nil
	}
	if n.Kind == ir.List {
		return n.Items
	}
	return []*ir.Node{n}
}

// rule is a security group rule in a line: protocol, ports, peer.
// rule says a security group rule; an egress rule's CIDR is where traffic goes to.
func rule(r *ir.Node, egress bool) string {
	proto := txt(r.Get("IpProtocol"))
	if proto == "-1" {
		proto = "all traffic"
	}
	ports := txt(r.Get("FromPort"))
	if to := txt(r.Get("ToPort")); to != ports {
		ports += "-" + to
	}
	s := proto
	if ports != "" && proto != "all traffic" {
		s += " " + ports
	}
	for _, k := range []string{"CidrIp", "CidrIpv6", "SourceSecurityGroupId", "DestinationSecurityGroupId", "SourcePrefixListId", "DestinationPrefixListId", "GroupId"} {
		if v := r.Get(k); v != nil && k != "GroupId" {
			word := "from"
			if egress || strings.HasPrefix(k, "Destination") {
				word = "to"
			}
			s += " " + word + " " + short(v)
			if v.Text == "0.0.0.0/0" || v.Text == "::/0" {
				s += " (the whole internet)"
			}
		}
	}
	return s
}

// accessFlag is one property whose value says access is public or data unencrypted.
type accessFlag struct {
	area string
	path string
	// bad says the value (nil when absent) is the open or unencrypted state.
	bad  func(v *ir.Node) bool
	what string
}

func isTrue(v *ir.Node) bool  { return v != nil && v.Text == "true" }
func isFalse(v *ir.Node) bool { return v != nil && v.Text == "false" }
func absent(v *ir.Node) bool  { return v == nil }
func notTrue(v *ir.Node) bool { return !isTrue(v) }

var flags = map[string][]accessFlag{
	"AWS::S3::Bucket": {
		{"public-access", "PublicAccessBlockConfiguration.BlockPublicAcls", notTrue, "public ACLs no longer blocked"},
		{"public-access", "PublicAccessBlockConfiguration.BlockPublicPolicy", notTrue, "public bucket policies no longer blocked"},
		{"public-access", "PublicAccessBlockConfiguration.IgnorePublicAcls", notTrue, "public ACLs no longer ignored"},
		{"public-access", "PublicAccessBlockConfiguration.RestrictPublicBuckets", notTrue, "public bucket access no longer restricted"},
	},
	"AWS::RDS::DBInstance": {
		{"public-access", "PubliclyAccessible", isTrue, "the database is publicly accessible"},
		{"encryption", "StorageEncrypted", notTrue, "storage encryption is off"},
	},
	"AWS::RDS::DBCluster": {{"encryption", "StorageEncrypted", notTrue, "storage encryption is off"}},
	"AWS::ElasticLoadBalancingV2::LoadBalancer": {
		{"public-access", "Scheme", func(v *ir.Node) bool { return v == nil || v.Text == "internet-facing" }, "the load balancer faces the internet"},
	},
	"AWS::ElasticLoadBalancingV2::Listener": {
		{"encryption", "Protocol", func(v *ir.Node) bool { return v == nil || v.Text == "HTTP" || v.Text == "TCP" }, "the listener no longer terminates TLS"},
	},
	"AWS::SQS::Queue": {
		{"encryption", "", func(p *ir.Node) bool { return isFalse(p.Get("SqsManagedSseEnabled")) && p.Get("KmsMasterKeyId") == nil },
			"the queue is not encrypted (SqsManagedSseEnabled false, no KmsMasterKeyId)"},
	},
	"AWS::SNS::Topic":      {{"encryption", "KmsMasterKeyId", absent, "the topic is no longer encrypted"}},
	"AWS::Logs::LogGroup":  {{"encryption", "KmsKeyId", absent, "the log group is no longer KMS-encrypted"}},
	"AWS::EFS::FileSystem": {{"encryption", "Encrypted", notTrue, "the file system is not encrypted"}},
	"AWS::EC2::Volume":     {{"encryption", "Encrypted", notTrue, "the volume is not encrypted"}},
	"AWS::DynamoDB::Table": {{"encryption", "SSESpecification.SSEEnabled", notTrue, "KMS encryption of the table is off"}},
	"AWS::OpenSearchService::Domain": {
		{"encryption", "EncryptionAtRestOptions.Enabled", notTrue, "encryption at rest is off"},
		{"encryption", "NodeToNodeEncryptionOptions.Enabled", notTrue, "node-to-node encryption is off"},
		{"encryption", "DomainEndpointOptions.EnforceHTTPS", notTrue, "HTTPS is no longer enforced"},
	},
}

// flagChanges are the flags that went from the safe state to the open one, or back.
func flagChanges(ty string, pa, pb *ir.Node) []Sec {
	var out []Sec
	for _, f := range flags[ty] {
		ob, nb := f.bad(at(pa, f.path)), f.bad(at(pb, f.path))
		switch {
		case !ob && nb:
			out = append(out, Sec{Area: f.area, Direction: "widened", What: strings.TrimPrefix(f.path+": ", ": ") + f.what})
		case ob && !nb:
			out = append(out, Sec{Area: f.area, Direction: "narrowed", What: "no longer: " + f.what})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Area < out[j].Area })
	return out
}

func at(n *ir.Node, path string) *ir.Node {
	if path == "" {
		return n
	}
	for _, k := range strings.Split(path, ".") {
		n = n.Get(k)
	}
	return n
}

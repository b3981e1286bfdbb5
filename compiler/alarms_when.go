package compiler

import (
	"strings"

	"github.com/riglet/riglet/alarms"
	"github.com/riglet/riglet/ir"
)

// Which catalogue entries apply to which resource: the conditions an entry's `when`
// names, each decided by what the resource itself says (its properties, the resources
// that name it), never by what happens to sit in the same stack.

func (ec *envCompile) alarmApplies(e *alarms.Entry, stack string, r ir.Pair, dlqs map[string]bool) bool {
	props := r.Value.Get("Properties")
	switch e.When {
	case "dead-letter":
		return dlqs[stack+"/"+r.Key]
	case "not-dead-letter":
		return !dlqs[stack+"/"+r.Key]
	case "aurora", "not-aurora":
		eng := props.Get("Engine")
		aurora := eng != nil && strings.HasPrefix(eng.Text, "aurora")
		return aurora == (e.When == "aurora")
	case "ec2-capacity":
		return ec.hasEC2Capacity(stack, r)
	case "application", "network":
		return loadBalancing(r) == e.When
	case "event-counts":
		// an event source mapping publishes its event counts only when asked to
		metrics := props.Get("MetricsConfig").Get("Metrics")
		if metrics == nil {
			return false
		}
		for _, m := range metrics.Items {
			if m.IsScalar() && m.Text == "EventCount" {
				return true
			}
		}
		return false
	}
	return true
}

// loadBalancing says which kind of load balancer a load balancer or target group
// belongs to, which decides the namespace its metrics are in: AWS/ApplicationELB or
// AWS/NetworkELB (a gateway load balancer publishes to neither's metrics).
func loadBalancing(r ir.Pair) string {
	props := r.Value.Get("Properties")
	switch r.Value.Get("Type").Text {
	case "AWS::ElasticLoadBalancingV2::LoadBalancer":
		switch t := props.Get("Type"); {
		case t == nil || t.Text == "application":
			return "application"
		case t.Text == "network":
			return "network"
		}
		return "gateway"
	case "AWS::ElasticLoadBalancingV2::TargetGroup":
		p := props.Get("Protocol")
		switch {
		case p == nil || p.Text == "HTTP" || p.Text == "HTTPS":
			// a Lambda target group has no protocol and serves an ALB only
			return "application"
		case p.Text == "TCP" || p.Text == "UDP" || p.Text == "TLS" || p.Text == "TCP_UDP":
			return "network"
		}
		return "gateway"
	}
	return ""
}

var fargateProviders = map[string]bool{"FARGATE": true, "FARGATE_SPOT": true}

// hasEC2Capacity says whether an ECS cluster runs EC2 instances, the only clusters
// that publish CPU and memory reservation: a capacity provider other than Fargate's
// (on the cluster or in a ClusterCapacityProviderAssociations for it), or, for a
// cluster without capacity providers, a launch template or configuration that names
// the cluster (the ECS_CLUSTER of its user data registers its instances).
func (ec *envCompile) hasEC2Capacity(stack string, cluster ir.Pair) bool {
	nonFargate := func(list *ir.Node) bool {
		if list == nil {
			return false
		}
		if list.Kind != ir.List {
			return true // decided at deploy time: it may name an EC2 provider
		}
		for _, it := range list.Items {
			if !it.IsScalar() || !fargateProviders[it.Text] {
				return true
			}
		}
		return false
	}
	if nonFargate(cluster.Value.Get("Properties").Get("CapacityProviders")) {
		return true
	}
	for _, o := range ec.outs[stack].resources {
		props := o.Value.Get("Properties")
		switch o.Value.Get("Type").Text {
		case "AWS::ECS::ClusterCapacityProviderAssociations":
			if refersTo(props.Get("Cluster"), cluster.Key) && nonFargate(props.Get("CapacityProviders")) {
				return true
			}
		case "AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration":
			if refersTo(props, cluster.Key) {
				return true
			}
		}
	}
	return false
}

// refersTo says whether n names resource id: a Ref, a GetAtt or a ${id} in a Sub.
func refersTo(n *ir.Node, id string) bool {
	found := false
	ir.Walk(n, func(m *ir.Node) bool {
		if fn, a, ok := m.Intrinsic(); ok {
			switch {
			case fn == "Ref" && a.Text == id,
				fn == "Fn::GetAtt" && a.Kind == ir.List && len(a.Items) > 0 && a.Items[0].Text == id:
				found = true
			case fn == "Fn::Sub":
				s := a
				if a.Kind == ir.List && len(a.Items) > 0 {
					s = a.Items[0]
				}
				if strings.Contains(s.Text, "${"+id+"}") || strings.Contains(s.Text, "${"+id+".") {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// deadLetterQueues finds the queues that keep what failed elsewhere, in any stack of
// the env: another queue's RedrivePolicy target, a schedule's DeadLetterConfig (the
// invocations that exhausted its retry policy), and a Lambda function's dead-letter
// queue or on-failure destination (its failed asynchronous events), whose depth
// means failures, not work waiting. A queue is found by GetAtt in the same stack,
// through the import of an output that carries its ARN, or by a literal ARN that ends
// in its name.
func (ec *envCompile) deadLetterQueues() map[string]bool {
	dlqs := map[string]bool{}
	for _, s := range ec.c.spec.Stacks {
		out := ec.outs[s.Name]
		if out == nil {
			continue
		}
		for _, r := range out.resources {
			props := r.Value.Get("Properties")
			var t *ir.Node
			switch r.Value.Get("Type").Text {
			case "AWS::SQS::Queue":
				t = props.Get("RedrivePolicy").Get("deadLetterTargetArn")
			case "AWS::Scheduler::Schedule":
				// invocations that exhaust the retry policy land there: a DLQ, not work
				t = props.Get("Target").Get("DeadLetterConfig").Get("Arn")
			case "AWS::Lambda::Function":
				t = props.Get("DeadLetterConfig").Get("TargetArn")
			case "AWS::Lambda::EventInvokeConfig":
				t = props.Get("DestinationConfig").Get("OnFailure").Get("Destination")
			default:
				continue
			}
			if stack, id := ec.queueOf(s.Name, t); id != "" {
				dlqs[stack+"/"+id] = true
			}
		}
	}
	return dlqs
}

// queueOf finds the stack and logical ID of the queue whose ARN v carries.
func (ec *envCompile) queueOf(stack string, v *ir.Node) (string, string) {
	fn, a, ok := v.Intrinsic()
	if !ok {
		if v != nil && v.IsScalar() && strings.HasPrefix(v.Text, "arn:") && strings.Contains(v.Text, ":sqs:") {
			return ec.queueNamed(v.Text[strings.LastIndexByte(v.Text, ':')+1:])
		}
		return "", ""
	}
	switch fn {
	case "Fn::GetAtt":
		if a.Kind == ir.List && len(a.Items) == 2 {
			return stack, a.Items[0].Text
		}
	case "Fn::ImportValue":
		if out, prod := ec.exported(a); out != nil {
			if fn2, b, ok := out.Intrinsic(); ok && fn2 == "Fn::GetAtt" && b.Kind == ir.List && len(b.Items) == 2 {
				return prod, b.Items[0].Text
			}
		}
	}
	return "", ""
}

// queueNamed finds the env's queue whose QueueName is name: a literal ARN in a
// RedrivePolicy names its queue that way.
func (ec *envCompile) queueNamed(name string) (string, string) {
	for _, s := range ec.c.spec.Stacks {
		out := ec.outs[s.Name]
		if out == nil {
			continue
		}
		for _, r := range out.resources {
			if r.Value.Get("Type").Text != "AWS::SQS::Queue" {
				continue
			}
			if n := r.Value.Get("Properties").Get("QueueName"); n != nil && n.IsScalar() && n.Text == name {
				return s.Name, r.Key
			}
		}
	}
	return "", ""
}

// exported is the value and stack of the riglet output an export name carries, or nil
// for an export riglet did not make.
func (ec *envCompile) exported(name *ir.Node) (*ir.Node, string) {
	id, ok := ec.exportIDs[name.Text]
	if !ok || !name.IsScalar() {
		return nil, ""
	}
	parts := strings.SplitN(id, ".", 3)
	if len(parts) != 3 {
		return nil, ""
	}
	for _, in := range ec.instances {
		if in.Stack.Name == parts[0] && in.Name == parts[1] {
			if ex := ec.exps[in]; ex != nil {
				return ex.outputs[parts[2]], parts[0]
			}
		}
	}
	return nil, ""
}

// clusterName is the ClusterName dimension of an ECS service. Its Cluster property
// may be a name or an ARN, and CloudWatch wants the name; with no Cluster the service
// runs on the cluster called default.
func (ec *envCompile) clusterName(s string, svc ir.Pair, p ir.Pos) *ir.Node {
	c := svc.Value.Get("Properties").Get("Cluster")
	if c == nil {
		return ir.Str("default", p)
	}
	if c.IsScalar() && !strings.HasPrefix(c.Text, "{{resolve:") {
		if i := strings.Index(c.Text, ":cluster/"); strings.HasPrefix(c.Text, "arn:") && i >= 0 {
			return ir.Str(c.Text[i+len(":cluster/"):], p)
		}
		return c.Clone()
	}
	fromArn := func(arn *ir.Node) *ir.Node {
		split := ir.Fn("Fn::Split", ir.NewList(p, ir.Str("cluster/", p), arn.Clone()), p)
		return ir.Fn("Fn::Select", ir.NewList(p, ir.Int(1, p), split), p)
	}
	val := c
	if fn, a, ok := c.Intrinsic(); ok && fn == "Fn::ImportValue" {
		if v, _ := ec.exported(a); v != nil {
			val = v
		}
	}
	if fn, a, ok := val.Intrinsic(); ok {
		switch {
		case fn == "Ref":
			return c.Clone() // a cluster's Ref is its name
		case fn == "Fn::GetAtt" && a.Kind == ir.List && len(a.Items) == 2 && a.Items[1].Text == "Arn":
			return fromArn(c)
		}
	}
	// A name or an ARN, known only at deploy time: the service's own ARN
	// (arn:...:service/<cluster>/<service>) says the cluster's name either way.
	split := ir.Fn("Fn::Split", ir.NewList(p, ir.Str("/", p), ir.GetAtt(svc.Key, "ServiceArn", p)), p)
	return ir.Fn("Fn::Select", ir.NewList(p, ir.Int(1, p), split), p)
}

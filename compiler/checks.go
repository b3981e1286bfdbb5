package compiler

import (
	"fmt"
	"strings"

	"github.com/riglet/riglet/internal/fargate"
	"github.com/riglet/riglet/ir"
)

// checkEnv checks what only the whole env's output shows: Fargate sizes, names of the
// riglet's resources that blocks were given (checkNames), and load
// balancers and databases in fewer than two AZs.
func (ec *envCompile) checkEnv() {
	if ec.env == nil {
		return
	}
	ec.checkNames()
	for _, s := range ec.c.spec.Stacks {
		out := ec.outs[s.Name]
		if out == nil {
			continue
		}
		for _, r := range out.resources {
			props := r.Value.Get("Properties")
			switch r.Value.Get("Type").Text {
			case "AWS::ECS::TaskDefinition":
				ec.checkFargate(s.Name, r.Key, props)
			case "AWS::ElasticLoadBalancingV2::Listener":
				ec.checkListenerCertificate(s.Name, r.Key, props)
			case "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::RDS::DBSubnetGroup", "AWS::RDS::DBCluster":
				if len(ec.env.AZs) < 2 {
					what := map[string]string{"AWS::ElasticLoadBalancingV2::LoadBalancer": "a load balancer",
						"AWS::RDS::DBSubnetGroup": "a database subnet group", "AWS::RDS::DBCluster": "a database cluster"}[r.Value.Get("Type").Text]
					ec.errs.Add(&ir.Error{Pos: ec.env.AZsPos, Code: ir.CodeNetwork,
						Msg:     fmt.Sprintf("env %s has one availability zone, but %s (%s, %s) needs subnets in at least two", ec.env.Name, what, r.Key, s.Name),
						Related: ec.madeHere(s.Name, r.Key, r.KeyPos)})
				}
			}
		}
	}
}

func (ec *envCompile) checkFargate(stack, id string, props *ir.Node) {
	onFargate := false
	if rc := props.Get("RequiresCompatibilities"); rc != nil {
		for _, it := range rc.Items {
			onFargate = onFargate || it.Text == "FARGATE"
		}
	}
	cpuN, memN := props.Get("Cpu"), props.Get("Memory")
	if !onFargate || cpuN == nil || memN == nil || !cpuN.IsScalar() || !memN.IsScalar() {
		return
	}
	cpu, ok1 := fargate.ParseCPU(cpuN.Text)
	mem, ok2 := fargate.ParseMemory(memN.Text)
	if !ok1 || !ok2 {
		return // what is no size at all is left to CloudFormation
	}
	if !fargate.Valid(cpu, mem) {
		ec.addAbout(stack, id, &ir.Error{Pos: memN.Pos, Code: ir.CodeFargate,
			Msg:     fmt.Sprintf("task definition %s: Fargate does not run %d CPU units with %d MiB; %s", id, cpu, mem, fargate.Suggest(cpu, mem)),
			Related: []ir.Related{{Pos: cpuN.Pos, Msg: "CPU set here"}}})
	}
}

// checkListenerCertificate: a TLS or HTTPS listener without a certificate compiles
// into a template CloudFormation refuses only at deploy time, and the usual cause is
// an env file without `certificate:` under a block that terminates TLS with it (nlb).
func (ec *envCompile) checkListenerCertificate(stack, id string, props *ir.Node) {
	proto := props.Get("Protocol")
	if proto == nil || (proto.Text != "TLS" && proto.Text != "HTTPS") {
		return
	}
	certs := props.Get("Certificates")
	if certs != nil && certs.Kind == ir.List {
		for _, c := range certs.Items {
			if a := c.Get("CertificateArn"); a != nil && !(a.IsScalar() && a.Text == "") {
				return
			}
		}
	}
	plain := map[string]string{"TLS": "TCP", "HTTPS": "HTTP"}[proto.Text]
	ec.addAbout(stack, id, &ir.Error{Pos: proto.Pos, Code: ir.CodeMissingParam,
		Msg: fmt.Sprintf("listener %s is %s but has no certificate: give env %s a certificate, or listen on %s", id, proto.Text, ec.env.Name, plain)})
}

// checkNames checks that every literal name a Metadata.Riglet.Names parameter was
// given (sqs-threshold's QueueName) is the name of a resource of that type in one of
// the env's stacks: scaling on a queue the riglet does not have compiles into alarms
// on a metric nobody publishes, which never fire.
func (ec *envCompile) checkNames() {
	have := map[string]map[string]bool{} // "type.Prop" -> literal values in the env
	for _, s := range ec.c.spec.Stacks {
		out := ec.outs[s.Name]
		if out == nil {
			continue
		}
		for _, n := range out.names {
			have[n.want.Type+"."+n.want.Prop] = nil
		}
	}
	if len(have) == 0 {
		return
	}
	for _, s := range ec.c.spec.Stacks {
		if out := ec.outs[s.Name]; out != nil {
			for _, r := range out.resources {
				for k := range have {
					typ, prop, _ := strings.Cut(k, ".")
					if v := r.Value.Get("Properties").Get(prop); r.Value.Get("Type").Text == typ && v != nil && v.Kind == ir.String {
						if have[k] == nil {
							have[k] = map[string]bool{}
						}
						have[k][v.Text] = true
					}
				}
			}
		}
	}
	for _, s := range ec.c.spec.Stacks {
		out := ec.outs[s.Name]
		if out == nil {
			continue
		}
		for _, n := range out.names {
			names := have[n.want.Type+"."+n.want.Prop]
			if names[n.value] {
				continue
			}
			hint := ""
			if n.external != "" {
				hint = ", or give " + n.external + " for one outside the riglet"
			}
			ec.errs.Add(&ir.Error{Pos: n.pos, Code: ir.CodeModification,
				Msg: fmt.Sprintf("%s of %s is %q, which no %s of the riglet has as its %s%s; name one of the riglet's (or wire it: !Output <stack>.<instance>.%s)%s",
					n.param, n.block, n.value, n.want.Type, n.want.Prop, didYouMean(n.value, sortedKeys(names)), n.want.Prop, hint)})
		}
	}
}

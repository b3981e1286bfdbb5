package lint

import "github.com/riglet/riglet/ir"

// The security family: security group egress, public addresses, flow logs.

// allPorts reports whether a security group rule covers every protocol or every
// TCP/UDP port; ok is false when a value is one the linter cannot see.
func allPorts(rule *ir.Node) (all, ok bool) {
	proto, known := literal(rule.Get("IpProtocol"))
	if !known {
		return false, false
	}
	if proto == "-1" || proto == "all" {
		return true, true
	}
	from, ok1 := atoi(rule.Get("FromPort"))
	to, ok2 := atoi(rule.Get("ToPort"))
	if !ok1 || !ok2 {
		return false, false // FromPort -1 of ICMP is "all types", not every port
	}
	return from == 0 && to == 65535, true
}

func runOpenEgress(p *Pass) {
	for _, e := range p.Envs {
		separate := map[string][]*Resource{} // group key -> its AWS::EC2::SecurityGroupEgress
		unknown := false                     // a separate egress rule whose group the linter cannot follow
		for _, r := range e.resourcesOf("AWS::EC2::SecurityGroupEgress") {
			k := e.key(r.Stack, r.Props.Get("GroupId"))
			if k == "" || e.resource(k) == nil {
				unknown = true
			}
			separate[k] = append(separate[k], r)
		}
		check := func(r *Resource, rule *ir.Node) {
			if !open(rule.Get("CidrIp")) && !open(rule.Get("CidrIpv6")) {
				return
			}
			if all, ok := allPorts(rule); ok && all {
				at := rule.Get("CidrIp")
				if !open(at) {
					at = rule.Get("CidrIpv6")
				}
				p.reportEnv(e, r, at, "security group %s allows egress to %s on all ports; allow what the group's members need (the VPC, 443 for AWS APIs)", r.ID, text(at))
			}
		}
		for _, sg := range e.resourcesOf("AWS::EC2::SecurityGroup") {
			eg := sg.Props.Get("SecurityGroupEgress")
			if isIntrinsic(eg) {
				continue
			}
			if eg == nil && len(separate[sg.key()]) == 0 {
				if !unknown {
					p.reportEnv(e, sg, nil, "security group %s has no egress rule, so it allows all outbound traffic; allow what the group's members need (the VPC, 443 for AWS APIs)", sg.ID)
				}
				continue
			}
			for _, rule := range list(eg) {
				if !isIntrinsic(rule) {
					check(sg, rule)
				}
			}
		}
		for _, rs := range separate {
			for _, r := range rs {
				check(r, r.Props)
			}
		}
	}
}

// publicRouteTables returns the keys of the env's route tables with a route to an
// internet gateway; known is false when a route's table or gateway is one the
// linter cannot follow.
func publicRouteTables(e *Env) (tables map[string]bool, known bool) {
	tables, known = map[string]bool{}, true
	for _, rt := range e.resourcesOf("AWS::EC2::Route") {
		gw := rt.Props.Get("GatewayId")
		if gw == nil {
			continue
		}
		g := e.resource(e.key(rt.Stack, gw))
		s, lit := literal(gw)
		switch {
		case g != nil && g.Type == "AWS::EC2::InternetGateway", lit && len(s) > 4 && s[:4] == "igw-":
		case g != nil || lit: // a virtual private gateway, a VPC endpoint: not the internet
			continue
		default:
			known = false
			continue
		}
		k := e.key(rt.Stack, rt.Props.Get("RouteTableId"))
		if e.resource(k) == nil {
			known = false
		}
		tables[k] = true
	}
	return tables, known
}

func runSubnetPublicIP(p *Pass) {
	for _, e := range p.Envs {
		public, known := publicRouteTables(e)
		tableOf := map[string][]string{} // subnet key -> route table keys
		for _, a := range e.resourcesOf("AWS::EC2::SubnetRouteTableAssociation") {
			s, t := e.key(a.Stack, a.Props.Get("SubnetId")), e.key(a.Stack, a.Props.Get("RouteTableId"))
			if e.resource(s) == nil || e.resource(t) == nil {
				known = false
			}
			tableOf[s] = append(tableOf[s], t)
		}
		if !known {
			continue
		}
		for _, sn := range e.resourcesOf("AWS::EC2::Subnet") {
			m := sn.Props.Get("MapPublicIpOnLaunch")
			if !isTrue(m) {
				continue
			}
			isPublic := false
			for _, t := range tableOf[sn.key()] {
				isPublic = isPublic || public[t]
			}
			if !isPublic {
				// without an association a subnet uses the VPC's main route table, which
				// a template cannot route to an internet gateway
				p.reportEnv(e, sn, m, "subnet %s gives its instances public IP addresses but routes to no internet gateway: only the public tier maps public IPs", sn.ID)
			}
		}
	}
}

func runFlowLogs(p *Pass) {
	for _, e := range p.Envs {
		logged, unknown := map[string]bool{}, false
		for _, fl := range e.resourcesOf("AWS::EC2::FlowLog") {
			if t, ok := literal(fl.Props.Get("ResourceType")); ok && t != "VPC" {
				continue
			}
			k := e.key(fl.Stack, fl.Props.Get("ResourceId"))
			if e.resource(k) == nil {
				unknown = true
			}
			logged[k] = true
		}
		if unknown {
			continue
		}
		for _, v := range e.resourcesOf("AWS::EC2::VPC") {
			if !logged[v.key()] {
				p.reportEnv(e, v, nil, "VPC %s has no flow log: without one, rejected and accepted traffic leaves no record to investigate", v.ID)
			}
		}
	}
}

func init() {
	register(
		&Rule{ID: "SEC016", Name: "open-egress", Family: "security", Severity: Warning, Scope: ScopeRiglet,
			Title: "a security group with no egress rule or egress to anywhere on all ports",
			Doc: "A security group without SecurityGroupEgress (and no AWS::EC2::SecurityGroupEgress of its own) gets CloudFormation's default, all traffic to anywhere, and so does one with an explicit rule for 0.0.0.0/0 (or ::/0) on every port. Whatever runs in it can then reach any host on the internet: the path data leaves by. " +
				"Allow what the members need: the VPC's CIDR for data stores and endpoints, 443 to anywhere for AWS APIs.",
			Bad:      "SecurityGroupEgress: [{IpProtocol: '-1', CidrIp: 0.0.0.0/0}]\n",
			Good:     "SecurityGroupEgress:\n  - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}\n  - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: !Ref VpcCidr}\n",
			Scanners: []string{"cfn-nag F1000", "cfn-nag W5", "cfn-nag W40"},
			Run:      runOpenEgress},
		&Rule{ID: "SEC027", Name: "subnet-public-ip", Family: "security", Severity: Error, Scope: ScopeRiglet,
			Title: "a subnet outside the public tier that maps public IP addresses",
			Doc:   "MapPublicIpOnLaunch gives every instance and network interface launched in the subnet a public address. Only the public tier, whose route table sends 0.0.0.0/0 to an internet gateway, has any use for one; elsewhere an address is exposure waiting for a route. (The vpc block maps none, not even in the public tier: the ALB and NAT gateways bring their own.)",
			Bad:   "AppSubnet: {Type: AWS::EC2::Subnet, Properties: {MapPublicIpOnLaunch: true, ...}}\n", Good: "AppSubnet: {Type: AWS::EC2::Subnet, Properties: {MapPublicIpOnLaunch: false, ...}}\n",
			Scanners: []string{"cfn-nag W33", "checkov CKV_AWS_130", "cdk-nag HIPAA.Security-VPCSubnetAutoAssignPublicIpDisabled"},
			Run:      runSubnetPublicIP},
		&Rule{ID: "SEC034", Name: "vpc-flow-logs", Family: "security", Severity: Warning, Scope: ScopeRiglet,
			Title: "a VPC without flow logs",
			Doc:   "Flow logs are the only record of which addresses talked to which, accepted or rejected; an incident without them cannot be traced. Give every VPC an AWS::EC2::FlowLog with ResourceType VPC (the vpc block has one, to CloudWatch Logs).",
			Bad:   "Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}\n", Good: "FlowLog: {Type: AWS::EC2::FlowLog, Properties: {ResourceId: !Ref Vpc, ResourceType: VPC, TrafficType: ALL, ...}}\n",
			Scanners: []string{"cfn-nag W60", "cdk-nag AwsSolutions-VPC7", "checkov CKV2_AWS_11"},
			Run:      runFlowLogs},
	)
}

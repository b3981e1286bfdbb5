package blocks_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/tools/txtar"
)

// caseStacks compiles the riglets of one testdata case that compile, as stacks of plain
// values (the case's own env files, or testdata/envs/test.yaml).
func caseStacks(t *testing.T, file string) []stack {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	var specs []string
	for _, f := range ar.Files {
		if strings.HasPrefix(f.Name, "want/") {
			continue
		}
		fsys[f.Name] = &fstest.MapFile{Data: f.Data}
		if strings.HasPrefix(f.Name, "riglets/") {
			specs = append(specs, f.Name)
		}
	}
	if _, ok := fsys["envs/test.yaml"]; !ok {
		b, err := os.ReadFile("testdata/envs/test.yaml")
		if err != nil {
			t.Fatal(err)
		}
		fsys["envs/test.yaml"] = &fstest.MapFile{Data: b}
	}
	var out []stack
	for _, spec := range specs {
		got, err := compileStacks(fsys, spec)
		if err != nil {
			continue // the case's error riglets
		}
		out = append(out, got...)
	}
	return out
}

// An NLB's group admits its listener port alone (from the VPC when internal) and
// reaches only its targets' port in the VPC; its TLS listeners use the modern policy and
// a certificate; and the tasks behind it admit the NLB's group, never a CIDR.
func TestNlbIsTightBothWays(t *testing.T) {
	groups, listeners, services := 0, 0, 0
	for _, s := range caseStacks(t, "testdata/nlb.txtar") {
		scheme := map[string]string{}
		port := map[string]string{}
		s.each("AWS::ElasticLoadBalancingV2::LoadBalancer", func(id string, p map[string]any) {
			if p["Type"] != "network" {
				return
			}
			for _, g := range list(p["SecurityGroups"]) {
				ref := str(g.(map[string]any)["Ref"])
				scheme[ref] = str(p["Scheme"])
			}
		})
		s.each("AWS::ElasticLoadBalancingV2::TargetGroup", func(id string, p map[string]any) {
			port[id] = str(p["Port"])
		})
		s.each("AWS::EC2::SecurityGroup", func(id string, p map[string]any) {
			sch, ok := scheme[id]
			if !ok {
				return
			}
			groups++
			tgPort := port[strings.TrimSuffix(id, "SecurityGroup")+"TargetGroup"]
			for _, in := range list(p["SecurityGroupIngress"]) {
				r := in.(map[string]any)
				want := s.vpcCidr
				if sch == "internet-facing" {
					want = "0.0.0.0/0"
				}
				if str(r["CidrIp"]) != want || str(r["FromPort"]) != str(r["ToPort"]) {
					t.Errorf("%s/%s %s (%s) admits %v, want one port from %s", s.riglet, s.env, id, sch, r, want)
				}
			}
			egress := list(p["SecurityGroupEgress"])
			if len(egress) == 0 {
				t.Errorf("%s/%s %s: no egress rules, which AWS reads as all traffic anywhere", s.riglet, s.env, id)
			}
			for _, e := range egress {
				r := e.(map[string]any)
				if str(r["CidrIp"]) != s.vpcCidr || str(r["FromPort"]) != tgPort || str(r["ToPort"]) != tgPort {
					t.Errorf("%s/%s %s: egress %v, want only port %s to the VPC %s", s.riglet, s.env, id, r, tgPort, s.vpcCidr)
				}
			}
		})
		s.each("AWS::ElasticLoadBalancingV2::Listener", func(id string, p map[string]any) {
			if p["Protocol"] != "TLS" {
				return
			}
			listeners++
			if p["SslPolicy"] != "ELBSecurityPolicy-TLS13-1-2-2021-06" {
				t.Errorf("%s/%s %s: SslPolicy %v", s.riglet, s.env, id, p["SslPolicy"])
			}
			if c := list(p["Certificates"]); len(c) != 1 || str(c[0].(map[string]any)["CertificateArn"]) == "" {
				t.Errorf("%s/%s %s: certificates %v", s.riglet, s.env, id, p["Certificates"])
			}
		})
		s.each("AWS::EC2::SecurityGroup", func(id string, p map[string]any) {
			if s.block(id) != "ecs-service" {
				return
			}
			for _, in := range list(p["SecurityGroupIngress"]) {
				r := in.(map[string]any)
				if r["CidrIp"] != nil || r["SourceSecurityGroupId"] == nil {
					t.Errorf("%s/%s %s admits %v, not a load balancer's group", s.riglet, s.env, id, r)
				}
				if src := fmt.Sprint(r["SourceSecurityGroupId"]); strings.Contains(src, "SecurityGroupId") {
					services++
				}
			}
		})
	}
	if groups != 2 || listeners != 1 || services != 1 {
		t.Errorf("checked %d NLB groups, %d TLS listeners, %d services behind an NLB; want 2, 1, 1", groups, listeners, services)
	}
}

package compiler_test

import (
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/compiler"
)

// An env's CIDR plan is shown (plan, graph) only when its stacks make subnets: a riglet
// with no VPC gets a plan from its env file's cidr all the same, and showing it would
// tell a reviewer of a VPC that is not there.
func TestPlanShowsTheNetworkOnlyWithSubnets(t *testing.T) {
	for _, tc := range []struct {
		name, block string
		want        bool
	}{
		{"no subnet", "Resources:\n  T: {Type: AWS::SNS::Topic}\n", false},
		{"a subnet", "Metadata:\n  Riglet:\n    Derived: {Cidr: network.cidr}\nParameters:\n  Cidr: {Type: String}\n" +
			"Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: !Ref Cidr}\n" +
			"  S:\n    Type: AWS::EC2::Subnet\n    Properties: {VpcId: !Ref V, CidrBlock: !Ref Cidr}\n", true},
	} {
		fsys := fstest.MapFS{
			"envs/dev.yaml":       {Data: []byte("env: dev\naccount: \"111122223333\"\nregion: us-east-1\nazs: [us-east-1a, us-east-1b]\ncidr: 10.5.0.0/16\n")},
			"riglets/n.yaml":      {Data: []byte("riglet: n\nowner: acme\nenvs: [dev]\nnetwork:\n  max_azs: 2\n  tiers: {app: 24}\nstacks:\n  base:\n    blocks:\n      b: {block: b}\n")},
			"blocks/b/block.yaml": {Data: []byte(tc.block)},
		}
		res, err := compiler.Compile(fsys, builtinAlarms, "riglets/n.yaml", compiler.Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got bool
		for _, er := range res.Envs {
			if er.Env == "dev" {
				got = res.Plan(er, false).Network != nil
			}
		}
		if got != tc.want {
			t.Errorf("%s: plan has a network: %v, want %v", tc.name, got, tc.want)
		}
	}
}

package compiler

import (
	"testing"

	"github.com/riglet/riglet/ir"
)

// What is not a resource of the block, or not a cfn tool's flag, stays as written.
func TestSignalRenamerLeavesOthersAlone(t *testing.T) {
	var errs ir.Errors
	r := &signalRenamer{s: &blockScope{prefix: "Web", resources: map[string]bool{"Instance": true, "Gone": false}}, errs: &errs}
	for in, want := range map[string]string{
		"cfn-signal --resource Instance":                       "cfn-signal --resource WebInstance",
		"cfn-signal --resource Gone":                           "cfn-signal --resource WebGone",
		"cfn-signal --resource NotHere":                        "cfn-signal --resource NotHere",
		"cfn-signal --resource InstanceX":                      "cfn-signal --resource InstanceX",
		"cfn-init -r Instance -c all":                          "cfn-init -r WebInstance -c all",
		"rm -r Instance":                                       "rm -r Instance",
		"cp -r Instance /tmp\ncfn-init -r Instance":            "cp -r Instance /tmp\ncfn-init -r WebInstance",
		"path=Resources.Instance.Metadata.AWS::CloudFormation": "path=Resources.WebInstance.Metadata.AWS::CloudFormation",
		"path=Resources.NotHere.Metadata":                      "path=Resources.NotHere.Metadata",
		"echo --resources Instance":                            "echo --resources Instance",
		"cfn-signal --resource ${!Literal}":                    "cfn-signal --resource ${!Literal}",
	} {
		if got := r.text(in, ir.Pos{}); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
	if len(errs) > 0 {
		t.Errorf("errors: %v", errs)
	}
	// the parts of a Fn::Join: cfn-init's line goes on past the Ref
	join := ir.NewList(ir.Pos{}, ir.Str("/opt/aws/bin/cfn-init -s ", ir.Pos{}), ir.Ref("AWS::StackId", ir.Pos{}),
		ir.Str(" -r Instance --region x\nrm -r ", ir.Pos{}), ir.Str("Instance", ir.Pos{}))
	got := r.node(join)
	if got.Items[2].Text != " -r WebInstance --region x\nrm -r " || got.Items[3].Text != "Instance" || join.Items[2].Text != " -r Instance --region x\nrm -r " {
		t.Errorf("Join parts: %q, %q (the input must stay as it was)", got.Items[2].Text, got.Items[3].Text)
	}
}

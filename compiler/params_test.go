package compiler

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestParamLayers: every layer a parameter's value was looked up in is recorded, weakest
// first, for top-level instances, modifications and nested blocks alike.
func TestParamLayers(t *testing.T) {
	fsys := fstest.MapFS{
		"envs/dev.yaml": {Data: []byte("env: dev\naccount: \"111122223333\"\nregion: us-east-1\nazs: [us-east-1a, us-east-1b]\ncidr: 10.2.0.0/16\nparams: {Size: 2}\n")},
		"riglets/p.yaml": {Data: []byte(`riglet: p
owner: acme
envs: [dev]
stacks:
  app:
    blocks:
      t:
        block: outer
        params: {Size: 3}
        envs: {dev: {Size: 4}}
        with: [{tag: {Label: mine}}]
`)},
		"blocks/outer/block.yaml": {Data: []byte(`Parameters:
  Size: {Type: Number, Default: 1}
Resources:
  In:
    Type: Block::inner
    Properties: {Count: !Ref Size}
Outputs:
  Name: {Value: !GetAtt In.Name}
`)},
		"blocks/inner/block.yaml": {Data: []byte(`Parameters:
  Count: {Type: Number, Default: 9}
  Unset: {Type: String, Default: x}
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties: {TopicName: !Sub "${Unset}-${Count}"}
Outputs:
  Name: {Value: !GetAtt Topic.TopicName}
`)},
		"blocks/tag/block.yaml": {Data: []byte(`Metadata:
  Riglet: {Kind: modification, AttachesTo: [outer]}
Parameters:
  Name: {Type: String}
  Label: {Type: String, Default: none}
Resources:
  Other:
    Type: AWS::SNS::Topic
    Properties: {TopicName: !Sub "${Name}-${Label}"}
`)},
	}
	res, err := Compile(fsys, nil, "riglets/p.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	layers := func(o ParamOrigin) []string {
		var out []string
		for _, u := range o.Under {
			out = append(out, u.Layer+"="+u.Value.Text)
		}
		return append(out, o.Layer+"="+o.Value.Text)
	}
	got := map[string][]string{}
	for path, ps := range res.Envs[0].Params {
		for name, o := range ps {
			got[path+"/"+name] = layers(o)
		}
	}
	want := map[string][]string{
		"app.t/Size":      {"default=1", "env=2", "instance=3", "instance env=4"},
		"app.t.In/Count":  {"default=9", "parent=4"},
		"app.t.In/Unset":  {"default=x"},
		"app.t+tag/Label": {"default=none", "instance=mine"},
	}
	// the target's output is a deploy-time value: only its layer matters here
	if n := got["app.t+tag/Name"]; len(n) != 1 || n[0][:len("target=")] != "target=" {
		t.Errorf("app.t+tag/Name: %v, want one target layer", n)
	}
	delete(got, "app.t+tag/Name")
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("layers (-want +got):\n%s", d)
	}
}

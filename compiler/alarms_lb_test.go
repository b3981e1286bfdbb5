package compiler

import (
	"testing"

	"github.com/riglet/riglet/ir"
)

// A listener ARN names its load balancer: app/<name>/<id> between "listener/" and the
// listener's own id. Anything else names none.
func TestLoadBalancerOfListenerARN(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2": "app/web/50dc6c495c0c9188",
		"arn:aws-cn:elasticloadbalancing:cn-north-1:111122223333:listener/net/nlb/1a2b/3c4d":                     "net/nlb/1a2b",
		"arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web/50dc6c495c0c9188":              "",
		"arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/web/50dc6c495c0c9188":                  "",
		"{{resolve:ssm:/alb/listener}}": "",
	} {
		got := loadBalancerOfListener(ir.Str(arn, ir.Pos{}), ir.Pos{})
		switch {
		case want == "" && got != nil:
			t.Errorf("%s: got %s, want none", arn, got.Text)
		case want != "" && (got == nil || got.Text != want):
			t.Errorf("%s: got %v, want %s", arn, got, want)
		}
	}
}

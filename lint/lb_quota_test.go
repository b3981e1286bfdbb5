package lint

import (
	"fmt"
	"strings"
	"testing"
)

// Rules on two listeners of one load balancer riglet does not own count together
// for LB006: the listener ARNs name the load balancer.
func TestQuotaAcrossExternalListeners(t *testing.T) {
	var b strings.Builder
	b.WriteString("Resources:\n")
	for i := range 101 {
		arn := "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/edge/50dc6c495c0c9188/" + []string{"aaaa", "bbbb"}[i%2]
		fmt.Fprintf(&b, "  R%d:\n    Type: AWS::ElasticLoadBalancingV2::ListenerRule\n    Properties:\n      ListenerArn: %s\n      Priority: %d\n", i, arn, i+1)
		fmt.Fprintf(&b, "      Conditions: [{Field: path-pattern, PathPatternConfig: {Values: [/s%d/*]}}]\n      Actions: [{Type: fixed-response, FixedResponseConfig: {StatusCode: \"200\"}}]\n", i)
	}
	rep, err := Template("templates/t.yaml", []byte(b.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range rep.Findings {
		if f.Rule == "LB006" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("want one LB006 finding, got %d: %v", n, rep.Findings)
	}
}

package priority

import "testing"

// TestNarrowerLikeALB pins the narrower-than relation to what a load balancer does
// with requests, whose paths always start with '/': a rule with no host condition and
// path /* (or *) matches every request, so every other rule is narrower than it.
func TestNarrowerLikeALB(t *testing.T) {
	host := func(h ...string) []string { return h }
	path := host
	for _, tc := range []struct {
		name              string
		a, b              Rule
		overlap, aIn, bIn bool // overlap; a strictly narrower; b strictly narrower
	}{
		{"host-only beside /*", Rule{Hosts: host("api.example.com")}, Rule{Paths: path("/*")}, true, true, false},
		{"host wildcard beside /*", Rule{Hosts: host("*.example.com")}, Rule{Paths: path("/*")}, true, true, false},
		{"host+path beside /*", Rule{Hosts: host("api.example.com"), Paths: path("/v1/*")}, Rule{Paths: path("/*")}, true, true, false},
		{"path-only beside /*", Rule{Paths: path("/api/*")}, Rule{Paths: path("/*")}, true, true, false},
		{"* is /*", Rule{Paths: path("*")}, Rule{Paths: path("/*")}, true, false, false},
		{"no condition is /*", Rule{Hosts: host("*")}, Rule{Paths: path("/*")}, true, false, false},
		{"*? is /* (every path has a character)", Rule{Paths: path("*?")}, Rule{Paths: path("/*")}, true, false, false},
		{"/ and /?* are /*", Rule{Paths: path("/", "/?*")}, Rule{Paths: path("/*")}, true, false, false},
		{"host-only beside host /*", Rule{Hosts: host("api.example.com"), Paths: path("/*")}, Rule{Hosts: host("API.example.com")}, true, false, false},
		{"exact host inside wildcard host", Rule{Hosts: host("api.example.com")}, Rule{Hosts: host("*.example.com")}, true, true, false},
		{"host-only vs path-only", Rule{Hosts: host("api.example.com")}, Rule{Paths: path("/api/*")}, true, false, false},
		{"?-host inside *-host", Rule{Hosts: host("a?i.example.com")}, Rule{Hosts: host("a*.example.com")}, true, true, false},
		{"disjoint hosts", Rule{Hosts: host("a.example.com")}, Rule{Hosts: host("b.example.com")}, false, false, false},
		{"paths are case-sensitive", Rule{Paths: path("/A/*")}, Rule{Paths: path("/a/*")}, false, false, false},
		{"* crosses /", Rule{Paths: path("/a/b/c")}, Rule{Paths: path("/a*c")}, true, true, false},
		{"? matches /", Rule{Paths: path("/a/c")}, Rule{Paths: path("/a?c")}, true, true, false},
		{"a path no request has", Rule{Paths: path("api/*")}, Rule{Paths: path("/*")}, false, false, false},
		{"*rest matches /…rest", Rule{Paths: path("/x.png")}, Rule{Paths: path("*.png")}, true, true, false},
	} {
		if got := Overlaps(tc.a, tc.b); got != tc.overlap {
			t.Errorf("%s: Overlaps = %v, want %v", tc.name, got, tc.overlap)
		}
		if got := Narrower(tc.a, tc.b); got != tc.aIn {
			t.Errorf("%s: Narrower(a, b) = %v, want %v", tc.name, got, tc.aIn)
		}
		if got := Narrower(tc.b, tc.a); got != tc.bIn {
			t.Errorf("%s: Narrower(b, a) = %v, want %v", tc.name, got, tc.bIn)
		}
	}
}

// A host-only rule and the catch-all are placed, the host-only first, with no error.
func TestHostOnlyBesideCatchAll(t *testing.T) {
	got, _, errs := Allocate([]Rule{pr("all", "/*"), hr("api", "api.example.com"), hr("web", "*.example.com")}, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	p := map[string]int{}
	for _, a := range got {
		p[a.Key] = a.Priority
	}
	if !(p["api"] < p["web"] && p["web"] < p["all"]) {
		t.Fatalf("want api < web < all, got %v", p)
	}
}

func TestListenerARNLoadBalancer(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/edge/50dc6c495c0c9188/f2f7dc8efc522ab2",
			"arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/edge/50dc6c495c0c9188"},
		{"arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:1:listener/net/n/1/2", "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:1:loadbalancer/net/n/1"},
		{"arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/app/edge/1/2/3", ""},
		{"arn:aws:elasticloadbalancing:us-east-1:1:listener/app/edge", ""},
		{"{{resolve:ssm:/edge/listener}}", ""},
		{"foundation.alb.ServiceListenerArn", ""},
	} {
		got, ok := ListenerARNLoadBalancer(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("ListenerARNLoadBalancer(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// dnsSpec is a riglet whose certificate comes from its acm-certificate block: the env
// file names a hosted zone and no certificate.
const dnsSpec = `riglet: dns
owner: acme
envs: [dns]
stacks:
  foundation:
    blocks:
      network: {block: vpc, params: {SingleNatGateway: "true"}}
      cert: {block: acm-certificate}
      alb: {block: alb}
  web:
    blocks:
      spa:
        block: cloudfront-spa
        params:
          DomainName: !Sub "www.${Env::Domain}"
          # CloudFront reads certificates from us-east-1 only (see acm-certificate's docs)
          CertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/dns-www
`

// TestCertificateBlock deploys a riglet whose ALB takes the acm-certificate block's
// certificate, through the Makefile: check-env finds the hosted zone and says where the
// certificate comes from; the HTTPS listener serves the certificate the stack requested;
// the env's domain is an alias of the ALB and the SPA's name has A and AAAA aliases in
// the env's hosted zone; deleting the env deletes the certificate and the records.
func TestCertificateBlock(t *testing.T) {
	w := newWorld(t)
	var zone struct{ HostedZone struct{ Id string } }
	w.aws(&zone, "route53", "create-hosted-zone", "--name", "dns.example.com", "--caller-reference", "e2e-dns")
	zoneID := strings.TrimPrefix(zone.HostedZone.Id, "/hostedzone/")
	env := "env: dns\naccount: \"123456789012\"\nregion: us-west-2\nazs: [us-west-2a, us-west-2b]\ncidr: 10.50.0.0/16\n" +
		"domain: dns.example.com\nhosted_zone: " + zoneID + "\nalarms: {profile: none}\n"
	for f, data := range map[string]string{"envs/dns.yaml": env, "riglets/dns.yaml": dnsSpec} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(w.repo, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(w.repo, f), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w.compileCommit("a riglet with a certificate block")

	out := w.mustMake("check-env", "ENV=dns", "RIGLET=dns")
	for _, want := range []string{"ok      hosted zone: " + zoneID + " (dns.example.com.)",
		"ok      certificate: made by foundation.cert (acm-certificate) when its stack deploys, validated by DNS in hosted zone " + zoneID} {
		if !strings.Contains(out, want) {
			t.Errorf("check-env does not say %q", want)
		}
	}
	before := w.callCount()
	w.mustMake("create-environment", "ENV=dns", "RIGLET=dns")
	for _, c := range w.callsSince(before) {
		if strings.HasPrefix(c, "acm ") {
			t.Errorf("the deploy asked ACM itself (%s): the certificate is the stack's", c)
		}
	}

	var certs struct {
		CertificateSummaryList []struct {
			CertificateArn string
			DomainName     string
		}
	}
	w.aws(&certs, "acm", "list-certificates")
	if len(certs.CertificateSummaryList) != 1 || certs.CertificateSummaryList[0].DomainName != "dns.example.com" {
		t.Fatalf("ACM holds %+v, want the one certificate of dns.example.com", certs.CertificateSummaryList)
	}
	cert := certs.CertificateSummaryList[0]
	var desc struct {
		Certificate struct{ SubjectAlternativeNames []string }
	}
	w.aws(&desc, "acm", "describe-certificate", "--certificate-arn", cert.CertificateArn)
	if !slices.Contains(desc.Certificate.SubjectAlternativeNames, "*.dns.example.com") {
		t.Errorf("certificate names %v, want *.dns.example.com too", desc.Certificate.SubjectAlternativeNames)
	}

	var lbs struct {
		LoadBalancers []struct{ LoadBalancerArn, DNSName string }
	}
	w.aws(&lbs, "elbv2", "describe-load-balancers")
	if len(lbs.LoadBalancers) != 1 {
		t.Fatalf("%d load balancers, want 1", len(lbs.LoadBalancers))
	}
	lb := lbs.LoadBalancers[0]
	var ls struct {
		Listeners []struct {
			Port         int
			Protocol     string
			Certificates []struct{ CertificateArn string }
		}
	}
	w.aws(&ls, "elbv2", "describe-listeners", "--load-balancer-arn", lb.LoadBalancerArn)
	https := 0
	for _, l := range ls.Listeners {
		if l.Port == 443 {
			https++
			if l.Protocol != "HTTPS" || len(l.Certificates) != 1 || l.Certificates[0].CertificateArn != cert.CertificateArn {
				t.Errorf("the 443 listener is %s with %+v, want HTTPS with %s", l.Protocol, l.Certificates, cert.CertificateArn)
			}
		}
	}
	if https != 1 {
		t.Errorf("%d listeners on 443, want 1", https)
	}

	type record struct {
		Name, Type  string
		AliasTarget *struct{ DNSName string }
	}
	records := func() []record {
		var rr struct{ ResourceRecordSets []record }
		w.aws(&rr, "route53", "list-resource-record-sets", "--hosted-zone-id", zoneID)
		var out []record
		for _, r := range rr.ResourceRecordSets {
			if r.AliasTarget != nil {
				out = append(out, r)
			}
		}
		return out
	}
	got := map[string]string{}
	for _, r := range records() {
		got[strings.TrimSuffix(r.Name, ".")+" "+r.Type] = strings.TrimSuffix(r.AliasTarget.DNSName, ".")
	}
	if got["dns.example.com A"] != lb.DNSName {
		t.Errorf("dns.example.com A is an alias of %q, want the ALB's %s", got["dns.example.com A"], lb.DNSName)
	}
	for _, typ := range []string{"A", "AAAA"} {
		if _, ok := got["www.dns.example.com "+typ]; !ok {
			t.Errorf("no %s alias record for www.dns.example.com (the SPA's name); records: %v", typ, got)
		}
	}
	if _, ok := got["dns.example.com AAAA"]; ok {
		t.Errorf("an AAAA alias of the IPv4-only ALB")
	}

	w.mustMake("delete-environment", "ENV=dns", "RIGLET=dns", "YES=1")
	w.aws(&certs, "acm", "list-certificates")
	if len(certs.CertificateSummaryList) != 0 {
		t.Errorf("ACM still holds %+v after the env was deleted", certs.CertificateSummaryList)
	}
	if r := records(); len(r) != 0 {
		t.Errorf("alias records left after the env was deleted: %+v", r)
	}
}

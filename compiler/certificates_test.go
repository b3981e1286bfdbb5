package compiler_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/manifest"
)

const certARN = "arn:aws:acm:us-west-2:123456789012:certificate/env-1234"

// certFS is a riglet with a vpc and an alb in foundation and, when certStack is not
// empty, an acm-certificate in that stack; env e has a certificate ARN when withARN and
// a hosted zone when withZone.
func certFS(certStack string, withARN, withZone bool) fstest.MapFS {
	env := "env: e\naccount: \"123456789012\"\nregion: us-west-2\nazs: [us-west-2a, us-west-2b]\ncidr: 10.3.0.0/16\ndomain: e.example.com\nalarms: {profile: none}\n"
	if withARN {
		env += "certificate: " + certARN + "\n"
	}
	if withZone {
		env += "hosted_zone: Z0123456789ABCDEFGHIJ\n"
	}
	stacks := map[string]string{"foundation": "      network: {block: vpc}\n      alb: {block: alb}\n"}
	if certStack != "" {
		stacks[certStack] += "      cert: {block: acm-certificate}\n"
	}
	spec := "riglet: c\nowner: acme\nenvs: [e]\nstacks:\n"
	for _, s := range []string{"dns", "foundation"} {
		if stacks[s] != "" {
			spec += "  " + s + ":\n    blocks:\n" + stacks[s]
		}
	}
	return fstest.MapFS{"envs/e.yaml": {Data: []byte(env)}, "riglets/c.yaml": {Data: []byte(spec)}}
}

// listenerCert is what the foundation's HTTPS listener serves, as the emitted YAML of
// its CertificateArn, and whether there is an HTTPS listener at all.
func listenerCert(t *testing.T, res *compiler.Result) (string, bool) {
	t.Helper()
	for _, s := range res.Envs[0].Stacks {
		if s.Name != "foundation" {
			continue
		}
		l := s.Template.Get("Resources").Get("AlbHttpsListener")
		if l == nil {
			return "", false
		}
		c := l.Get("Properties").Get("Certificates").Items[0].Get("CertificateArn")
		if fn, arg, ok := c.Intrinsic(); ok {
			return fn + " " + arg.Text, true
		}
		return c.Text, true
	}
	t.Fatal("no foundation stack")
	return "", false
}

func stacksJSON(t *testing.T, res *compiler.Result) manifest.Manifest {
	t.Helper()
	var m manifest.Manifest
	for _, f := range res.Files() {
		if strings.HasSuffix(f.Path, "/"+manifest.File) {
			if err := json.Unmarshal(f.Data, &m); err != nil {
				t.Fatal(err)
			}
		}
	}
	return m
}

// The ALB's certificate is the env file's ARN, else the riglet's acm-certificate (a Ref
// in its own stack, an import from another, deployed first), else there is none and the
// ALB serves HTTP only, as before the block existed; stacks.json tells check-env which.
func TestCertificateSources(t *testing.T) {
	for _, tc := range []struct {
		name      string
		certStack string
		withARN   bool
		want      string // the listener's CertificateArn; "" for no HTTPS listener
		wantBlock string // stacks.json's certificateBlock
		needs     []string
	}{
		{name: "arn", withARN: true, want: certARN},
		{name: "block in its stack", certStack: "foundation", want: "Ref CertCertificate", wantBlock: "foundation.cert"},
		{name: "block in another stack", certStack: "dns", want: "Fn::ImportValue acme-c-e-dns--CertCertificateArn", wantBlock: "dns.cert", needs: []string{"dns"}},
		{name: "neither"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := compiler.Compile(certFS(tc.certStack, tc.withARN, true), blocks.FS, "riglets/c.yaml", compiler.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, https := listenerCert(t, res)
			if https != (tc.want != "") || got != tc.want {
				t.Errorf("HTTPS listener %v with certificate %q, want %q", https, got, tc.want)
			}
			m := stacksJSON(t, res)
			if m.CertificateBlock != tc.wantBlock || (m.Certificate != "") != tc.withARN || m.HostedZone != "Z0123456789ABCDEFGHIJ" {
				t.Errorf("stacks.json certificate %q, certificateBlock %q, hostedZone %q; want block %q", m.Certificate, m.CertificateBlock, m.HostedZone, tc.wantBlock)
			}
			for _, s := range res.Envs[0].Stacks {
				if s.Name == "foundation" && fmt.Sprint(s.Needs) != fmt.Sprint(tc.needs) && !(len(s.Needs) == 0 && len(tc.needs) == 0) {
					t.Errorf("foundation needs %v, want %v", s.Needs, tc.needs)
				}
				// the security group opens 443 exactly when there is an HTTPS listener
				if s.Name == "foundation" {
					ports := ""
					for _, r := range s.Template.Get("Resources").Get("AlbSecurityGroup").Get("Properties").Get("SecurityGroupIngress").Items {
						ports += r.Get("FromPort").Text + " "
					}
					if strings.Contains(ports, "443") != https {
						t.Errorf("ingress ports %s with HTTPS %v", ports, https)
					}
				}
			}
		})
	}
}

// What is missing or doubled is an error at the user's line: a certificate block in an
// env without a hosted zone (at the instance, naming the env file's key), and an env
// file that names a certificate beside a certificate block (at the env's certificate).
func TestCertificateErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		certStack string
		withARN   bool
		withZone  bool
		code      ir.Code
		pos, msg  string
	}{
		{name: "no hosted zone", certStack: "foundation", code: ir.CodeMissingKey, pos: "riglets/c.yaml:9:7", msg: "foundation.cert (block acm-certificate) needs hosted_zone in envs/e.yaml"},
		{name: "no hosted zone, other stack", certStack: "dns", code: ir.CodeMissingKey, pos: "riglets/c.yaml:7:7", msg: "dns.cert (block acm-certificate) needs hosted_zone in envs/e.yaml"},
		{name: "both", certStack: "foundation", withARN: true, withZone: true, code: ir.CodeWiring, pos: "envs/e.yaml:8:1", msg: "env e names a certificate, and the riglet makes one with foundation.cert"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compiler.Compile(certFS(tc.certStack, tc.withARN, tc.withZone), blocks.FS, "riglets/c.yaml", compiler.Options{})
			var errs ir.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("compile: %v, want an error", err)
			}
			if len(errs) != 1 {
				t.Fatalf("want one error, got:\n%v", err)
			}
			e := errs[0]
			if e.Code != tc.code || e.Pos.String() != tc.pos || !strings.HasPrefix(e.Msg, tc.msg) {
				t.Errorf("got %s %s: %s\nwant %s %s: %s...", e.Code, e.Pos, e.Msg, tc.code, tc.pos, tc.msg)
			}
		})
	}
}

// A certificate block that only: leaves out of an env is no certificate block there: the
// env may name its own ARN (no "both" error), and its listener serves that ARN, while
// the env the block is in serves the block's.
func TestCertificateBlockOnlyInSomeEnvs(t *testing.T) {
	env := func(name, cidr, extra string) []byte {
		return []byte("env: " + name + "\naccount: \"123456789012\"\nregion: us-west-2\nazs: [us-west-2a, us-west-2b]\ncidr: " + cidr +
			"\ndomain: " + name + ".example.com\nalarms: {profile: none}\nhosted_zone: Z0123456789ABCDEFGHIJ\n" + extra)
	}
	fsys := fstest.MapFS{
		"envs/a.yaml": {Data: env("a", "10.3.0.0/16", "certificate: "+certARN+"\n")},
		"envs/b.yaml": {Data: env("b", "10.4.0.0/16", "")},
		"riglets/c.yaml": {Data: []byte("riglet: c\nowner: acme\nenvs: [a, b]\nstacks:\n  foundation:\n    blocks:\n" +
			"      network: {block: vpc}\n      alb: {block: alb}\n      cert: {block: acm-certificate, only: [b]}\n")},
	}
	res, err := compiler.Compile(fsys, blocks.FS, "riglets/c.yaml", compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": certARN, "b": "Ref CertCertificate"}
	for _, e := range res.Envs {
		if e.Env == "shared" {
			continue
		}
		one := &compiler.Result{Spec: res.Spec, Envs: []*compiler.EnvResult{e}}
		if got, https := listenerCert(t, one); !https || got != want[e.Env] {
			t.Errorf("env %s: HTTPS %v with certificate %q, want %q", e.Env, https, got, want[e.Env])
		}
	}
}

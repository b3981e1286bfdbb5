package compiler

// Certificates and the env keys blocks need: an env's certificate comes from its file
// (an ARN) or from the riglet's acm-certificate block, never from both, and a block
// parameter that only the env file can fill (acm-certificate's hosted zone) is an error
// at the instance when the env file leaves it out, not an empty value AWS refuses at
// deploy time.

import (
	"strings"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

// CertificateBlock is the built-in block whose certificate the alb block is wired to.
const CertificateBlock = "acm-certificate"

// certificateBlocks are the instances of the certificate block present in env (only:
// may leave one out), as stack.instance, in spec order.
func (c *compilation) certificateBlocks(env string) []string {
	c.allInstances()
	var out []string
	for _, in := range c.byBlock[CertificateBlock] {
		if !in.Stack.Shared && in.In(env) {
			out = append(out, in.Stack.Name+"."+in.Name)
		}
	}
	return out
}

// checkCertificates refuses an env file that names a certificate when the riglet makes
// one: either could be meant for the load balancer, and an unused certificate would be
// issued and renewed for nothing.
func (ec *envCompile) checkCertificates() {
	if ec.env == nil || ec.env.Certificate == "" {
		return
	}
	blocks := ec.c.certificateBlocks(ec.envName)
	if len(blocks) == 0 {
		return
	}
	in := ec.c.byPath[blocks[0]]
	ec.errs.Add(&ir.Error{Code: ir.CodeWiring, Pos: ec.env.CertPos,
		Msg: "env " + ec.env.Name + " names a certificate, and the riglet makes one with " + blocks[0] + " (" + CertificateBlock +
			"), and either could be meant for its load balancers: leave certificate out of " + ec.env.File + " to use the block's, or the block out of the riglet",
		Related: []ir.Related{{Pos: in.Pos, Msg: "the certificate block"}}})
}

// envGives reports whether a derived key is an env file value the env sets: then it
// is what the env asked for, and wiring does not replace it.
func (ec *envCompile) envGives(key string) bool {
	if ec.env == nil || !strings.HasPrefix(key, "env.") {
		return false
	}
	v := ec.derived(key, "", ir.Pos{})
	return v != nil && v.Kind == ir.String && v.Text != ""
}

// missingEnvKey reports a required parameter (one with no default) derived from an
// env file key the env leaves out, at the instance that needs it; it returns false then.
func (ec *envCompile) missingEnvKey(path string, b *model.Block, p *model.Param, v *ir.Node, at ir.Pos) bool {
	key := b.Derived[p.Name]
	if ec.env == nil || p.Default != nil || !strings.HasPrefix(key, "env.") || v == nil || v.Kind != ir.String || v.Text != "" {
		return true
	}
	name := strings.TrimPrefix(key, "env.")
	ec.errs.Add(&ir.Error{Code: ir.CodeMissingKey, Pos: at,
		Msg:     path + " (block " + b.Name + ") needs " + name + " in " + ec.env.File + ", for parameter " + p.Name + describe(p),
		Related: []ir.Related{{Pos: ec.env.Pos, Msg: "env " + ec.env.Name + " has no " + name}}})
	return false
}

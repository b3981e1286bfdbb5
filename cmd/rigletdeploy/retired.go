package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/riglet/riglet/manifest"
)

func findRetired(m *manifest.Manifest, name string) *manifest.Retired {
	for i := range m.Retired {
		if m.Retired[i].Name == name {
			return &m.Retired[i]
		}
	}
	return nil
}

// retiredCmd answers get, retained and roles for a retired stack: it has a name to
// delete by, and no template in out/ any more.
func retiredCmd(w io.Writer, dir string, m *manifest.Manifest, r *manifest.Retired, cmd string, pos []string) error {
	switch cmd {
	case "get":
		if len(pos) != 2 {
			return usageError{errors.New("usage: rigletdeploy get DIR STACK stackName|terminationProtection|template|retired")}
		}
		switch pos[1] {
		case "stackName":
			fmt.Fprintln(w, r.StackName)
		case "terminationProtection":
			fmt.Fprintln(w, false)
		case "retired":
			fmt.Fprintln(w, true)
		case "template":
			return fmt.Errorf("stack %s was removed from the spec: %s has no template of it", r.Name, dir)
		default:
			return usageError{fmt.Errorf("unknown stack field %q (stackName, terminationProtection, template, retired)", pos[1])}
		}
		return nil
	case "retained", "roles":
		return nil // no template to read them from
	}
	return fmt.Errorf("stack %s (%s) was removed from the spec (retired in %s): it can only be deleted", r.Name, r.StackName, filepath.Join(dir, manifest.File))
}

// deployRoles lists the IAM roles of a stack's template that CloudFormation itself may
// assume (AssumeRolePolicyDocument naming cloudformation.amazonaws.com): a pipeline's
// deploy role, with which it deploys other stacks. Deleting the stack first leaves those
// stacks with a role that is gone, which CloudFormation needs to delete them.
func deployRoles(w io.Writer, dir string, s *manifest.Stack) error {
	res, err := resources(dir, s)
	if err != nil {
		return err
	}
	for _, item := range res {
		r, _ := item.Value.(map[string]any)
		if r["Type"] != "AWS::IAM::Role" {
			continue
		}
		props, _ := r["Properties"].(map[string]any)
		if assumedBy(props["AssumeRolePolicyDocument"], "cloudformation.amazonaws.com") {
			fmt.Fprintln(w, item.Key)
		}
	}
	return nil
}

// assumedBy reports whether a trust policy lets service assume the role.
func assumedBy(doc any, service string) bool {
	d, _ := doc.(map[string]any)
	stmts, ok := d["Statement"].([]any)
	if !ok {
		stmts = []any{d["Statement"]}
	}
	for _, st := range stmts {
		m, _ := st.(map[string]any)
		if m["Effect"] != "Allow" {
			continue
		}
		p, _ := m["Principal"].(map[string]any)
		switch svc := p["Service"].(type) {
		case string:
			if svc == service {
				return true
			}
		case []any:
			for _, x := range svc {
				if x == service {
					return true
				}
			}
		}
	}
	return false
}

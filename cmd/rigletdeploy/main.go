// Command rigletdeploy reads an env's stacks.json (written by riglet compile) for the
// Makefile's deploy targets, which call the AWS CLI themselves: it lists the stacks in
// deploy order, checks a request before any AWS call, and prints the AWS CLI arguments of
// one stack, shell-quoted, so that make needs neither jq nor a JSON parser of its own.
//
//	rigletdeploy stacks DIR [--reverse]            stack names, deploy order (delete order)
//	rigletdeploy stacks DIR --retired              stacks removed from the spec, delete order
//	rigletdeploy field DIR account|region|env|riglet|certificate|certificateBlock|hostedZone
//	                                                a top-level field
//	rigletdeploy check DIR [--s3-bucket B] STACK... unknown stack, missing template, a
//	                                                template over 51,200 bytes without B
//	rigletdeploy get DIR STACK stackName|terminationProtection|template|retired|required
//	                                                (required: deploy-time parameters with
//	                                                no default, which a first deploy sets)
//	rigletdeploy args DIR STACK [--image-tag T] [--s3-bucket B]
//	                                                `aws cloudformation deploy` arguments
//	rigletdeploy retained DIR STACK                 resources with DeletionPolicy Retain
//	rigletdeploy roles DIR STACK                    roles CloudFormation may assume
//
// A retired stack (removed from the spec, kept in the lock until riglet lock prune) can
// be named to get, retained and roles, so that make can delete it; it has no template.
//
// DIR is out/<riglet>/<env>. Exit 1 on a problem, 2 on bad usage.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/riglet/riglet/manifest"
)

// maxBodyBytes is CloudFormation's limit for --template-body; `deploy` needs --s3-bucket
// above it.
const maxBodyBytes = manifest.MaxBodyBytes

type usageError struct{ error }

func main() {
	err := run(os.Args[1:], os.Stdout)
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "rigletdeploy:", err)
	var ue usageError
	if errors.As(err, &ue) {
		os.Exit(2)
	}
	os.Exit(1)
}

func run(args []string, w io.Writer) error {
	if len(args) < 2 {
		return usageError{errors.New("usage: rigletdeploy stacks|field|check|get|args|retained|roles DIR ...")}
	}
	cmd, dir, rest := args[0], args[1], args[2:]
	flags, pos, err := parseFlags(rest)
	if err != nil {
		return err
	}
	m, err := load(dir)
	if err != nil {
		return err
	}
	switch cmd {
	case "stacks":
		names := make([]string, len(m.Stacks))
		for i, s := range m.Stacks {
			names[i] = s.Name
		}
		if _, ok := flags["retired"]; ok {
			names = names[:0]
			for _, r := range m.Retired {
				names = append(names, r.Name)
			}
		}
		if _, ok := flags["reverse"]; ok {
			for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
				names[i], names[j] = names[j], names[i]
			}
		}
		for _, n := range names {
			fmt.Fprintln(w, n)
		}
		return nil
	case "field":
		if len(pos) != 1 {
			return usageError{errors.New("usage: rigletdeploy field DIR account|region|env|riglet|certificate|certificateBlock|hostedZone")}
		}
		v, ok := map[string]string{"account": m.Account, "region": m.Region, "env": m.Env, "riglet": m.Riglet, "certificate": m.Certificate,
			"certificateBlock": m.CertificateBlock, "hostedZone": m.HostedZone}[pos[0]]
		if !ok {
			return usageError{fmt.Errorf("unknown field %q (account, region, env, riglet, certificate, certificateBlock, hostedZone)", pos[0])}
		}
		fmt.Fprintln(w, v)
		return nil
	case "check":
		return check(dir, m, pos, flags["s3-bucket"])
	case "get", "args", "retained", "roles":
		if len(pos) < 1 {
			return usageError{fmt.Errorf("usage: rigletdeploy %s DIR STACK", cmd)}
		}
		s, err := findStack(m, dir, pos[0])
		if err != nil {
			r := findRetired(m, pos[0])
			if r == nil {
				return err
			}
			return retiredCmd(w, dir, m, r, cmd, pos)
		}
		switch cmd {
		case "get":
			if len(pos) != 2 {
				return usageError{errors.New("usage: rigletdeploy get DIR STACK stackName|terminationProtection|template|retired|required")}
			}
			switch pos[1] {
			case "stackName":
				fmt.Fprintln(w, s.StackName)
			case "terminationProtection":
				fmt.Fprintln(w, s.TerminationProtection)
			case "template":
				fmt.Fprintln(w, filepath.Join(dir, s.Template))
			case "retired":
				fmt.Fprintln(w, false)
			case "required":
				var names []string
				for _, p := range s.Parameters {
					if p.Required {
						names = append(names, p.Name)
					}
				}
				fmt.Fprintln(w, strings.Join(names, " "))
			default:
				return usageError{fmt.Errorf("unknown stack field %q (stackName, terminationProtection, template, retired, required)", pos[1])}
			}
			return nil
		case "args":
			if err := check(dir, m, pos[:1], flags["s3-bucket"]); err != nil {
				return err
			}
			fmt.Fprintln(w, shellJoin(deployArgs(dir, m, s, flags["image-tag"], flags["s3-bucket"])))
			return nil
		case "roles":
			return deployRoles(w, dir, s)
		default:
			return retained(w, dir, s)
		}
	}
	return usageError{fmt.Errorf("unknown command %q (stacks, field, check, get, args, retained, roles)", cmd)}
}

// parseFlags splits --name value (or --name=value) flags from positional arguments.
func parseFlags(args []string) (map[string]string, []string, error) {
	flags := map[string]string{}
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") {
			pos = append(pos, a)
			continue
		}
		name, val, hasVal := strings.Cut(a[2:], "=")
		switch name {
		case "reverse", "retired":
			flags[name] = ""
		case "s3-bucket", "image-tag":
			if !hasVal {
				if i+1 >= len(args) {
					return nil, nil, usageError{fmt.Errorf("--%s needs a value", name)}
				}
				i++
				val = args[i]
			}
			flags[name] = val
		default:
			return nil, nil, usageError{fmt.Errorf("unknown flag --%s", name)}
		}
	}
	return flags, pos, nil
}

func load(dir string) (*manifest.Manifest, error) {
	p := filepath.Join(dir, "stacks.json")
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w (run riglet compile, and check RIGLET and ENV)", p, errors.Unwrap(err))
	}
	var m manifest.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if m.Account == "" || m.Region == "" {
		return nil, fmt.Errorf("%s: no account or region", p)
	}
	return &m, nil
}

func findStack(m *manifest.Manifest, dir, name string) (*manifest.Stack, error) {
	for i := range m.Stacks {
		if m.Stacks[i].Name == name {
			return &m.Stacks[i], nil
		}
	}
	for _, l := range m.LeftOut {
		if l.Name == name {
			return nil, fmt.Errorf("stack %s is not in env %s: its only: [%s] in %s leaves it out, so there is nothing to deploy or delete for it here", name, m.Env, strings.Join(l.Only, ", "), m.Source)
		}
	}
	names := make([]string, len(m.Stacks))
	for i, s := range m.Stacks {
		names[i] = s.Name
	}
	return nil, fmt.Errorf("no stack %q in %s; its stacks: %s", name, filepath.Join(dir, "stacks.json"), strings.Join(names, " "))
}

// check is everything that can be refused before the first AWS call.
func check(dir string, m *manifest.Manifest, names []string, bucket string) error {
	var problems []string
	for _, n := range names {
		s, err := findStack(m, dir, n)
		if r := findRetired(m, n); err != nil && r != nil {
			problems = append(problems, fmt.Sprintf("stack %s (%s) was removed from the spec (retired in the lock): it can only be deleted, with make delete-%s or make delete-retired", n, r.StackName, n))
			continue
		}
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		p := filepath.Join(dir, s.Template)
		fi, err := os.Stat(p)
		if err != nil {
			problems = append(problems, fmt.Sprintf("stack %s: template %s is missing (run riglet compile)", n, p))
			continue
		}
		if (s.OverBodyLimit || fi.Size() > maxBodyBytes) && bucket == "" {
			problems = append(problems, fmt.Sprintf("stack %s: template %s is %d bytes, over CloudFormation's %d for a template body: set S3_BUCKET=<bucket in %s> to deploy it from S3",
				n, p, fi.Size(), maxBodyBytes, m.Region))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

// deployArgs are the arguments of `aws cloudformation deploy` for one stack, apart from
// the AWS CLI's global options and --no-fail-on-empty-changeset.
func deployArgs(dir string, m *manifest.Manifest, s *manifest.Stack, imageTag, bucket string) []string {
	args := []string{"--stack-name", s.StackName, "--template-file", filepath.Join(dir, s.Template), "--region", m.Region}
	if len(s.Capabilities) > 0 {
		args = append(args, "--capabilities")
		args = append(args, s.Capabilities...)
	}
	if len(s.Tags) > 0 {
		keys := make([]string, 0, len(s.Tags))
		for k := range s.Tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		args = append(args, "--tags")
		for _, k := range keys {
			args = append(args, k+"="+s.Tags[k])
		}
	}
	// Without IMAGE_TAG an update keeps the running tag (deploy passes UsePreviousValue)
	// and a create takes the template's default; deploy.sh refuses a create of a stack
	// whose tag has none.
	if imageTag != "" {
		var overrides []string
		for _, p := range s.Parameters {
			if p.Name == "ImageTag" {
				overrides = append(overrides, "ImageTag="+imageTag)
			}
		}
		if len(overrides) > 0 {
			args = append(args, "--parameter-overrides")
			args = append(args, overrides...)
		}
	}
	if s.OverBodyLimit || s.TemplateBytes > maxBodyBytes {
		args = append(args, "--s3-bucket", bucket, "--s3-prefix", m.Riglet+"/"+m.Env)
	}
	return args
}

// resources reads a stack template's Resources, in order.
func resources(dir string, s *manifest.Stack) (yaml.MapSlice, error) {
	p := filepath.Join(dir, s.Template)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var tpl struct {
		Resources yaml.MapSlice `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(b, &tpl); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return tpl.Resources, nil
}

// retained lists the resources a delete leaves behind on purpose.
func retained(w io.Writer, dir string, s *manifest.Stack) error {
	res, err := resources(dir, s)
	if err != nil {
		return err
	}
	for _, item := range res {
		r, _ := item.Value.(map[string]any)
		if r["DeletionPolicy"] == "Retain" {
			fmt.Fprintf(w, "%v %v\n", item.Key, r["Type"])
		}
	}
	return nil
}

// shellJoin quotes each word for sh, which the Makefile evaluates.
func shellJoin(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

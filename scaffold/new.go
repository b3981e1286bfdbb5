// Package scaffold writes what `riglet new` gives a user: a whole riglet repository
// (env files, a spec with a foundation and one service, the deploy kit and a Makefile
// that includes it, pre-commit, cfn-lint and CI settings, a README), and a service stack
// added to an existing spec in place. It returns files and bytes; cmd/riglet writes them.
package scaffold

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"github.com/riglet/riglet/deploykit"
	"github.com/riglet/riglet/model"
)

//go:embed files
var files embed.FS

// SchemaDir is where a new repository's editors find riglet's JSON Schemas (written by
// `riglet schema --out .riglet/schema`), named by each file's yaml-language-server comment.
const SchemaDir = ".riglet/schema"

// Options say what `riglet new NAME` makes.
type Options struct {
	Name   string   // the riglet, and the repository's directory
	Owner  string   // stack names are {owner}-{riglet}-{env}-{stack}; default: Name
	Envs   []string // default: integration, staging, production
	Region string   // default: us-east-1
}

// File is one file of a new repository, its path slash-separated and relative to it.
type File struct {
	Path string
	Data []byte
	Exec bool // deploy.sh
}

// DefaultEnvs are a new riglet's envs when none are given.
var DefaultEnvs = []string{"integration", "staging", "production"}

// regionRE is the form of an AWS region name (us-east-1, ap-southeast-2, us-gov-west-1).
var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)

// Repo returns the files of a new riglet repository, in path order. What it writes
// compiles and lints clean as it stands.
func Repo(o Options) ([]File, error) {
	if o.Owner == "" {
		o.Owner = o.Name
	}
	if len(o.Envs) == 0 {
		o.Envs = DefaultEnvs
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if !model.ValidName(o.Name) {
		return nil, fmt.Errorf("riglet name %q: lower case letters, digits and dashes, starting with a letter, at most %d characters", o.Name, model.MaxNameLen)
	}
	if !model.ValidName(o.Owner) {
		return nil, fmt.Errorf("--owner %q: lower case letters, digits and dashes, starting with a letter, at most %d characters", o.Owner, model.MaxNameLen)
	}
	if !regionRE.MatchString(o.Region) {
		return nil, fmt.Errorf("--region %q is not an AWS region name (us-east-1, eu-west-2, ...)", o.Region)
	}
	seen := map[string]bool{}
	for _, e := range o.Envs {
		switch {
		case !model.ValidEnvName(e):
			return nil, fmt.Errorf("--envs: env name %q must be letters, digits and dashes, start with a letter and have at most %d characters", e, model.MaxNameLen)
		case e == "shared":
			return nil, fmt.Errorf("--envs: env name shared is reserved for shared stacks")
		case seen[e]:
			return nil, fmt.Errorf("--envs: env %s listed twice", e)
		}
		seen[e] = true
	}
	data := map[string]any{
		"Name": o.Name, "Owner": o.Owner, "Region": o.Region, "Version": model.Version,
		"Schema": SchemaDir, "EnvList": strings.Join(o.Envs, ", "), "FirstEnv": o.Envs[0],
	}
	svc, err := ServiceStack(Service{Name: o.Name, Owner: o.Owner, Path: "/*"}, "  ", "  ")
	if err != nil {
		return nil, err
	}
	data["Service"] = strings.TrimSuffix(svc, "\n")
	var out []File
	add := func(p, tmpl string, d map[string]any) error {
		b, err := render(tmpl, d)
		if err != nil {
			return err
		}
		out = append(out, File{Path: p, Data: b})
		return nil
	}
	for _, e := range o.Envs {
		d := map[string]any{"Env": e, "Profile": "critical", "Desired": 1}
		// production: every alarm, and two tasks so that one AZ's loss keeps it up
		if e == "production" || e == "prod" {
			d["Profile"], d["Desired"] = "all", 2
		}
		for k, v := range data {
			d[k] = v
		}
		if err := add("envs/"+e+".yaml", "env.yaml.tmpl", d); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct{ path, tmpl string }{
		{"riglets/" + o.Name + ".yaml", "spec.yaml.tmpl"},
		{"Makefile", "Makefile"},
		{".pre-commit-config.yaml", "pre-commit-config.yaml.tmpl"},
		{".cfnlintrc", "cfnlintrc"},
		{".gitignore", "gitignore"},
		{".github/workflows/riglet.yml", "workflow.yaml.tmpl"},
		{"README.md", "README.md.tmpl"},
	} {
		if err := add(f.path, f.tmpl, data); err != nil {
			return nil, err
		}
	}
	err = fs.WalkDir(deploykit.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := deploykit.FS.ReadFile(p)
		out = append(out, File{Path: path.Join(deploykit.Dir, p), Data: b, Exec: strings.HasSuffix(p, ".sh")})
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// render fills a template of files/ (<% %> delimiters: GitHub's workflows use {{ }}, YAML flow lists [ ]).
func render(name string, data map[string]any) ([]byte, error) {
	src, err := files.ReadFile("files/" + name)
	if err != nil {
		return nil, err
	}
	t, err := template.New(name).Delims("<%", "%>").Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

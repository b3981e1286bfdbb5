package lint

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
	"github.com/riglet/riglet/source"
)

// benchRuleIDs are the template rules whose allocations BenchmarkTemplateRules
// measures one by one: the reference, cycle and schema rules and the IAM rules, which
// walk every resource of every template.
var benchRuleIDs = []string{"CFN001", "CFN006", "CFN007", "CFN008", "CFN010", "SEC009", "SEC010", "SEC014", "SEC015",
	"OBS001", "OBS005", "SEC001", "REL004"}

// benchEnvs returns the envs the rule benchmarks run on: the large template, or with
// RIGLET_BENCH_RIGLET=dir:spec a riglet compiled once (riglet lint's own trees).
func benchEnvs(b *testing.B) ([]*Env, *compiler.Result) {
	if spec := os.Getenv("RIGLET_BENCH_RIGLET"); spec != "" {
		dir, file, _ := cutColon(spec)
		fsys := os.DirFS(dir)
		lib := model.NewLibrary(fsys, blocks.FS)
		res, err := compiler.CompileWith(fsys, lib, file, compiler.Options{Partial: true})
		if err != nil {
			b.Fatal(err)
		}
		var envs []*Env
		for _, er := range res.Envs {
			envs = append(envs, newEnv(res, er, false))
		}
		return envs, res
	}
	data, err := os.ReadFile(largeTemplate)
	if err != nil {
		b.Fatal(err)
	}
	root, err := source.Parse(largeTemplate, data)
	if err != nil {
		b.Fatal(err)
	}
	root, _ = expandForEach(root)
	sr := &compiler.StackResult{Name: "large", StackName: "large", Template: root}
	return []*Env{newEnv(nil, &compiler.EnvResult{Env: "template", Stacks: []*compiler.StackResult{sr}}, false)}, nil
}

func cutColon(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// BenchmarkTemplateRules runs single template rules (and a few riglet rules, which
// run on every lint, template cache or not) over already built trees, so that what
// they allocate is measured apart from the parse or the compile.
func BenchmarkTemplateRules(b *testing.B) {
	envs, res := benchEnvs(b)
	for _, id := range benchRuleIDs {
		r := Lookup(id)
		b.Run(id, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var out []*Finding
				if r.Scope == ScopeRiglet {
					run(&Pass{Rule: r, Result: res, Envs: envs, out: &out})
					continue
				}
				for _, e := range envs {
					for _, s := range e.Stacks {
						s.cache = nil
						run(&Pass{Rule: r, Result: res, Env: e, Stack: s, Envs: envs, out: &out})
					}
				}
			}
		})
	}
}

// TestEachSubVar: eachSubVar visits what ir.SubVars lists.
func TestEachSubVar(t *testing.T) {
	for _, s := range []string{"", "plain", "${A}", "${ A.B }-${!Lit}-${}", "arn:${AWS::Partition}:s3:::${Bucket}/*", "${A", "x}${B}y${", "${!}${ }${C}"} {
		var got []string
		eachSubVar(s, func(v string) { got = append(got, v) })
		if want := ir.SubVars(s); !slices.Equal(got, want) {
			t.Errorf("eachSubVar(%q) = %q, ir.SubVars %q", s, got, want)
		}
	}
}

// TestLowerIs: lowerIs and isBoolText say what comparing strings.ToLower's copy says.
func TestLowerIs(t *testing.T) {
	for _, s := range []string{"", "true", "True", "TRUE", "tRuE", "false", "FALSE", "False ", "fals", "falſe", "\u212aey", "İam", "trUe\u0301", "yes", "1"} {
		for _, want := range []string{"true", "false", "key", "iam"} {
			if got := lowerIs(s, want); got != (strings.ToLower(s) == want) {
				t.Errorf("lowerIs(%q, %q) = %v", s, want, got)
			}
		}
		if got, want := isBoolText(s), strings.ToLower(s) == "true" || strings.ToLower(s) == "false"; got != want {
			t.Errorf("isBoolText(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestFoldMatch: wildcardMatchFold and sameLower say what comparing lowered copies
// says.
func TestFoldMatch(t *testing.T) {
	texts := []string{"", "*", "?", "iam:*", "IAM:CreateRole", "iam:createrole", "iam:Create*", "iam:?reateRole", "iam:PassRole", "s3:Get*Object", "S3:GETOBJECT", "*:*", "iam:CreateRolE", "ſ3:*", "İam:*", "\u212a:*", "iam:*Role*", "**", "iam:Cr??teRole"}
	for _, pat := range texts {
		for _, s := range texts {
			if got, want := wildcardMatchFold(pat, s), wildcardMatch(strings.ToLower(pat), strings.ToLower(s)); got != want {
				t.Errorf("wildcardMatchFold(%q, %q) = %v, want %v", pat, s, got, want)
			}
			if got, want := sameLower(pat, s), strings.ToLower(pat) == strings.ToLower(s); got != want {
				t.Errorf("sameLower(%q, %q) = %v, want %v", pat, s, got, want)
			}
		}
	}
}

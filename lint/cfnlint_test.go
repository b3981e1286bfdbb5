//go:build oracle

package lint

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/riglet/riglet/compiler"
)

// explained lists where riglet and cfn-lint disagree on purpose, keyed
// "case riglet-rule-or-cfn-lint-id": why the other one is not wrong here, or why
// riglet is right. Every other disagreement fails the test.
var explained = map[string]string{
	"CFN013/bad CFN013": "cfn-lint 1.51's E2010 does not fire at 201 parameters (it reports only W2001, unused); CloudFormation's quota is 200 parameters, so riglet is right",
	"CFN019/bad CFN019": "the registry schema gives AWS::ElasticLoadBalancingV2::TargetGroup.Name no maxLength, so cfn-lint's E3033 cannot see it; AWS's documented limit is 32",
	"CFN022/bad E1020":  "the module My::S3::Bucket::MODULE is registered nowhere, so neither linter knows what it makes; riglet does not call BucketS3Bucket, a name with the module's prefix, missing (CFN022 says the module is not checked), cfn-lint does",
	"SRC015/bad E1001":  "a file without Resources is not linted as a template at all: SRC015 says it is not one, where cfn-lint's E1001 says Resources is required",
	"SEC021/bad CFN002": "riglet's schema (rain v1.23.1's copy of the registry) lacks AWS::EC2::Instance.MetadataOptions, which CloudFormation and cfn-lint 1.51 have: riglet is wrong, and stays so until the schema is regenerated from a newer copy",
	"SEC021/ok CFN002":  "the same: AWS::EC2::Instance.MetadataOptions, missing from riglet's schema",
	"* CFN021":          "cfn-lint 1.51's E3040 does not flag AWS::SQS::Queue's read-only Arn and QueueUrl (checked by hand: no finding); the registry schema lists them as readOnlyProperties, which CloudFormation refuses in a template",
}

// isExplained reports whether a disagreement is explained for its case or, with
// "* ID", for the rule as a whole.
func isExplained(key, id string) bool {
	_, one := explained[key]
	_, all := explained["* "+id]
	return one || all
}

// TestCfnLintAgreement runs cfn-lint and riglet's template rules over the plain
// templates of the testdata and the benchmark template, and compares them through
// each rule's CfnLint mapping: a riglet rule that fires where cfn-lint reports none
// of its mapped IDs, or a mapped cfn-lint ID reported where no riglet rule mapped to
// it fires, is a disagreement, which must be fixed or explained above. An oracle
// test: make check runs it (go test -tags oracle).
func TestCfnLintAgreement(t *testing.T) {
	cfn, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("this oracle test needs cfn-lint on PATH (python3 -m pip install cfn-lint)")
	}
	dir := t.TempDir()
	type tcase struct{ name, file string }
	var cases []tcase
	matches, _ := filepath.Glob("testdata/*/*.txtar")
	for _, m := range matches {
		ar, err := txtar.ParseFile(m)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(filepath.Dir(m)) + "/" + strings.TrimSuffix(filepath.Base(m), ".txtar")
		fsys, specs, _ := loadCase(t, m)
		for _, spec := range specs {
			if strings.HasPrefix(spec, "templates/") {
				continue
			}
			res, err := compiler.Compile(fsys, builtinAlarms, spec, compiler.Options{})
			if err != nil {
				continue // the source rules' cases: nothing generated
			}
			for _, f := range res.Files() {
				if !strings.HasSuffix(f.Path, ".yaml") {
					continue
				}
				cname := name + ":" + f.Path
				file := filepath.Join(dir, strings.NewReplacer("/", "_", ":", "_").Replace(cname))
				if err := os.WriteFile(file, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
				cases = append(cases, tcase{cname, file})
			}
		}
		for _, f := range ar.Files {
			if strings.HasPrefix(f.Name, "templates/") {
				// One file per template: a case may hold several.
				file := filepath.Join(dir, strings.ReplaceAll(name+"/"+f.Name, "/", "_"))
				if err := os.WriteFile(file, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
				cases = append(cases, tcase{name, file})
			}
		}
	}
	cases = append(cases, tcase{"bench/large", largeTemplate})
	args := []string{"-f", "json"}
	for _, c := range cases {
		args = append(args, c.file)
	}
	out, _ := exec.Command(cfn, args...).Output() // non-zero exit means findings
	var results []struct {
		Filename string
		Rule     struct{ Id string }
	}
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("cfn-lint output: %v\n%s", err, out)
	}
	cfnIDs := map[string]map[string]bool{} // file -> cfn-lint IDs
	for _, r := range results {
		if cfnIDs[r.Filename] == nil {
			cfnIDs[r.Filename] = map[string]bool{}
		}
		cfnIDs[r.Filename][r.Rule.Id] = true
	}
	mapped := map[string][]string{} // cfn-lint ID -> riglet rules
	for _, r := range Rules() {
		for _, id := range r.CfnLint {
			mapped[id] = append(mapped[id], r.ID)
		}
	}
	var problems []string
	for _, c := range cases {
		data, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Template(c.file, data, Options{})
		if err != nil {
			t.Fatal(err)
		}
		mine := map[string]bool{}
		for _, f := range rep.Findings {
			mine[f.Rule] = true
		}
		theirs := cfnIDs[c.file]
		for id := range mine {
			r := Lookup(id)
			if len(r.CfnLint) == 0 {
				continue
			}
			agree := false
			for _, x := range r.CfnLint {
				agree = agree || theirs[x]
			}
			key := c.name + " " + id
			if !agree && !isExplained(key, id) {
				problems = append(problems, key+": riglet reports it, cfn-lint reports none of "+strings.Join(r.CfnLint, ", "))
			}
		}
		for x := range theirs {
			rs := mapped[x]
			if len(rs) == 0 {
				continue
			}
			agree := false
			for _, id := range rs {
				agree = agree || mine[id]
			}
			key := c.name + " " + x
			if !agree && !isExplained(key, x) {
				problems = append(problems, key+": cfn-lint reports it, riglet reports none of "+strings.Join(rs, ", "))
			}
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

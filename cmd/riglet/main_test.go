package main

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// update rewrites the goldens: `go test ./cmd/riglet -update` (or -run TestScripts/lint
// -update for one script) replaces, inside each testdata/script/*.txtar, every file that
// a failing `cmp stdout|stderr|FILE GOLDEN` compares against with what the command
// printed or wrote. Review the diff (git diff cmd/riglet/testdata) before committing it:
// a golden is only as good as its last review. Only goldens that are files of the
// txtar are rewritten; regexp assertions (stdout, stderr, grep) are left to edit by hand.
var update = flag.Bool("update", false, "rewrite the golden files inside testdata/script/*.txtar")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"riglet": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI as a user does: each testdata/script/*.txtar holds the
// files, the commands, their exit codes (exits N) and what they must print (goldens
// compared with cmp, see update).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Cmds:          map[string]func(*testscript.TestScript, bool, []string){"exits": exits, "sarif": sarif},
		// Each script its own lint cache, beside its work directory (never the user's,
		// nor inside $WORK where a script could see it): a script that lints twice
		// replays the first lint, and must print the same.
		Setup: func(env *testscript.Env) error {
			env.Setenv("RIGLET_CACHE", filepath.Join(filepath.Dir(env.WorkDir), filepath.Base(env.WorkDir)+"-cache"))
			return nil
		},
	})
}

// exits N PROG [ARGS...] runs PROG like exec does and fails unless it exits with
// status N (riglet: 0 no errors, 1 errors found, 2 bad usage or unreadable input);
// its stdout and stderr are kept for the cmp, stdout and stderr that follow.
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exits (say the status: exits N ...)")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: status %q is not a number", args[0])
	}
	got := 0
	var ee *exec.ExitError
	if err := ts.Exec(args[1], args[2:]...); errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// sarif replaces stdout, a SARIF log, with what a golden should hold of it: the
// version, the tool, how many rules the log describes (their docs are riglet rules'
// to test) and the results as written. It fails when a result's ruleIndex does not
// point at its rule.
func sarif(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 0 {
		ts.Fatalf("usage: sarif (after a command that printed a SARIF log)")
	}
	type rule struct {
		ID string `json:"id"`
	}
	var log struct {
		Version string `json:"version"`
		Schema  string `json:"$schema"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name    string `json:"name"`
					Version string `json:"version"`
					Rules   []rule `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	ts.Check(json.Unmarshal([]byte(ts.ReadFile("stdout")), &log))
	type run struct {
		Tool    string            `json:"tool"`
		Rules   int               `json:"rules"`
		Results []json.RawMessage `json:"results"`
	}
	out := struct {
		Version string `json:"version"`
		Schema  string `json:"$schema"`
		Runs    []run  `json:"runs"`
	}{Version: log.Version, Schema: log.Schema}
	for _, r := range log.Runs {
		d := r.Tool.Driver
		for _, res := range r.Results {
			var x struct {
				RuleID    string `json:"ruleId"`
				RuleIndex *int   `json:"ruleIndex"`
			}
			ts.Check(json.Unmarshal(res, &x))
			if x.RuleIndex == nil || *x.RuleIndex < 0 || *x.RuleIndex >= len(d.Rules) || d.Rules[*x.RuleIndex].ID != x.RuleID {
				ts.Fatalf("result of %s: ruleIndex %v does not point at rule %s", x.RuleID, x.RuleIndex, x.RuleID)
			}
		}
		out.Runs = append(out.Runs, run{Tool: d.Name + " " + d.Version, Rules: len(d.Rules), Results: r.Results})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	ts.Check(err)
	ts.Stdout().Write(append(b, '\n'))
}

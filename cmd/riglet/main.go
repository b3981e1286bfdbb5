// Command riglet compiles and lints riglets: whole systems described once and stamped
// out per environment as fully resolved CloudFormation.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sort"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/riglet/riglet/blocks"
	"github.com/riglet/riglet/compiler"
	"github.com/riglet/riglet/internal/phase"
	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/lint"
)

// Exit codes (DESIGN 8).
const (
	exitOK     = 0
	exitErrors = 1
	exitUsage  = 2
)

type globals struct {
	Stdout io.Writer `kong:"-"`
	Stderr io.Writer `kong:"-"`
	Dir    string    `short:"C" help:"Run as if riglet was started in this directory." default:"." type:"path"`
	// --version, like the version command
	VersionFlag kong.VersionFlag `name:"version" help:"Print riglet's version and exit."`
}

type cli struct {
	globals
	Compile    compileCmd    `cmd:"" help:"Compile riglets into CloudFormation templates under out/."`
	Plan       planCmd       `cmd:"" help:"Show what a riglet compiles to in one env: stacks, CIDRs, parameters."`
	Graph      graphCmd      `cmd:"" help:"Draw a riglet in one env: stacks and imports, network, or listener routes (mermaid or dot)."`
	Diff       diffCmd       `cmd:"" help:"Show what a change does to AWS: replacements, data loss, blocked updates, security changes, at the source line."`
	Lint       lintCmd       `cmd:"" help:"Check a riglet's sources and generated templates; findings point at the source line."`
	Rules      rulesCmd      `cmd:"" help:"List the lint rules, or explain one."`
	Lock       lockCmd       `cmd:"" help:"Manage the lock of derived allocations."`
	Docs       docsCmd       `cmd:"" help:"Write a README per block: parameters, outputs, modifications, alarms."`
	New        newCmd        `cmd:"" help:"Write a new riglet repository (riglet new NAME), or add a service to a spec (riglet new service NAME --path P)."`
	Schema     schemaCmd     `cmd:"" help:"Write JSON Schemas of env files, riglet specs and blocks, for editors."`
	Completion completionCmd `cmd:"" help:"Print the shell code that completes riglet's commands, flags and names: bash, zsh or fish."`
	Version    versionCmd    `cmd:"" help:"Print riglet's version."`
}

// usageError is bad usage or unreadable input: exit 2.
type usageError struct{ error }

// errorsFound means findings were printed: exit 1.
var errorsFound = errors.New("errors found")

// unreadableFound means findings were printed and one is an input that exists but
// cannot be read: exit 2 (DESIGN 8), as the sources could not even be judged.
var unreadableFound = errors.New("unreadable input")

// hasUnreadable reports whether any finding is an unreadable input.
func hasUnreadable(fs []lint.Finding) bool {
	for _, f := range fs {
		if f.Code == ir.CodeUnreadable {
			return true
		}
	}
	return false
}

// profiles are what a run can record for performance work, each into the file its
// environment variable names; any of them may be set at once.
var profiles = []struct {
	env         string
	start, stop func(f *os.File)
}{
	// a CPU profile (go tool pprof)
	{"RIGLET_CPUPROFILE", func(f *os.File) { pprof.StartCPUProfile(f) }, func(*os.File) { pprof.StopCPUProfile() }},
	// a runtime trace (go tool trace), for seeing which phases leave a core idle
	{"RIGLET_TRACE", func(f *os.File) { trace.Start(f) }, func(*os.File) { trace.Stop() }},
	// what each function allocated over the run (go tool pprof -sample_index=alloc_space)
	{"RIGLET_MEMPROFILE", func(*os.File) { runtime.MemProfileRate = 64 << 10 },
		func(f *os.File) { pprof.Lookup("allocs").WriteTo(f, 0) }},
}

func main() {
	var stops []func()
	for _, pr := range profiles {
		if p := os.Getenv(pr.env); p != "" {
			if f, err := os.Create(p); err == nil {
				pr.start(f)
				stops = append(stops, func() { pr.stop(f); f.Close() })
			}
		}
	}
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	for _, stop := range stops {
		stop()
	}
	os.Exit(code)
}

func run(args []string, stdout, stderr io.Writer) int {
	var c cli
	c.Stdout, c.Stderr = stdout, stderr
	exit := -1
	parser, err := kong.New(&c,
		kong.Name("riglet"),
		kong.Description("riglet compiles a riglet spec (riglets/*.yaml), env files (envs/*.yaml) and building blocks (blocks/) into fully resolved CloudFormation, one template per stack per env, with derived CIDRs, listener rule priorities and alarms. It never calls AWS."),
		kong.UsageOnError(),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exit = code }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Vars{"version": strings.TrimSuffix(versionText(buildInfo()), "\n")}, // kong adds the newline
	)
	if err != nil {
		fmt.Fprintln(stderr, "riglet:", err)
		return exitUsage
	}
	if code, done := completeIfAsked(parser); done {
		return code // the shell asked for completions (COMP_LINE)
	}
	ctx, err := parser.Parse(args)
	if exit >= 0 {
		return exit // --help
	}
	if err != nil {
		fmt.Fprintln(stderr, "riglet:", err)
		return exitUsage
	}
	phase.Mark("run")
	defer phase.Mark("run done")
	if err := ctx.Run(&c.globals); err != nil {
		var ue usageError
		switch {
		case errors.Is(err, errorsFound):
			return exitErrors
		case errors.Is(err, unreadableFound):
			return exitUsage
		case errors.As(err, &ue):
			fmt.Fprintln(stderr, "riglet:", ue.error)
			return exitUsage
		}
		fmt.Fprintln(stderr, "riglet:", err)
		return exitErrors
	}
	return exitOK
}

// specFiles turns RIGLET arguments (names or paths) into spec paths relative to dir;
// none means every riglets/*.yaml.
func specFiles(dir string, args []string) ([]string, error) {
	if len(args) == 0 {
		m, _ := filepath.Glob(filepath.Join(dir, "riglets", "*.yaml"))
		if len(m) == 0 {
			return nil, usageError{fmt.Errorf("no riglets/*.yaml under %s: run riglet in a riglet repository, or name a spec", dir)}
		}
		var out []string
		for _, p := range m {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		sort.Strings(out)
		return out, nil
	}
	var out []string
	for _, a := range args {
		p := a
		if !strings.HasSuffix(a, ".yaml") && !strings.Contains(a, "/") {
			p = "riglets/" + a + ".yaml"
		}
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			return nil, usageError{fmt.Errorf("no riglet spec %s", p)}
		}
		out = append(out, filepath.ToSlash(filepath.Clean(p)))
	}
	return out, nil
}

func builtinBlocks() fs.FS { return blocks.FS }

// printErrors prints a compile's problems as riglet lint prints them (one printer, so
// one mistake reads the same from either command), and reports that errors were found.
func printErrors(w io.Writer, err error) error {
	if ue := (*compiler.UsageError)(nil); errors.As(err, &ue) {
		return usageError{err}
	}
	fs := lint.FromErrors(err)
	if err := lint.Write(w, "text", fs); err != nil {
		return err
	}
	if hasUnreadable(fs) {
		return unreadableFound
	}
	return errorsFound
}

func sortStrings(s []string) { sort.Strings(s) }

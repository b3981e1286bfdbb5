package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/posener/complete"
	"github.com/willabides/kongplete"

	"github.com/riglet/riglet/lint"
)

type completionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"The shell: bash, zsh or fish."`
}

// shellCode is what each shell needs to ask riglet for completions: riglet itself
// answers when the shell sets COMP_LINE (kongplete's protocol, posener/complete's).
// It names riglet as found on PATH, so that it survives an upgrade.
var shellCode = map[string]string{
	"bash": "# riglet completion for bash: add to ~/.bashrc:  eval \"$(riglet completion bash)\"\ncomplete -C riglet riglet\n",
	"zsh":  "# riglet completion for zsh: add to ~/.zshrc:  eval \"$(riglet completion zsh)\"\nautoload -U +X bashcompinit && bashcompinit\ncomplete -C riglet riglet\n",
	"fish": `# riglet completion for fish: riglet completion fish > ~/.config/fish/completions/riglet.fish
function __complete_riglet
    set -lx COMP_LINE (commandline -cp)
    test -z (commandline -ct)
    and set COMP_LINE "$COMP_LINE "
    riglet
end
complete -f -c riglet -a "(__complete_riglet)"
`,
}

func (c *completionCmd) Run(g *globals) error {
	fmt.Fprint(g.Stdout, shellCode[c.Shell])
	return nil
}

// completeIfAsked answers a shell's completion request (COMP_LINE set) from the
// command grammar: commands, flags, enum values, and the names riglet knows in the
// working directory (riglets, envs, lint rules).
func completeIfAsked(parser *kong.Kong) (int, bool) {
	if os.Getenv("COMP_LINE") == "" {
		return 0, false
	}
	code := -1
	kongplete.Complete(parser,
		kongplete.WithPredictors(map[string]complete.Predictor{
			"riglet": complete.PredictFunc(func(complete.Args) []string { return names("riglets") }),
			"env":    complete.PredictFunc(func(complete.Args) []string { return names("envs") }),
			"rule": complete.PredictFunc(func(complete.Args) []string {
				var ids []string
				for _, r := range lint.Rules() {
					ids = append(ids, r.ID)
				}
				return ids
			}),
		}),
		kongplete.WithExitFunc(func(c int) { code = c }),
		kongplete.WithErrorHandler(func(err error) { fmt.Fprintln(parser.Stderr, "riglet: completion:", err) }),
	)
	if code < 0 {
		return 0, false
	}
	return code, true
}

// names are the YAML files of a directory of the working directory, less .yaml.
func names(dir string) []string {
	m, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	out := make([]string, 0, len(m))
	for _, f := range m {
		out = append(out, strings.TrimSuffix(path.Base(filepath.ToSlash(f)), ".yaml"))
	}
	return out
}

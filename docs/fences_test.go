package docs_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fence is one fenced code block of a Markdown file.
type fence struct {
	file string
	line int // of the opening fence
	lang string
	body []string
}

// fences returns the fenced code blocks of a Markdown file, in order.
func fences(t *testing.T, file string) []fence {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []fence
	var cur *fence
	for i, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		if !strings.HasPrefix(trimmed, "```") {
			if cur != nil {
				cur.body = append(cur.body, line)
			}
			continue
		}
		if cur != nil {
			out = append(out, *cur)
			cur = nil
			continue
		}
		cur = &fence{file: file, line: i + 1, lang: strings.TrimSpace(strings.TrimPrefix(trimmed, "```"))}
	}
	if cur != nil {
		t.Errorf("%s:%d: a fence that is never closed", file, cur.line)
	}
	return out
}

// shellWords are what a shell block's line may start with besides a command: keywords,
// builtins, and assignments.
var shellWords = map[string]bool{
	"for": true, "do": true, "done": true, "if": true, "then": true, "else": true, "elif": true,
	"fi": true, "while": true, "until": true, "case": true, "esac": true, "export": true,
	"cd": true, "set": true, "kill": true, "wait": true, "trap": true, "echo": true, "printf": true,
	"test": true, "[": true, ":": true, ".": true,
}

// projectCommands are the commands the docs tell a reader to install or build, which need not
// be on this machine's PATH.
var projectCommands = map[string]bool{
	"riglet": true, "rigletdeploy": true, "bin/riglet": true, "bin/rigletdeploy": true,
	"make": true, "git": true, "aws": true, "python3": true, "go": true, "pip": true,
}

var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// commandLines are the logical lines of a shell block (continuations joined), without
// comments and blank lines, each with its line number in the file.
func commandLines(f fence) (lines []string, at []int) {
	joined := ""
	start := 0
	for i, line := range f.body {
		if joined == "" {
			start = f.line + 1 + i
		}
		if strings.HasSuffix(line, `\`) {
			joined += strings.TrimSuffix(line, `\`) + " "
			continue
		}
		line = joined + line
		joined = ""
		if j := strings.Index(line, " #"); j >= 0 {
			line = line[:j]
		}
		line = strings.Join(strings.Fields(line), " ")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines = append(lines, line)
		at = append(at, start)
	}
	return lines, at
}

// notCommands says which lines of a shell block a shell would fail on.
func notCommands(f fence) []string {
	var problems []string
	lines, at := commandLines(f)
	for i, line := range lines {
		word := strings.Fields(line)[0]
		if shellWords[word] || projectCommands[word] || assignment.MatchString(word) {
			continue
		}
		if _, err := exec.LookPath(word); err == nil && !strings.Contains(word, "/") {
			continue
		}
		problems = append(problems, fmt.Sprintf("%s:%d: %q is not a command, so a shell would fail on it: put text in a ```text block", f.file, at[i], word))
	}
	return problems
}

// TestNotCommands: the check finds a file listing in a shell block, and passes commands,
// continuations, loops and comments.
func TestNotCommands(t *testing.T) {
	listing := fence{file: "x.md", line: 1, lang: "sh", body: []string{"envs/staging.yaml   # account, region", "riglets/twig.yaml"}}
	if got := notCommands(listing); len(got) != 2 || !strings.Contains(got[0], "x.md:2:") || !strings.Contains(got[1], "x.md:3:") {
		t.Errorf("a listing in a shell block: %q, want both lines reported at lines 2 and 3", got)
	}
	commands := fence{file: "x.md", line: 1, lang: "sh", body: []string{
		"# a comment", "", "export A=1 B=2", "X=$(git rev-parse HEAD)", "for r in a b; do",
		"  make create-environment ENV=staging RIGLET=$r \\", "    YES=1", "done", "bin/riglet lint   # findings"}}
	if got := notCommands(commands); len(got) != 0 {
		t.Errorf("commands reported: %q", got)
	}
}

// TestShellBlocksHoldCommands: a reader (or a reader's script) may paste any sh, shell or
// bash block of README.md and docs/*.md into a shell, so each holds only commands; a file
// listing or other text goes in a block labelled text, and no block goes unlabelled.
func TestShellBlocksHoldCommands(t *testing.T) {
	files, _ := filepath.Glob("*.md")
	files = append(files, filepath.Join("..", "README.md"))
	if len(files) < 2 {
		t.Fatalf("no docs/*.md found beside README.md")
	}
	shellBlocks := 0
	for _, file := range files {
		for _, f := range fences(t, file) {
			switch f.lang {
			case "":
				t.Errorf("%s:%d: a code block with no language: label it (```text for a listing, ```sh for commands)", f.file, f.line)
			case "sh", "shell", "bash":
				shellBlocks++
				for _, p := range notCommands(f) {
					t.Error(p)
				}
			}
		}
	}
	if shellBlocks == 0 {
		t.Fatalf("no shell block found; the test would prove nothing")
	}
}

// TestReadmeDeployIsTested: the README's deploy commands are among the commands of
// docs/deploy.md's moto walkthrough, in the same order, so that the e2e test that runs the
// walkthrough (e2e/docs_test.go) runs them as the README writes them.
func TestReadmeDeployIsTested(t *testing.T) {
	readme := section(t, filepath.Join("..", "README.md"), "## Deploy")
	walk := section(t, "deploy.md", "## From an empty account, on moto_server")
	if len(readme) == 0 || len(walk) == 0 {
		t.Fatalf("README.md's deploy section has %d commands, docs/deploy.md's walkthrough %d", len(readme), len(walk))
	}
	j := 0
	for _, want := range readme {
		for j < len(walk) && walk[j] != want {
			j++
		}
		if j == len(walk) {
			t.Errorf("README.md's %q is not in docs/deploy.md's moto walkthrough (after the commands before it), so no test runs it", want)
			return
		}
		j++
	}
}

// section returns the command lines of the shell blocks under a heading of a file, up to the
// next heading of the same level.
func section(t *testing.T, file, heading string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "\n"+heading)
	if i < 0 {
		t.Fatalf("%s has no heading %q", file, heading)
	}
	startLine := strings.Count(text[:i+1], "\n")
	level := strings.SplitN(heading, " ", 2)[0] + " "
	rest := text[i+1:]
	if k := strings.Index(rest[len(heading):], "\n"+level); k >= 0 {
		rest = rest[:len(heading)+k]
	}
	tmp := filepath.Join(t.TempDir(), "section.md")
	if err := os.WriteFile(tmp, []byte(strings.Repeat("\n", startLine)+rest), 0o644); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fences(t, tmp) {
		if f.lang == "sh" || f.lang == "shell" || f.lang == "bash" {
			lines, _ := commandLines(f)
			out = append(out, lines...)
		}
	}
	return out
}

package compiler_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/riglet/riglet/compiler"
)

func compileMsgs(t *testing.T, env, spec, block string) string {
	t.Helper()
	fsys := fstest.MapFS{
		"envs/dev.yaml":        {Data: []byte(env)},
		"riglets/fz.yaml":      {Data: []byte(spec)},
		"blocks/fz/block.yaml": {Data: []byte(block)},
	}
	_, err := compiler.Compile(fsys, builtinAlarms, "riglets/fz.yaml", compiler.Options{})
	if err == nil {
		return ""
	}
	return err.Error()
}

const okBlock = "Parameters:\n  P: {Type: String}\n  L: {Type: CommaDelimitedList}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n"

// Messages say what is wrong, and echo what the user wrote escaped and bounded.
func TestMessagesSayWhatIsWrong(t *testing.T) {
	for _, tc := range []struct {
		name, spec, block string
		want, notWant     string
	}{
		{"type is a list", fuzzSpec, "Resources:\n  Q:\n    Type: [AWS::SQS::Queue]\n",
			"blocks/fz/block.yaml:3:11: the Type of resource Q is a list; it takes a string", "has no Type"},
		{"type is missing", fuzzSpec, "Resources:\n  Q:\n    Properties: {}\n",
			"resource Q has no Type", ""},
		{"resources is a list", fuzzSpec, "Resources: [a]\n",
			"Resources must be a map, not a list", "has no Resources"},
		{"block key misspelt", strings.Replace(fuzzSpec, "block: fz", "blok: fz", 1), okBlock,
			"no block named: the block: key is empty or missing", "unknown block  "},
		{"block name of garbage", strings.Replace(fuzzSpec, "block: fz", `block: "q\e[2J\0\tz`+strings.Repeat("w", 500)+`"`, 1), okBlock,
			`unknown block "q\x1b[2J\x00\tz` + strings.Repeat("w", 72) + `"...`, "\x1b"},
		{"key of garbage", strings.Replace(fuzzSpec, "owner: acme", `owner: acme`+"\n"+`"k\x01`+strings.Repeat("y", 500)+`": 1`, 1), okBlock,
			`unknown key "k\x01yyy`, "\x01"},
	} {
		got := compileMsgs(t, fuzzEnv, tc.spec, tc.block)
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: errors\n%s\nwant %q", tc.name, got, tc.want)
		}
		if tc.notWant != "" && strings.Contains(got, tc.notWant) {
			t.Errorf("%s: errors\n%s\nhold %q", tc.name, got, tc.notWant)
		}
		for _, line := range strings.Split(got, "\n") {
			if len(line) > 600 {
				t.Errorf("%s: a message of %d bytes: %.100s...", tc.name, len(line), line)
			}
		}
	}
}

package lint

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestLintPastCompileErrors: a compile error no longer hides the template findings
// of what compiled. Each combination of issue 13 item 16 (and an env file that does
// not parse at all, which the testdata harness refuses) reports both findings, once.
func TestLintPastCompileErrors(t *testing.T) {
	cases := map[string]struct {
		file string
		edit func(fstest.MapFS)
		want []string // rule IDs, each found exactly once
	}{
		"priority":   {file: "testdata/whole/all-after-priority-error.txtar", want: []string{"LB001", "CFN002"}},
		"block typo": {file: "testdata/whole/all-after-block-typo.txtar", want: []string{"SRC004", "CFN002"}},
		"env key":    {file: "testdata/whole/all-after-env-error.txtar", want: []string{"SRC002", "CFN002"}},
		"env syntax": {file: "testdata/whole/all-after-env-error.txtar", want: []string{"SRC001", "CFN002"},
			edit: func(fsys fstest.MapFS) {
				fsys["envs/staging.yaml"].Data = []byte("env: staging\naccount: \"123456789012\"\nregion: us-west-2\nazs: [us-west-2a, us-west-2b\n")
			}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			fsys, specs, _ := loadCase(t, tc.file)
			if tc.edit != nil {
				tc.edit(fsys)
			}
			rep := lintCase(t, fsys, specs)
			count := map[string]int{}
			var all []string
			for _, f := range rep.Findings {
				count[f.Rule]++
				all = append(all, f.Pos.String()+": "+f.Message()+" ("+f.Rule+")")
			}
			for _, id := range tc.want {
				if count[id] != 1 {
					t.Errorf("%d %s findings, want 1; all:\n%s", count[id], id, strings.Join(all, "\n"))
				}
			}
			if len(rep.Findings) != len(tc.want) {
				t.Errorf("%d findings, want %d; all:\n%s", len(rep.Findings), len(tc.want), strings.Join(all, "\n"))
			}
		})
	}
}

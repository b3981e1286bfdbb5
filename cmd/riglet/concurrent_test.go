package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// project writes a small riglet of two envs whose queue has the given visibility
// timeout: two such projects are two edits of one riglet.
func project(t *testing.T, timeout string) string {
	dir := t.TempDir()
	files := map[string]string{
		"riglets/demo.yaml": "riglet: demo\nowner: acme\nenvs: [dev, prod]\nstacks:\n  base:\n    blocks:\n      queue: {block: q}\n",
		"blocks/q/block.yaml": "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: " + timeout +
			"\nOutputs:\n  QueueArn:\n    Value: !GetAtt Queue.Arn\n",
	}
	for i, env := range []string{"dev", "prod"} {
		files["envs/"+env+".yaml"] = "env: " + env + "\naccount: \"111122223333\"\nregion: us-east-1\nazs: [us-east-1a, us-east-1b]\ncidr: 10." + string(rune('1'+i)) + ".0.0/16\nalarms:\n  thresholds: {SqsQueueDepth: 100}\n"
	}
	for p, data := range files {
		p = filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// tree reads every file below root, by slash path.
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		got[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// envDir is the files of one env directory of a tree.
func envDir(tr map[string]string, env string) map[string]string {
	out := map[string]string{}
	for p, d := range tr {
		if rest, ok := strings.CutPrefix(p, "demo/"+env+"/"); ok {
			out[rest] = d
		}
	}
	return out
}

func sameFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestConcurrentCompiles runs pairs of compiles of two edits into one out/ at once,
// many times: every env directory must be one edit's whole, and a compile that lost
// the race must say so and exit non-zero; one that exits 0 wrote its result.
func TestConcurrentCompiles(t *testing.T) {
	a, b := project(t, "30"), project(t, "60")
	want := [2]map[string]string{}
	for i, dir := range []string{a, b} {
		out := t.TempDir()
		var so, se bytes.Buffer
		if code := run([]string{"-C", dir, "compile", "--out", out}, &so, &se); code != 0 {
			t.Fatalf("compile alone: exit %d: %s", code, se.String())
		}
		want[i] = tree(t, out)
		delete(want[i], ".riglet-lock")
	}
	if sameFiles(envDir(want[0], "dev"), envDir(want[1], "dev")) {
		t.Fatal("the two edits compile to the same output: the test would prove nothing")
	}
	lost := 0
	for try := range 40 {
		out := t.TempDir()
		var codes [2]int
		var stderr [2]bytes.Buffer
		var wg sync.WaitGroup
		for i, dir := range []string{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var so bytes.Buffer
				codes[i] = run([]string{"-C", dir, "compile", "--out", out}, &so, &stderr[i])
			}()
		}
		wg.Wait()
		got := tree(t, out)
		delete(got, ".riglet-lock")
		for _, env := range []string{"dev", "prod"} {
			g := envDir(got, env)
			if !sameFiles(g, envDir(want[0], env)) && !sameFiles(g, envDir(want[1], env)) {
				t.Fatalf("try %d: out/demo/%s is neither edit whole: %v (exits %v, %q %q)", try, env, keys(g), codes, stderr[0].String(), stderr[1].String())
			}
		}
		for i := range 2 {
			switch codes[i] {
			case 0:
			case 1:
				lost++
				if !strings.Contains(stderr[i].String(), ".riglet-lock") {
					t.Errorf("try %d: the run that lost says %q, not which lock is held", try, stderr[i].String())
				}
				// The winner's output, whole: the loser wrote nothing.
				if !sameFiles(got, want[1-i]) {
					t.Fatalf("try %d: run %d lost, yet out/ is not run %d's output: %v", try, i, 1-i, keys(got))
				}
			default:
				t.Fatalf("try %d: exit %d: %s", try, codes[i], stderr[i].String())
			}
		}
		if codes[0] != 0 && codes[1] != 0 {
			t.Fatalf("try %d: both runs failed: %q %q", try, stderr[0].String(), stderr[1].String())
		}
		if codes[0] == 0 && codes[1] == 0 && !sameFiles(got, want[0]) && !sameFiles(got, want[1]) {
			t.Fatalf("try %d: both exited 0, and out/ is neither's output: %v", try, keys(got))
		}
	}
	t.Logf("40 pairs, %d runs lost the race and said so", lost)
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

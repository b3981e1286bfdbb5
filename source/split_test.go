package source

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/riglet/riglet/ir"
)

// splitAgrees parses data whole and in parts parts, and fails t unless a split parse
// (when it happens) gives the whole parse's tree, positions included, and happens
// only where the whole parse succeeds. It reports whether the split happened.
func splitAgrees(t testing.TB, file string, data []byte, parts int) bool {
	t.Helper()
	filled, sc, fixes, err := prepare(file, data)
	if err != nil {
		return false
	}
	whole, werr := parseWhole(file, filled, &sc, fixes)
	split, ok := parseSplit(file, filled, &sc, fixes, parts)
	if !ok {
		return false
	}
	if werr != nil {
		t.Fatalf("%s: parsed in %d parts, but whole it fails: %v\n%s", file, parts, werr, data)
	}
	if d := firstDifference(whole, split, ""); d != "" {
		t.Fatalf("%s: in %d parts the tree differs: %s", file, parts, d)
	}
	return true
}

// firstDifference names the first place where trees a and b differ, or is "" (a
// full cmp.Diff of two large trees takes minutes).
func firstDifference(a, b *ir.Node, path string) string {
	switch {
	case a == nil || b == nil:
		if a != b {
			return fmt.Sprintf("%s: %v vs %v", path, a, b)
		}
		return ""
	case a.Kind != b.Kind || a.Text != b.Text || a.Pos != b.Pos || len(a.Items) != len(b.Items) || len(a.Pairs) != len(b.Pairs):
		return fmt.Sprintf("%s: whole %v %q at %s (%d items, %d pairs), parts %v %q at %s (%d items, %d pairs)",
			path, a.Kind, a.Text, a.Pos, len(a.Items), len(a.Pairs), b.Kind, b.Text, b.Pos, len(b.Items), len(b.Pairs))
	}
	for i := range a.Items {
		if d := firstDifference(a.Items[i], b.Items[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
			return d
		}
	}
	for i := range a.Pairs {
		pa, pb := a.Pairs[i], b.Pairs[i]
		if pa.Key != pb.Key || pa.KeyPos != pb.KeyPos {
			return fmt.Sprintf("%s: key %q at %s vs %q at %s", path, pa.Key, pa.KeyPos, pb.Key, pb.KeyPos)
		}
		if d := firstDifference(pa.Value, pb.Value, path+"."+pa.Key); d != "" {
			return d
		}
	}
	return ""
}

// yamlInputs are the repository's YAML files and the YAML and JSON files of its txtar
// test cases: blocks, riglets, envs, generated templates, lint's good and bad cases.
func yamlInputs(t *testing.T) map[string][]byte {
	t.Helper()
	in := map[string][]byte{}
	yamlName := func(p string) bool {
		switch filepath.Ext(p) {
		case ".yaml", ".yml", ".json", ".template":
			return true
		}
		return false
	}
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == ".bench") {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return nil
		}
		switch {
		case yamlName(p):
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			in[p] = data
		case strings.HasSuffix(p, ".txtar"):
			ar, err := txtar.ParseFile(p)
			if err != nil {
				return err
			}
			for _, f := range ar.Files {
				if yamlName(f.Name) {
					in[p+"/"+f.Name] = f.Data
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(in) < 200 {
		t.Fatalf("found %d YAML inputs under the repository; the walk is broken", len(in))
	}
	return in
}

// Every file of the repository gives the same tree in parts as whole, and the files a
// split is for (templates, specs, blocks) are in fact split: the fast path is taken.
func TestSplitParseIsTheWholeParse(t *testing.T) {
	in := yamlInputs(t)
	split := map[int]int{}
	templates, templatesSplit := 0, 0
	for name, data := range in {
		for _, parts := range []int{2, 3, 7} {
			if splitAgrees(t, name, data, parts) {
				split[parts]++
				if parts == 2 && strings.Contains(name, "/out/") {
					templatesSplit++
				}
			}
		}
		if strings.HasPrefix(name, "../out/") && strings.HasSuffix(name, ".yaml") && strings.Count(string(data), "\n    Type: ") >= 2 {
			templates++
		}
	}
	t.Logf("%d inputs; split in 2 parts: %d, 3: %d, 7: %d; templates of out/ with two resources or more: %d, split: %d",
		len(in), split[2], split[3], split[7], templates, templatesSplit)
	if templates == 0 || templatesSplit < templates {
		t.Errorf("of %d templates in out/ with two resources or more, %d were split: every one should be", templates, templatesSplit)
	}
}

// mutate changes a few lines of a document the ways an editor does (a line dropped,
// doubled, moved, indented, an anchor, an alias, a document marker, a tab, a quote
// left open), so that the parts meet every shape of error and of near-miss.
func mutate(r *rand.Rand, data []byte) []byte {
	lines := strings.Split(string(data), "\n")
	for range 1 + r.IntN(3) {
		if len(lines) < 2 {
			break
		}
		i := r.IntN(len(lines))
		switch r.IntN(12) {
		case 0:
			lines = append(lines[:i], lines[i+1:]...)
		case 1:
			lines = append(lines[:i+1], lines[i:]...)
		case 2:
			j := r.IntN(len(lines))
			lines[i], lines[j] = lines[j], lines[i]
		case 3:
			lines[i] = "  " + lines[i]
		case 4:
			lines[i] = strings.TrimPrefix(lines[i], "  ")
		case 5:
			lines[i] += " &a"
		case 6:
			lines[i] += " *a"
		case 7:
			lines[i] = "---"
		case 8:
			lines[i] = "\t" + lines[i]
		case 9:
			lines[i] += ` "`
		case 10:
			lines[i] = strings.TrimLeft(lines[i], " ")
		case 11:
			lines[i] += ": x"
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

// Broken and near-miss variants of the repository's files: wherever a split parse
// succeeds it is the whole parse's tree, and it never succeeds where the whole fails.
func TestSplitParseOfMutatedFilesIsTheWholeParse(t *testing.T) {
	in := yamlInputs(t)
	var names []string // the files that split as they are: their near-misses matter
	for name, data := range in {
		if splitAgrees(t, name, data, 2) {
			names = append(names, name)
		}
	}
	if len(names) < 100 {
		t.Fatalf("only %d inputs split", len(names))
	}
	// sorted for a reproducible run from the seed
	slices.Sort(names)
	r := rand.New(rand.NewPCG(18, 2026))
	n, split := 4000, 0
	if testing.Short() {
		n = 800
	}
	for range n {
		name := names[r.IntN(len(names))]
		data := mutate(r, in[name])
		if splitAgrees(t, fmt.Sprintf("%s (mutated)", name), data, 2+r.IntN(4)) {
			split++
		}
	}
	t.Logf("%d mutated files, %d split", n, split)
	if split < n/10 {
		t.Errorf("only %d of %d mutated files were split: the property barely ran", split, n)
	}
}

// A split is refused, not guessed, where parts would be tied together or cut in the
// wrong place; each of these parses whole (and the whole parse is what it always was).
func TestSplitParseRefusesTiedOrOddShapes(t *testing.T) {
	entries := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "  R%d:\n    Type: AWS::SNS::Topic\n", i)
		}
		return b.String()
	}
	for _, tc := range []struct{ name, doc string }{
		{"anchor and alias", "Resources:\n" + entries(3) + "  X: &a {Type: T}\n  Y: *a\n"},
		{"document marker", "---\nResources:\n" + entries(4)},
		{"a second document", "Resources:\n" + entries(4) + "---\nResources:\n" + entries(2)},
		{"list at the top", "- a\n- b\n"},
		{"entries are a list", "Resources:\n  - a: 1\n  - b: 2\n  - c: 3\n"},
		{"quoted top-level key", "\"Resources\":\n" + entries(4)},
		{"value on the key's line", "Resources: {}\n" + "Outputs: {}\n"},
		{"outdented line among entries", "Resources:\n    A: 1\n  B: 2\n    C: 3\n"},
		{"duplicate across parts", "Resources:\n" + entries(3) + "  R0:\n    Type: X\n"},
		{"one entry", "Resources:\n  A:\n    Type: X\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if splitAgrees(t, "f.yaml", []byte(tc.doc), 2) {
				t.Errorf("split:\n%s", tc.doc)
			}
		})
	}
	// a kept block scalar ends a part as it ends an entry of the whole file: the part's
	// end adds no line to it
	for _, doc := range []string{"Resources:\n  A: |+\n    text\n\n  B: 1\n  C: 2\n", "Resources:\n  A: >+\n    t\n\n\n  B: 1\nOutputs: 1\n"} {
		if !splitAgrees(t, "f.yaml", []byte(doc), 2) {
			t.Errorf("did not split:\n%s", doc)
		}
	}
	// and the shape it is for does split, with the problems of the whole file unchanged
	doc := "AWSTemplateFormatVersion: \"2010-09-09\"\n# c\nResources:\n" + entries(40) + "# end\nOutputs:\n  O:\n    Value: !Ref R1\n"
	if !splitAgrees(t, "f.yaml", []byte(doc), 3) {
		t.Errorf("a plain template did not split:\n%s", doc)
	}
}

// FuzzSplitParse: for any input, a split parse is the whole parse.
func FuzzSplitParse(f *testing.F) {
	f.Add([]byte("A: 1\nResources:\n  R1:\n    Type: X\n    Properties: {A: !Ref B}\n  R2:\n    Type: Y\n  R3: !GetAZs\nOutputs:\n  O: 1\n"), uint8(2))
	f.Add([]byte("stacks:\n  a:\n    blocks: {x: {block: y}}\n  b:\n    blocks:\n      z: {block: w, params: {P: \"q:r\"}}\n"), uint8(3))
	f.Add([]byte("Resources:\n  R1: |\n    text\n  R2: >\n   folded\n  R3: 'it''s'\n  R4: \"a\n    b\"\n"), uint8(2))
	// kept and stripped block scalars at the end of a part, where a part's sentinel
	// could add or take a line
	f.Add([]byte("Resources:\n  R1: |+\n    text\n\n  R2: >+\n    folded\n\n\n  R3: |-\n    x\n  R4: |+\n    last\n\n"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, parts uint8) {
		splitAgrees(t, "f.yaml", data, 2+int(parts%6))
	})
}

package outdir

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			data, _ := os.ReadFile(p)
			out[filepath.ToSlash(rel)] = string(data)
		}
		return nil
	})
	return out
}

func write(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, data := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReplaceSwapsWholeDirectory(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "twig", "staging")
	write(t, dir, map[string]string{"a.yaml": "old a", "gone.yaml": "removed stack"})
	if err := Replace(dir, []File{{"a.yaml", []byte("new a")}, {"b.yaml", []byte("new b")}}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"twig/staging/a.yaml": "new a", "twig/staging/b.yaml": "new b"}
	if got := tree(t, root); !reflect.DeepEqual(got, want) {
		t.Fatalf("after Replace: %v, want %v", got, want)
	}
}

// Each case is the state a run can be interrupted in; Recover must leave either the
// whole old directory or the whole new one, never a mix.
func TestRecoverInterruptedSwaps(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup map[string]string // relative to root
		want  map[string]string
	}{
		{"new half written, old in place: roll back",
			map[string]string{"env/a.yaml": "old", "env.riglet-new/a.yaml": "new"},
			map[string]string{"env/a.yaml": "old"}},
		{"new complete, old still in place: roll back",
			map[string]string{"env/a.yaml": "old", "env.riglet-new/a.yaml": "new", "env.riglet-new/.riglet-complete": ""},
			map[string]string{"env/a.yaml": "old"}},
		{"old moved aside, new complete: finish",
			map[string]string{"env.riglet-old/a.yaml": "old", "env.riglet-new/a.yaml": "new", "env.riglet-new/.riglet-complete": ""},
			map[string]string{"env/a.yaml": "new"}},
		{"old moved aside, new incomplete: restore old",
			map[string]string{"env.riglet-old/a.yaml": "old", "env.riglet-new/a.yaml": "ne"},
			map[string]string{"env/a.yaml": "old"}},
		{"new in place, old not yet removed: remove old",
			map[string]string{"env/a.yaml": "new", "env/.riglet-complete": "", "env.riglet-old/a.yaml": "old"},
			map[string]string{"env/a.yaml": "new"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			write(t, root, tc.setup)
			if _, err := Recover(root); err != nil {
				t.Fatal(err)
			}
			got := tree(t, root)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("after Recover: %v, want %v", keys(got), keys(tc.want))
			}
		})
	}
}

func keys(m map[string]string) []string {
	var ks []string
	for k, v := range m {
		ks = append(ks, k+"="+v)
	}
	sort.Strings(ks)
	return ks
}

func TestStale(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{"a.yaml": "a", "b.yaml": "old b", "extra.yaml": "x"})
	got, err := Stale(root, []File{{"a.yaml", []byte("a")}, {"b.yaml", []byte("b")}, {"c.yaml", []byte("c")}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join(root, "b.yaml") + " (differs)",
		filepath.Join(root, "c.yaml") + " (missing)",
		filepath.Join(root, "extra.yaml") + " (should not exist)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Stale = %v, want %v", got, want)
	}
}

package diff

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/model"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/*.txtar")

// TestGolden diffs each testdata/*.txtar: old/<env>/<stack>.yaml against
// new/<env>/<stack>.yaml (an env's stacks in the order of its order file, else by
// name), old.lock against new.lock when given, and compares the text report with its
// want section. Each case is one class of change; the positions in want are what it
// must name.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) == 0 {
		t.Fatal("no testdata/*.txtar")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar := parseArchive(t, file)
			old, new := sideOf(t, ar, "old"), sideOf(t, ar, "new")
			r := &Report{Version: Version, Riglets: []*Riglet{Compare(old, new)}}
			var got bytes.Buffer
			if err := Write(&got, "text", r); err != nil {
				t.Fatal(err)
			}
			want := section(ar, "want")
			if *update {
				setSection(ar, "want", got.Bytes())
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if d := cmp.Diff(string(want), got.String()); d != "" {
				t.Errorf("report (-want +got):\n%s", d)
			}
			// The JSON and markdown forms hold the same changes.
			var js, md bytes.Buffer
			if err := Write(&js, "json", r); err != nil {
				t.Fatal(err)
			}
			if err := Write(&md, "markdown", r); err != nil {
				t.Fatal(err)
			}
			for _, e := range r.Riglets[0].Envs {
				for _, c := range e.Changes {
					if !strings.Contains(md.String(), cell(c.Message)) {
						t.Errorf("markdown lacks %q", c.Message)
					}
				}
			}
		})
	}
}

func section(ar *txtar.Archive, name string) []byte {
	for _, f := range ar.Files {
		if f.Name == name {
			return f.Data
		}
	}
	return nil
}

func setSection(ar *txtar.Archive, name string, data []byte) {
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			ar.Files[i].Data = data
			return
		}
	}
	ar.Files = append(ar.Files, txtar.File{Name: name, Data: data})
}

// sideOf makes one side from the archive's files under prefix/.
func sideOf(t *testing.T, ar *txtar.Archive, prefix string) *Side {
	s := &Side{Riglet: "test"}
	envs := map[string]*Env{}
	for _, f := range ar.Files {
		rest, ok := strings.CutPrefix(f.Name, prefix+"/")
		if !ok {
			continue
		}
		env, name, _ := strings.Cut(rest, "/")
		if envs[env] == nil {
			envs[env] = &Env{Name: env}
			s.Envs = append(s.Envs, envs[env])
		}
		if name == "order" {
			continue
		}
		st := &Stack{Name: strings.TrimSuffix(name, ".yaml"), File: f.Name, Data: f.Data}
		if n := st.tree(); n == nil {
			t.Fatalf("%s: %v", f.Name, st.Err())
		}
		st.Needs = needsOf(st)
		envs[env].Stacks = append(envs[env].Stacks, st)
	}
	for _, e := range s.Envs {
		order := strings.Fields(string(section(ar, prefix+"/"+e.Name+"/order")))
		rank := func(n string) int {
			for i, o := range order {
				if o == n {
					return i
				}
			}
			return len(order)
		}
		sort.SliceStable(e.Stacks, func(i, j int) bool { return rank(e.Stacks[i].Name) < rank(e.Stacks[j].Name) })
	}
	if b := section(ar, prefix+".lock"); b != nil {
		var errs ir.Errors
		s.Lock = model.ParseLock(prefix+".lock", b, &errs)
		s.LockFile = prefix + ".lock"
		s.LockData = b
		if len(errs) > 0 {
			t.Fatal(errs)
		}
	}
	return s
}

// needsOf reads a stack's needs from a "# needs: a b" comment line.
func needsOf(st *Stack) []string {
	for _, l := range strings.Split(string(st.Data), "\n") {
		if n, ok := strings.CutPrefix(l, "# needs:"); ok {
			return strings.Fields(n)
		}
	}
	return nil
}

func parseArchive(t *testing.T, file string) *txtar.Archive {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return ar
}

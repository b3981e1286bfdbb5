//go:build oracle

package schema

// The tests that read the schemas data.bin is made from: cfn-lint's, which only an
// installed cfn-lint has (an oracle of make check), and rain's module's.

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/riglet/riglet/schema/internal/build"
)

// sources fails the test, saying what to install, when cfn-lint is missing.
func sources(t *testing.T) fs.FS {
	t.Helper()
	src, err := build.Sources()
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestDataIsCurrent(t *testing.T) {
	b, err := build.Build(sources(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, []byte(data)) {
		t.Fatalf("data.bin (%d bytes) differs from what cfn-lint's and rain's registry schemas give (%d bytes): run go generate ./schema", len(data), len(b))
	}
}

func TestAgainstRegistryJSON(t *testing.T) {
	src := sources(t)
	var files []string
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		b, err := fs.ReadFile(src, f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			TypeName   string                     `json:"typeName"`
			Properties map[string]json.RawMessage `json:"properties"`
			Required   []string                   `json:"required"`
			CreateOnly []string                   `json:"createOnlyProperties"`
			WriteOnly  []string                   `json:"writeOnlyProperties"`
			ReadOnly   []string                   `json:"readOnlyProperties"`
			Deprecated []string                   `json:"deprecatedProperties"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		names = append(names, doc.TypeName)
		r := Lookup(doc.TypeName)
		if r == nil {
			t.Errorf("%s: Lookup(%q) = nil", f, doc.TypeName)
			continue
		}
		var props []string
		for n := range doc.Properties {
			props = append(props, n)
		}
		sort.Strings(props)
		var got []string
		for n := range r.Props {
			got = append(got, n)
		}
		sort.Strings(got)
		if diff := cmp.Diff(props, got); diff != "" {
			t.Errorf("%s properties (-want +got):\n%s", r.Type, diff)
		}
		for _, n := range doc.Required {
			if !slices.Contains(r.Required, n) {
				t.Errorf("%s: required %s missing from %q", r.Type, n, r.Required)
			}
		}
		for _, c := range []struct {
			what      string
			want, got []string
		}{
			{"createOnly", doc.CreateOnly, r.CreateOnly},
			{"writeOnly", doc.WriteOnly, r.WriteOnly},
			{"readOnly", doc.ReadOnly, r.ReadOnly},
			{"deprecated", doc.Deprecated, r.Deprecated},
		} {
			var want []string
			intoDefinitions := false
			for _, p := range c.want {
				rest, ok := strings.CutPrefix(p, "/properties/")
				if !ok {
					intoDefinitions = true // see TestSpotChecks
					continue
				}
				want = append(want, strings.ReplaceAll(rest, "/", "."))
			}
			sort.Strings(want)
			want = slices.Compact(want)
			if intoDefinitions {
				wantAll(t, r.Type+" "+c.what, c.got, want)
			} else if diff := cmp.Diff(want, c.got); diff != "" {
				t.Errorf("%s %s (-want +got):\n%s", r.Type, c.what, diff)
			}
		}
		for _, p := range r.ReadOnly {
			if !strings.Contains(p, "*") && !slices.Contains(r.Attributes, p) {
				t.Errorf("%s: read-only %s is not an attribute", r.Type, p)
			}
		}
	}
	sort.Strings(names)
	if diff := cmp.Diff(names, Types()); diff != "" {
		t.Errorf("Types() (-want +got):\n%s", diff)
	}
	if len(names) < 1000 {
		t.Errorf("only %d registry schemas found", len(names))
	}
}

// Package build turns AWS's CloudFormation registry schemas, as cfn-lint corrects
// them (with rain's module's copy for the types cfn-lint lacks: see Sources), into
// the compact blob that package schema embeds (layout in package format). It is used
// by the generator and by the test that checks the checked-in blob is current.
package build

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os/exec"
	"slices"
	"sort"
	"strings"

	"github.com/riglet/riglet/schema/internal/format"
)

// RainModule is the module whose copy of the registry schemas is the source.
const RainModule = "github.com/aws-cloudformation/rain"

// SchemaDir is where the schemas sit inside rain's module.
const SchemaDir = "internal/aws/cfn/schemas"

// RainDir returns the directory of rain's module in the module cache, as selected
// by the go.mod of the working directory.
func RainDir() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", RainModule).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return "", fmt.Errorf("go list -m %s: %v: %s", RainModule, err, bytes.TrimSpace(ee.Stderr))
		}
		return "", fmt.Errorf("go list -m %s: %v", RainModule, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("module %s is not in the module cache: run go mod download", RainModule)
	}
	return dir, nil
}

// jsonFiles lists the *.json files under fsys, sorted.
func jsonFiles(fsys fs.FS) ([]string, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return err
	})
	sort.Strings(files)
	return files, err
}

// typeName reads a registry schema's typeName.
func typeName(b []byte) (string, error) {
	var doc struct {
		TypeName string `json:"typeName"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return "", err
	}
	if doc.TypeName == "" {
		return "", fmt.Errorf("no typeName")
	}
	return doc.TypeName, nil
}

// resource is one resource type, resolved.
type resource struct {
	typeName string
	root     *shape
	lists    [5][]string // in the order of format.RecordLists
}

// Build reads every *.json registry schema under fsys and returns the blob.
func Build(fsys fs.FS) ([]byte, error) {
	files, err := jsonFiles(fsys)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no registry schemas found")
	}
	var rs []*resource
	seen := map[string]string{}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		r, err := resolve(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if prev, ok := seen[r.typeName]; ok {
			return nil, fmt.Errorf("%s: type %s already defined by %s", f, r.typeName, prev)
		}
		seen[r.typeName] = f
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].typeName < rs[j].typeName })
	return encode(rs)
}

// resolve reads one registry schema.
func resolve(b []byte) (*resource, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	name, _ := doc["typeName"].(string)
	if name == "" {
		return nil, fmt.Errorf("no typeName")
	}
	r := &resolver{doc: doc, refs: map[string]*shape{}}
	// The root is read like any object schema, so that top-level oneOf/anyOf (which
	// some types use for "A or B is required") merge the same lenient way.
	root := map[string]any{"type": "object"}
	for k, v := range doc {
		switch k {
		case "properties", "required", "oneOf", "anyOf", "allOf", "requiredOr", "requiredXor":
			root[k] = v
		}
	}
	f, err := r.flatten(root, 0)
	if err != nil {
		return nil, err
	}
	sh, err := r.build(f)
	if err != nil {
		return nil, err
	}
	if sh.kind != format.KindObject { // a type without properties
		sh = &shape{kind: format.KindObject, props: map[string]*shape{}}
	}
	res := &resource{typeName: name, root: sh}
	readOnly := r.paths(doc["readOnlyProperties"])
	res.lists[1] = readOnly
	res.lists[2] = r.paths(doc["createOnlyProperties"])
	res.lists[3] = r.paths(doc["writeOnlyProperties"])
	res.lists[4] = r.paths(doc["deprecatedProperties"])

	var attrs []string
	for _, p := range readOnly {
		// Fn::GetAtt cannot index into a list.
		if !strings.Contains(p, "*") {
			attrs = append(attrs, p)
		}
	}
	attrs = append(attrs, extraAttributes[name]...)
	if allPropertyTypes[name] {
		// Some legacy types list a dotted GetAtt name ("PrimaryEndPoint.Address")
		// as read-only and also define it flattened as a property
		// ("PrimaryEndPointAddress"), which GetAtt does not accept.
		flattened := map[string]bool{}
		for _, p := range readOnly {
			if strings.Contains(p, ".") {
				flattened[strings.ReplaceAll(p, ".", "")] = true
			}
		}
		props, _ := doc["properties"].(map[string]any)
		for _, n := range sortedKeys(props) {
			if m, ok := props[n].(map[string]any); ok && !flattened[n] {
				r.scalarLeaves(m, n, &attrs, 0)
			}
		}
	}
	res.lists[0] = sortUnique(attrs)
	return res, nil
}

// scalarLeaves follows cfn-lint's walk for allPropertyTypes: objects are entered,
// lists count unless their items are written as objects or lists.
func (r *resolver) scalarLeaves(s map[string]any, name string, out *[]string, depth int) {
	if depth > 16 {
		return
	}
	types := typeList(s["type"])
	switch {
	case slices.Contains(types, "object"):
		props, _ := s["properties"].(map[string]any)
		for _, n := range sortedKeys(props) {
			if m, ok := props[n].(map[string]any); ok {
				r.scalarLeaves(m, name+"."+n, out, depth+1)
			}
		}
	case slices.Contains(types, "array"):
		if it, ok := s["items"].(map[string]any); ok {
			if t, _ := it["type"].(string); t == "object" || t == "array" {
				return
			}
		}
		*out = append(*out, name)
	case s["$ref"] != nil:
		ref, _ := s["$ref"].(string)
		if t, err := r.deref(ref); err == nil {
			r.scalarLeaves(t, name, out, depth+1)
		}
	default:
		*out = append(*out, name)
	}
}

// paths converts JSON pointers ("/properties/Endpoint/Address") into the dotted
// names templates use ("Endpoint.Address"); list items stay as "*". A pointer into
// a definition ("/definitions/Config/properties/Type") names the property at every
// place that definition is used.
func (r *resolver) paths(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		s, _ := x.(string)
		if rest, ok := strings.CutPrefix(s, "/properties/"); ok && rest != "" {
			out = append(out, strings.ReplaceAll(rest, "/", "."))
			continue
		}
		rest, ok := strings.CutPrefix(s, "/definitions/")
		if !ok {
			continue
		}
		def, rest, _ := strings.Cut(rest, "/")
		rest, ok = strings.CutPrefix(rest, "properties/")
		if !ok {
			continue
		}
		props, _ := r.doc["properties"].(map[string]any)
		for _, n := range sortedKeys(props) {
			for _, at := range r.uses(props[n], "#/definitions/"+def, n, map[string]bool{}) {
				out = append(out, at+"."+strings.ReplaceAll(rest, "/", "."))
			}
		}
	}
	return sortUnique(out)
}

// uses returns the property paths under v (itself at path) whose schema is ref.
func (r *resolver) uses(v any, ref, path string, seen map[string]bool) []string {
	s, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	var out []string
	if to, ok := s["$ref"].(string); ok {
		if to == ref {
			return []string{path}
		}
		if seen[to] {
			return nil
		}
		seen[to] = true
		defer delete(seen, to)
		if t, err := r.deref(to); err == nil {
			out = append(out, r.uses(t, ref, path, seen)...)
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for _, n := range sortedKeys(props) {
			out = append(out, r.uses(props[n], ref, path+"."+n, seen)...)
		}
	}
	if it, ok := s["items"]; ok {
		out = append(out, r.uses(it, ref, path+".*", seen)...)
	}
	return out
}

func sortUnique(s []string) []string {
	sort.Strings(s)
	return slices.Compact(s)
}

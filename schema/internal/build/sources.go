package build

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing/fstest"
)

// CfnLintVersion is the cfn-lint release whose corrected schemas the data is made
// from; .ci/run installs the same one. Another version would make another blob, so
// the generator refuses it rather than drift.
const CfnLintVersion = "1.51.0"

// CfnLintRegion is the region whose provider schemas are read: us-east-1 has the most
// resource types, and it is the region cfn-lint checks by default.
const CfnLintRegion = "us_east_1"

// CfnLintDir returns the data/schemas directory of the installed cfn-lint (a Python
// package), found through python3, and checks its version.
func CfnLintDir() (string, error) {
	out, err := exec.Command("python3", "-c",
		"import os, cfnlint, cfnlint.version; print(cfnlint.version.__version__); print(os.path.dirname(cfnlint.__file__))").Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg += ": " + string(bytes.TrimSpace(ee.Stderr))
		}
		return "", fmt.Errorf("cfn-lint is needed to make the schema data (python3 -m pip install cfn-lint==%s): %s", CfnLintVersion, msg)
	}
	version, dir, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if version != CfnLintVersion {
		return "", fmt.Errorf("cfn-lint %s is installed; the schema data is made from cfn-lint %s's schemas (python3 -m pip install cfn-lint==%s, or change build.CfnLintVersion and regenerate)", version, CfnLintVersion, CfnLintVersion)
	}
	return filepath.Join(strings.TrimSpace(dir), "data", "schemas"), nil
}

var providerLine = regexp.MustCompile(`^\s*"([A-Za-z0-9:]+)": "([0-9a-f]+)",?\s*$`)

// cfnLintSchemas reads cfn-lint's provider schemas of CfnLintRegion: providers/<region>.py
// maps each type to a file of resources/, which holds AWS's registry schema with
// cfn-lint's patches applied (patches/providers: what a template gives where the
// resource provider's view differs, such as AWS::CloudFormation::Stack, whose StackName
// a template never sets; patches/extensions: enums from AWS's service models, and the
// requiredXor, requiredOr and enumCaseInsensitive keywords). Keyed by type name.
func cfnLintSchemas(dir string) (map[string][]byte, error) {
	idx, err := os.ReadFile(filepath.Join(dir, "providers", CfnLintRegion+".py"))
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, l := range strings.Split(string(idx), "\n") {
		m := providerLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, "resources", m[2]+".json"))
		if err != nil {
			return nil, err
		}
		out[m[1]] = b
	}
	if len(out) < 1000 {
		return nil, fmt.Errorf("%s: only %d resource types found", filepath.Join(dir, "providers", CfnLintRegion+".py"), len(out))
	}
	return out, nil
}

// Sources returns the schemas the blob is made from, one file per type: cfn-lint's
// corrected view of each type it has (see cfnLintSchemas), and rain's copy of AWS's
// registry schemas for the types cfn-lint's region lacks, so that no type riglet knew
// becomes unknown. Files are named "cfn-lint/<Type>.json" or "rain/<path>".
func Sources() (fs.FS, error) {
	rain, err := RainDir()
	if err != nil {
		return nil, err
	}
	cl, err := CfnLintDir()
	if err != nil {
		return nil, err
	}
	patched, err := cfnLintSchemas(cl)
	if err != nil {
		return nil, err
	}
	out := fstest.MapFS{}
	for name, b := range patched {
		out[path.Join("cfn-lint", strings.ReplaceAll(name, "::", "-")+".json")] = &fstest.MapFile{Data: b}
	}
	rfs := os.DirFS(filepath.Join(rain, SchemaDir))
	files, err := jsonFiles(rfs)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := fs.ReadFile(rfs, f)
		if err != nil {
			return nil, err
		}
		name, err := typeName(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if patched[name] == nil {
			out[path.Join("rain", f)] = &fstest.MapFile{Data: b}
		}
	}
	return out, nil
}

// FromSources builds the blob from Sources.
func FromSources() ([]byte, error) {
	src, err := Sources()
	if err != nil {
		return nil, err
	}
	return Build(src)
}

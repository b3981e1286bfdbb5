package model

import (
	"errors"
	"io/fs"

	"github.com/riglet/riglet/ir"
	"github.com/riglet/riglet/source"
)

// ConfigFile is the repository's lint configuration, beside riglets/ (like .cfnlintrc).
const ConfigFile = ".riglet.yaml"

// ConfigLintKeys is the lint section of .riglet.yaml.
var ConfigLintKeys = &Table{Name: "lint", Keys: []Key{
	{Name: "ignore", Shape: mapOf(named(KString, "reason")), Doc: "Rules never to report in this repository, each with the reason (one without is a LINT001 finding). `--ignore` adds to them.", Example: `ignore: {OBS001: "CloudFront's metrics live in us-east-1, alarmed there"}`},
	{Name: "severity", Shape: mapOf(enum("error", "warning", "info")), Doc: "Severity overrides by rule: `error` makes `riglet lint` exit 1 on its findings. `--severity ID=level` wins over them.", Example: "severity: {OBS001: error, REL001: info}"},
}}

// ConfigKeys is .riglet.yaml.
var ConfigKeys = &Table{Name: "riglet configuration", Keys: []Key{
	{Name: "lint", Shape: obj(ConfigLintKeys), Doc: "How `riglet lint` reports: rules ignored, severities changed. The command line wins.", Example: "lint: {ignore: {OBS001: alarmed elsewhere}}"},
}}

// Config is .riglet.yaml.
type Config struct {
	Ignore   []ConfigEntry // rule -> reason
	Severity []ConfigEntry // rule -> error | warning | info
}

// ConfigEntry is one rule of a config section and what it says, where.
type ConfigEntry struct {
	Rule, Value string
	Pos         ir.Pos // the rule's key
}

// LoadConfig reads .riglet.yaml; nil when the repository has none.
func LoadConfig(fsys fs.FS, errs *ir.Errors) *Config {
	data, err := fs.ReadFile(fsys, ConfigFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		errs.AddCode(ir.CodeUnreadable, ir.Pos{File: ir.FileOf(ConfigFile)}, "cannot read %s: %v", ConfigFile, unwrapPathError(err))
		return nil
	}
	root, err := source.Parse(ConfigFile, data)
	if err != nil {
		errs.Merge(err)
		return nil
	}
	c := &Config{}
	if root.Kind == ir.Null {
		return c
	}
	o := newObject(root, ConfigKeys, "riglet configuration", errs)
	lo := newObject(o.mapping("lint"), ConfigLintKeys, "lint", errs)
	for _, p := range pairsOf(lo.mapping("ignore")) {
		reason := ""
		if p.Value.IsScalar() {
			reason = p.Value.Text
		} else {
			errs.AddCode(ir.CodeInvalidValue, p.Value.Pos, "the reason to ignore %s is a string", p.Key)
		}
		c.Ignore = append(c.Ignore, ConfigEntry{Rule: p.Key, Value: reason, Pos: p.KeyPos})
	}
	for _, p := range pairsOf(lo.mapping("severity")) {
		if v := p.Value.Text; !p.Value.IsScalar() || v != "error" && v != "warning" && v != "info" {
			errs.AddCode(ir.CodeInvalidValue, p.Value.Pos, "severity of %s is one of error, warning, info, not %s", p.Key, ir.Quote(p.Value.Text))
			continue
		}
		c.Severity = append(c.Severity, ConfigEntry{Rule: p.Key, Value: p.Value.Text, Pos: p.KeyPos})
	}
	lo.done()
	o.done()
	return c
}

// pairsOf is a map's pairs, none for an absent one.
func pairsOf(n *ir.Node) []ir.Pair {
	if n == nil {
		return nil
	}
	return n.Pairs
}

package fileschema

import (
	"github.com/riglet/riglet/model"
)

// All renders the three schemas, keyed by file name. lib is the library in effect:
// the built-in blocks, and the repository's own when riglet runs in one.
func All(lib *model.Library) (map[string][]byte, error) {
	env, err := Env()
	if err != nil {
		return nil, err
	}
	spec, err := Spec(lib)
	if err != nil {
		return nil, err
	}
	block, err := Block(lib)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{EnvFile: env, SpecFile: spec, BlockFile: block}, nil
}

func (g *gen) def(name string) *obj { return g.defs.vals[name].(*obj) }

func props(d *obj) *obj { return d.vals["properties"].(*obj) }

// withItem is one entry of `with:`: a modification's name, or {name: {params}}.
func withItem(mods []string) *obj {
	byName := newObj()
	for _, m := range mods {
		byName.set(m, newObj("anyOf", []any{ref("params-" + m), newObj("type", "null")}))
	}
	return newObj("anyOf", []any{
		newObj("type", "string", "enum", mods),
		newObj("type", "object", "minProperties", 1, "maxProperties", 1, "properties", byName, "additionalProperties", false),
	})
}

// Spec is the schema of a riglet spec, with the library's blocks and their parameters.
func Spec(lib *model.Library) ([]byte, error) {
	g := newGen()
	g.table(model.SpecKeys)
	blocks, mods, err := g.blockParams(lib)
	if err != nil {
		return nil, err
	}
	inst := g.def(defName(model.InstanceKeys))
	p := props(inst)
	p.vals["block"].(*obj).set("enum", blocks)
	p.vals["with"].(*obj).set("items", withItem(mods))
	// Per block: its parameters under params: and each env of envs:. if/then rather
	// than oneOf, so that an editor that knows the block completes and checks its
	// parameters and reports a wrong one as that, not as "matches no alternative".
	var cases []any
	for _, b := range blocks {
		cases = append(cases, newObj(
			"if", newObj("properties", newObj("block", newObj("const", b)), "required", []string{"block"}),
			"then", newObj("properties", newObj(
				"params", ref("params-"+b),
				"envs", newObj("type", "object", "additionalProperties", ref("params-"+b)),
			)),
		))
	}
	inst.set("allOf", cases)
	return g.schema(idBase+SpecFile, "riglet spec (riglets/<riglet>.yaml)", model.SpecKeys)
}

// Block is the schema of a block file: CloudFormation's template shape, riglet's
// Metadata.Riglet, and nested blocks' parameters under their Properties.
func Block(lib *model.Library) ([]byte, error) {
	g := newGen()
	g.table(model.BlockKeys)
	blocks, _, err := g.blockParams(lib)
	if err != nil {
		return nil, err
	}
	var cases []any
	for _, b := range blocks {
		cases = append(cases, newObj(
			"if", newObj("properties", newObj("Type", newObj("const", "Block::"+b)), "required", []string{"Type"}),
			"then", newObj("properties", newObj("Properties", ref("params-"+b))),
		))
	}
	str := func() *obj { return newObj("type", "string") }
	resource := newObj("type", "object", "required", []string{"Type"}, "properties", newObj(
		"Type", newObj("type", "string", "pattern", `^((AWS|Alexa|Custom)::[A-Za-z0-9]+(::[A-Za-z0-9]+)*|Custom::[A-Za-z0-9_@-]+|Block::[a-z][a-z0-9-]*)$`,
			"description", "A CloudFormation resource type, or Block::<name> for an instance of another block."),
		"Properties", newObj("type", "object"),
		"DependsOn", newObj("anyOf", []any{str(), newObj("type", "array", "items", str())}),
		"Condition", str(),
		"Metadata", newObj("type", "object"),
		"DeletionPolicy", newObj("enum", []string{"Delete", "Retain", "RetainExceptOnUpdate", "Snapshot"}),
		"UpdateReplacePolicy", newObj("enum", []string{"Delete", "Retain", "Snapshot"}),
		"CreationPolicy", newObj("type", "object"),
		"UpdatePolicy", newObj("type", "object"),
	), "additionalProperties", false, "allOf", cases)
	g.defs.set("resource", resource)
	output := newObj("type", "object", "required", []string{"Value"}, "properties", newObj(
		"Value", newObj(),
		"Description", str(),
		"Export", newObj("type", "object", "properties", newObj("Name", newObj()), "required", []string{"Name"}, "additionalProperties", false),
		"Condition", str(),
	), "additionalProperties", false)
	g.defs.set("output", output)
	top := g.def(defName(model.BlockKeys))
	bp := props(top)
	// Fn::ForEach (AWS::LanguageExtensions) stands where resources and outputs do.
	forEach := newObj("^Fn::ForEach::", newObj("type", "array"))
	bp.vals["Resources"].(*obj).set("patternProperties", forEach).set("additionalProperties", ref("resource"))
	bp.vals["Outputs"].(*obj).set("patternProperties", forEach).set("additionalProperties", ref("output"))
	// Resources is required but in a modification (Metadata.Riglet.Kind).
	isMod := newObj("properties", newObj("Metadata", newObj("properties", newObj("Riglet", newObj(
		"properties", newObj("Kind", newObj("const", "modification")), "required", []string{"Kind"})), "required", []string{"Riglet"})),
		"required", []string{"Metadata"})
	top.set("if", isMod).set("else", newObj("required", []string{"Resources"}))
	return g.schema(idBase+BlockFile, "riglet block (blocks/<name>/block.yaml)", model.BlockKeys)
}

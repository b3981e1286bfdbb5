// validate.cjs SCHEMA FILE.json...: validates each JSON file against the JSON Schema
// with ajv (draft-07, strict off: the schemas use only standard keywords, and strict
// mode also refuses harmless ones such as "description" beside "$ref"), printing one
// JSON line per file: {"file", "valid", "errors"}. The ajv package is found through
// the AJV_DIR environment variable (oracles/npm/ajv/node_modules/ajv).
const fs = require("fs");
const Ajv = require(process.env.AJV_DIR);
const ajv = new Ajv({ allErrors: true, strict: false });
const [schemaFile, ...files] = process.argv.slice(2);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, "utf8")));
for (const f of files) {
  const valid = validate(JSON.parse(fs.readFileSync(f, "utf8")));
  const errors = (validate.errors || []).map((e) => `${e.instancePath || "/"} ${e.message}`);
  console.log(JSON.stringify({ file: f, valid, errors }));
}

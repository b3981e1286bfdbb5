// Replacement verdicts of @aws-cdk/cloudformation-diff (AWS's service spec) for the
// template pairs on stdin, one JSON object a line: {"name", "old", "new"}. Prints one
// line per pair: {"name", "impacts": {logicalId: ResourceImpact}} for the resources
// that change. Run by diff/oracle_test.go with NODE_PATH at oracles/npm/cfn-diff.
//
// Each resource is judged with diffResource, the per-resource step of fullDiff: the
// whole-template analysis around it (IAM and security group tables) throws on a policy
// resource without its document, which is a pair the corpus makes on purpose.
const { diffResource } = require('@aws-cdk/cloudformation-diff/lib/diff');
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(Boolean);
for (const line of lines) {
  const c = JSON.parse(line);
  const impacts = {};
  const ids = new Set([...Object.keys(c.old.Resources || {}), ...Object.keys(c.new.Resources || {})]);
  for (const id of ids) {
    const change = diffResource((c.old.Resources || {})[id], (c.new.Resources || {})[id], id);
    if (change.changeImpact !== 'NO_CHANGE') impacts[id] = change.changeImpact;
  }
  process.stdout.write(JSON.stringify({ name: c.name, impacts }) + '\n');
}

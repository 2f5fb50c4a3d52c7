// merge_spec.mjs SPEC FRAGMENT — the recipe's step 5 for scripts/recipe_dry_run.sh: adds the
// fragment's paths (under paths:) and schemas (under components.schemas:) to the spec file,
// refusing a name the spec already has.
import { readFileSync, writeFileSync } from 'node:fs';
import YAML from 'yaml';

const [specPath, fragmentPath] = process.argv.slice(2);
const spec = YAML.parse(readFileSync(specPath, 'utf8'));
const fragment = YAML.parse(readFileSync(fragmentPath, 'utf8'));
for (const [where, into] of [['paths', spec.paths], ['schemas', spec.components.schemas]]) {
  for (const [name, value] of Object.entries(fragment[where] ?? {})) {
    if (name in into) throw new Error(`${specPath} already has ${where} ${name}`);
    into[name] = value;
  }
}
writeFileSync(specPath, YAML.stringify(spec, { lineWidth: 0 }));

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const schemaRoot = join(import.meta.dirname, '..', 'fixtures', 'stix2.1', 'schemas');

/** Every vendored OASIS STIX 2.1 schema, compiled once; validators by schema file. */
export function stixValidators() {
  // unicodeRegExp off: the OASIS patterns escape '-' (\-), which the u flag refuses.
  const ajv = new Ajv2020.default({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats.default(ajv);
  for (const dir of readdirSync(schemaRoot))
    for (const file of readdirSync(join(schemaRoot, dir)))
      ajv.addSchema(JSON.parse(readFileSync(join(schemaRoot, dir, file), 'utf8')));
  const base = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas';
  return (path: string) => ajv.getSchema(`${base}/${path}`)!;
}

/** The schema file each exported object type is checked against. */
export const STIX_SCHEMA_FILES: Record<string, string> = {
  identity: 'sdos/identity.json',
  incident: 'sdos/incident.json',
  'attack-pattern': 'sdos/attack-pattern.json',
  indicator: 'sdos/indicator.json',
  relationship: 'sros/relationship.json',
};

import { writeFileSync } from 'node:fs';
import { openApiDocumentOfAllRoutes } from '../src/api/index.js';

// `npm run build`: the admin API's OpenAPI document, from which the console's client is typed.
const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: write-openapi <file>\n');
  process.exit(2);
}
writeFileSync(out, `${JSON.stringify(openApiDocumentOfAllRoutes(), null, 2)}\n`);

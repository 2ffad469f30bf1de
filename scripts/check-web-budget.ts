// `npm run build`: fails when the console's first load needs more than 300 KB of gzipped
// JavaScript (issue 13). First load = the scripts index.html loads and what they preload.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 300 * 1024;
const dist = process.argv[2] ?? 'web/dist';
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const scripts: string[] = [
  ...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g),
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g),
].map((m) => m[1]!);
let total = 0;
for (const src of new Set(scripts)) {
  const size = gzipSync(readFileSync(join(dist, src.replace(/^\//, '')))).length;
  total += size;
  process.stdout.write(`  ${src}  ${(size / 1024).toFixed(1)} KB gzipped\n`);
}
const line = `console first-load JavaScript: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)\n`;
if (scripts.length === 0 || total > BUDGET) {
  process.stderr.write(
    scripts.length === 0 ? 'no script found in index.html\n' : `over budget: ${line}`,
  );
  process.exit(1);
}
process.stdout.write(line);

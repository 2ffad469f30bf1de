import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

// The browser suite drives the built console; build it once when `npm run build` has not.
export default async function setup(): Promise<void> {
  const web = join(import.meta.dirname, '..', '..', 'web');
  if (existsSync(join(web, 'dist', 'index.html'))) return;
  await build({ configFile: join(web, 'vite.config.ts'), logLevel: 'warn' });
}

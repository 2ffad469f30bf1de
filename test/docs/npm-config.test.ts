import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

describe("the project's npm configuration", () => {
  it('gives npm no key it does not know (npm prints "Unknown project config" for each)', async () => {
    // The env must not carry npm_config_* from an outer `npm test`, or npm would warn about those.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')),
    );
    const { stderr } = await run('npm', ['config', 'get', 'engine-strict'], { cwd: root, env });
    expect(stderr).not.toMatch(/npm warn/i);
  }, 60_000);

  it("denies onnxruntime-node's install script, which only fetches CUDA libraries from NuGet", () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      allowScripts?: Record<string, boolean>;
    };
    expect(pkg.allowScripts?.['onnxruntime-node']).toBe(false);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from './index.js';

// Built by scripts/fixtures/make-stdlib-fixtures.py, which lists each file's expected verdict.
const dir = join(import.meta.dirname, '../../test/fixtures/scan/stdlib');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<
  string,
  { verdict: string; class: string }
>;

describe('embedded pickles, frames, plain builtins and safetensors metadata', () => {
  it.each(Object.entries(expected))('%s is %j', async (file, want) => {
    const result = await scan(join(dir, file));
    expect(result.verdict, JSON.stringify(result.findings)).toBe(want.verdict);
  });

  it('names the payload inside a base64 pickle, two levels deep, and where it was decoded', async () => {
    const result = await scan(join(dir, 'embedded-twice.pkl'));
    const inner = result.findings.find(
      (f) => f.rule === 'pickle.call.denied' && f.message.includes('system("id")'),
    );
    expect(inner?.location.member).toMatch(/^base64\.b64decode@\d+!\/base64\.b64decode@\d+$/);
  });

  it('stops decoding at the depth limit with an error, not a pass', async () => {
    const result = await scan(join(dir, 'embedded-twice.pkl'), { limits: { maxDepth: 1 } });
    expect(result.verdict).toBe('malicious'); // the outer pickle.loads is denied regardless
    expect(result.findings.map((f) => f.rule)).toContain('scan.limit-exceeded');
  });

  it('reads an opcode that straddles a frame boundary as the C unpickler does', async () => {
    const result = await scan(join(dir, 'frame-straddle-os-system.pkl'));
    expect(result.findings.find((f) => f.rule === 'pickle.call.denied')?.message).toContain(
      'system("id")',
    );
  });

  it('grades each kind of safetensors metadata by its own rule', async () => {
    const rules = async (f: string) =>
      (await scan(join(dir, f))).findings.map((x) => x.rule).filter((r) => r.includes('metadata'));
    expect(await rules('safetensors-metadata-shell.safetensors')).toEqual(
      expect.arrayContaining(['safetensors.metadata-shell', 'safetensors.metadata-url']),
    );
    expect(await rules('safetensors-metadata-script.safetensors')).toContain(
      'safetensors.metadata-script',
    );
    expect(await rules('safetensors-metadata-url.safetensors')).toEqual([
      'safetensors.metadata-url',
    ]);
    expect(await rules('safetensors-metadata-plain.safetensors')).toEqual([]);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileCheckpointStore } from './file-checkpoint-store.js';

describe('file checkpoint store', () => {
  const file = () => join(mkdtempSync(join(tmpdir(), 'aisoc-cp-')), 'cp.json');

  it('round-trips a checkpoint and starts fresh when there is none', async () => {
    const path = file();
    const store = createFileCheckpointStore(path, () => {});
    expect(await store.load()).toBeNull();
    const checkpoint = {
      version: 1 as const,
      events: 7,
      states: [{ detector: 'drift', model: 'm', state: { a: 1 } }],
    };
    await store.save(checkpoint);
    expect(await store.load()).toEqual(checkpoint);
  });

  it('reports a corrupt checkpoint and starts fresh instead of failing', async () => {
    const path = file();
    writeFileSync(path, '{"version": 1, "states": [tru');
    const problems: string[] = [];
    expect(await createFileCheckpointStore(path, (m) => problems.push(m)).load()).toBeNull();
    expect(problems[0]).toContain(path);
  });
});

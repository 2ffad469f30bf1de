import { chmodSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../core/index.js';
import { createStore } from '../store/index.js';
import { createEvidenceService } from './evidence-service.js';
import { createFolderEvidenceStore } from './evidence-store.js';
import { createRespondRepository } from './respond-repository.js';

describe('content-addressed evidence', () => {
  it('stores bytes once under their digest and refuses them once altered on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisoc-evd-'));
    const store = createFolderEvidenceStore(dir);
    const a = await store.put(Buffer.from('model bytes'));
    const b = await store.put(Buffer.from('model bytes'));
    expect(a).toEqual(b);
    expect((await store.get(a.digest)).toString()).toBe('model bytes');
    const file = join(dir, 'sha256', a.digest.slice(7, 9), a.digest.slice(7));
    chmodSync(file, 0o640);
    writeFileSync(file, 'tampered');
    await expect(store.get(a.digest)).rejects.toMatchObject({ code: 'RESPOND_EVIDENCE_CORRUPT' });
    await expect(store.get('sha256:../../etc/passwd')).rejects.toMatchObject({
      code: 'RESPOND_EVIDENCE_UNKNOWN',
    });
    await expect(store.get(`sha256:${'0'.repeat(64)}`)).rejects.toMatchObject({
      code: 'RESPOND_EVIDENCE_UNKNOWN',
    });
  });

  it('records collection and hand-over with digests, and exports a manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisoc-evd-'));
    const db = await createStore({ driver: 'sqlite', path: join(dir, 'a.db') });
    await db.migrate();
    const audit: Record<string, unknown>[] = [];
    const service = createEvidenceService({
      store: createFolderEvidenceStore(join(dir, 'store')),
      repo: createRespondRepository(db.db),
      audit: async (e) => void audit.push(e),
      clock: createManualClock(Date.parse('2026-01-01T00:00:00Z')),
    });
    try {
      const item = await service.collect(
        {
          incidentId: 'inc_1',
          kind: 'events',
          bytes: Buffer.from('[]'),
          mediaType: 'application/json',
          description: 'events',
        },
        'playbook:x',
      );
      const out = join(dir, 'out');
      const result = await service.exportTo('inc_1', out, 'legal@example.com', 'ann');
      expect(readdirSync(out).sort()).toEqual(['manifest.json', item.digest.replace(':', '-')]);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      expect(manifest).toMatchObject({
        recipient: 'legal@example.com',
        items: [{ digest: item.digest }],
      });
      expect(audit.map((a) => a.type)).toEqual([
        'respond.evidence.collected',
        'respond.evidence.handed_over',
      ]);
      expect(audit[1]).toMatchObject({
        recipient: 'legal@example.com',
        manifestDigest: result.manifestDigest,
        digests: [item.digest],
      });
    } finally {
      await db.close();
    }
  });
});

import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../app/index.js';
import type { InferenceEvent } from '../core/index.js';
import { createLedgerWriter, keyFromPrivate } from '../ledger/index.js';
import { erasedSubjects, type PrivacyTables } from '../privacy/index.js';
import { loadOnnxModel, type OnnxModel } from '../serve/index.js';
import { createStore, type Store } from '../store/index.js';
import { testEvent } from './events.contract.js';
import { analyseImpact, syncEventIndex } from './index.js';

// Issue 19: impact analysis says which events it could not re-score because their features
// were sealed, and which of those belong to an erased subject (their fields are gone for good).

const key = keyFromPrivate('aisoc.test/impact', generateKeyPairSync('ed25519').privateKey);
const goodOnnx = join(packageRoot(), 'models', 'breast-cancer', 'model.onnx');

function sealedEvent(i: number, subjectRef: string): InferenceEvent {
  return testEvent(i, {
    model: 'breast-cancer',
    modelVersion: '2',
    status: 200,
    outcome: 'ok',
    features: null,
    outputs: null,
    privacy: {
      v: 1,
      policy: 'sha256:test',
      features: [['sealed', 'sealed']],
      outputs: ['sealed'],
      sealed: { key: subjectRef, iv: 'aXY=', ct: 'Y3Q=', tag: 'dGFn' },
    },
  });
}

describe('impact analysis of sealed and erased events', () => {
  let dir: string;
  let store: Store;
  let good: OnnxModel;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisoc-impact-erased-'));
    const config = { driver: 'sqlite' as const, path: join(dir, 'aisoc.db') };
    store = await createStore(config);
    await store.migrate();
    good = await loadOnnxModel(goodOnnx);
    const writer = await createLedgerWriter({
      store: config,
      streams: ['inference'],
      key,
      origin: 't',
    });
    for (let i = 0; i < 3; i++) await writer.appendDurable('inference', sealedEvent(i, 'subj_a'));
    await writer.appendDurable('inference', sealedEvent(3, 'subj_b'));
    await writer.close();
    await syncEventIndex(store);
    // subj_a's key was destroyed (the row `aisoc privacy erase` leaves).
    await (store.db as unknown as Kysely<PrivacyTables>)
      .insertInto('privacy_erasures')
      .values({ subject_ref: 'subj_a', erased_at: '2026-01-01T00:00:00.000Z' })
      .execute();
  });
  afterAll(async () => {
    await good?.close();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('counts sealed events and, of those, the erased ones', async () => {
    const summary = await analyseImpact(store, {
      model: 'breast-cancer',
      version: '2',
      goodVersion: '1',
      scorer: good,
      erasedSubjects: (refs) => erasedSubjects(store.db, refs),
    });
    expect(summary).toMatchObject({ events: 4, decisions: 0, unscorable: 4, sealed: 4, erased: 3 });
  });
});

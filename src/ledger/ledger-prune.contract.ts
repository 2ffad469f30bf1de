import { expect, it } from 'vitest';
import { AppError } from '../core/index.js';
import type { Store } from '../store/index.js';
import { disableAppendOnly, type Ctx } from './ledger-tamper.contract.js';
import {
  getCheckpoint,
  parseCheckpoint,
  parseNote,
  proveInclusion,
  pruneLedger,
  prunedPayload,
  verifyInclusion,
  verifyLedger,
  type PrunePlan,
} from './index.js';

// Verifiable pruning (issue 19): payloads go, leaf hashes and checkpoints stay; verify reports
// the pruned range and still fails on tampering. Shared by the SQLite and PostgreSQL runs.

const OLD = (i: number) => `2020-01-0${i + 1}T00:00:00.000Z`;
const NEW = (i: number) => `2030-01-0${i + 1}T00:00:00.000Z`;

async function expectCode(work: Promise<unknown>, code: string): Promise<AppError> {
  const error: unknown = await work.then(
    () => new Error(`expected ${code}, but it succeeded`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code, (error as Error).message).toBe(code);
  return error as AppError;
}

/** Pruning tests; `ctx` gives a writer that signs a checkpoint after every commit. */
export function describePruning(ctx: Ctx, publicKey: string): void {
  // 6 old entries then 4 new ones, each with a secret only its payload holds.
  async function ledger(): Promise<{ stream: string; store: Store }> {
    const { store, writer, stream } = ctx();
    for (let i = 0; i < 6; i++)
      await writer.appendDurable(stream, { time: OLD(i), patient: `secret-old-${i}` });
    for (let i = 0; i < 4; i++)
      await writer.appendDurable(stream, { time: NEW(i), patient: `secret-new-${i}` });
    return { stream, store };
  }
  const rows = (store: Store, stream: string) =>
    store.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('stream', '=', stream)
      .orderBy('seq')
      .execute();
  const prune = (
    store: Store,
    stream: string,
    extra: { record?: (p: PrunePlan) => Promise<void> } = {},
  ) =>
    pruneLedger(store, {
      stream,
      before: '2025-01-01',
      actor: 'test',
      reason: 'retention test',
      ...extra,
    });

  it('prunes old payloads, keeps leaf hashes and checkpoints, and verify reports the range as pruned', async () => {
    const { store, stream } = await ledger();
    const before = await rows(store, stream);
    const recorded: PrunePlan[] = [];
    const plan = await prune(store, stream, {
      record: async (p) => {
        // Recorded before any payload changes.
        expect((await rows(store, stream))[0]!.payload).toBe(before[0]!.payload);
        recorded.push(p);
      },
    });
    expect(plan).toMatchObject({ stream, fromSeq: 0, toSeq: 6, checkpointSize: 10 });
    expect(recorded).toEqual([{ ...plan, walTruncated: null }]);
    const after = await rows(store, stream);
    for (const [i, row] of after.entries()) {
      expect(row.leaf_hash).toBe(before[i]!.leaf_hash);
      expect(row.time).toBe(before[i]!.time);
      if (i < 6) expect(row.payload).toBe(prunedPayload(stream, i, OLD(i)));
      else expect(row.payload).toBe(before[i]!.payload);
    }
    expect(JSON.stringify(after)).not.toContain('secret-old');
    const verified = await verifyLedger(store, stream, { publicKey });
    expect(verified).toMatchObject({
      ok: true,
      entries: 10,
      checkpoints: 10,
      signedSize: 10,
      pruned: { entries: 6, ranges: [{ from: 0, to: 6, before: '2025-01-01T00:00:00.000Z' }] },
    });
    expect((await verifyLedger(store, stream, { publicKey, full: true })).ok).toBe(true);
    // A pruned entry is still provably in the signed tree.
    const signed = parseCheckpoint(parseNote((await getCheckpoint(store, stream))!.note).text);
    const proof = await proveInclusion(store, stream, 3);
    const hex = (h: string) => Buffer.from(h, 'hex');
    expect(verifyInclusion(hex(proof.leafHash), 3, 10, proof.proof.map(hex), signed.root)).toBe(
      true,
    );
    // Pruning again with the same date finds nothing more.
    expect(await prune(store, stream)).toMatchObject({ fromSeq: 6, toSeq: 6 });
  });

  it('refuses a bad date or a missing reason, and prunes nothing', async () => {
    const { store, stream } = await ledger();
    const bad = await expectCode(
      pruneLedger(store, { stream, before: 'last tuesday', actor: 't', reason: 'retention' }),
      'LEDGER_PRUNE_INVALID',
    );
    expect(bad.message).toContain('last tuesday');
    await expectCode(
      pruneLedger(store, { stream, before: '2025-01-01', actor: 't', reason: '' }),
      'LEDGER_PRUNE_INVALID',
    );
    // A failing record step stops the prune before any payload changes.
    await expect(
      prune(store, stream, { record: () => Promise.reject(new Error('audit down')) }),
    ).rejects.toThrow('audit down');
    expect(JSON.stringify(await rows(store, stream))).toContain('secret-old-0');
  });

  // Tampering with the triggers off (an attacker with database access); these run last.
  async function pruned(): Promise<{ stream: string; store: Store }> {
    const made = await ledger();
    await prune(made.store, made.stream);
    await disableAppendOnly(made.store);
    return made;
  }
  const set = (store: Store, stream: string, seq: number, values: object) =>
    store.db
      .updateTable('ledger_entries')
      .set(values)
      .where('stream', '=', stream)
      .where('seq', '=', seq)
      .execute();

  it('fails verify when a kept leaf hash of a pruned entry is changed', async () => {
    const { store, stream } = await pruned();
    await set(store, stream, 4, { leaf_hash: 'ab'.repeat(32) });
    const result = await verifyLedger(store, stream, { publicKey });
    expect(result).toMatchObject({ ok: false, code: 'LEDGER_CHAIN_BROKEN' });
    expect(result.firstBad!.seq).toBeLessThanOrEqual(4);
  });

  it('fails verify on a changed un-pruned entry after a prune', async () => {
    const { store, stream } = await pruned();
    const row = (await rows(store, stream))[8]!;
    await set(store, stream, 8, { payload: row.payload.replace('secret-new-2', 'forged') });
    expect(await verifyLedger(store, stream, { publicKey })).toMatchObject({
      ok: false,
      code: 'LEDGER_CHAIN_BROKEN',
      firstBad: { seq: 8 },
    });
  });

  it('fails verify when an un-pruned entry is blanked to look pruned', async () => {
    const { store, stream } = await pruned();
    await set(store, stream, 7, { payload: prunedPayload(stream, 7, NEW(1)) });
    const result = await verifyLedger(store, stream, { publicKey });
    expect(result).toMatchObject({ ok: false, code: 'LEDGER_CHAIN_BROKEN', firstBad: { seq: 7 } });
    expect(result.firstBad!.reason).toContain('outside any recorded prune');
  });

  it('fails verify when a pruned marker names another entry', async () => {
    const { store, stream } = await pruned();
    await set(store, stream, 1, { payload: prunedPayload(stream, 2, OLD(2)) });
    expect(await verifyLedger(store, stream, { publicKey })).toMatchObject({
      ok: false,
      firstBad: { seq: 1 },
    });
  });
}

import { describe, expect, it } from 'vitest';
import { createId, type AppliedAction, type ContainmentAction } from '../core/index.js';
import { createKeyRepository, createPolicyActionRepository, type ApiKeyRecord } from './index.js';
import { expectStoreError, type ContractContext } from './store.contract.js';

/** Strings that break naive quoting or encoding; all valid Unicode without NUL. */
export const HOSTILE_STRINGS = [
  `it's "quoted" \`back\` \\ backslash`,
  `'); drop table api_keys; --`,
  '$1 $$ :name ? %s %d {{x}}',
  'line\nbreak\r\ntab\tbell\u0007',
  'emoji 🧨🔐 and astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'RTL \u202Eevil\u202C, zero width \u200B\u200D, combining e\u0301',
  '中文 العربية русский',
  'x'.repeat(100_000),
];

function key(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const id = createId('key');
  return {
    id,
    principal: 'team-a',
    keyHash: `${id}-hash`,
    prefix: 'ak_12345',
    description: null,
    models: null,
    ratePerSecond: null,
    burst: null,
    createdAt: '2026-01-02T03:04:05.000Z',
    ...overrides,
  };
}

function applied(action: ContainmentAction, overrides: Partial<AppliedAction> = {}): AppliedAction {
  return {
    id: createId('act'),
    action,
    reason: 'extraction suspected',
    actor: 'analyst@example.org',
    appliedAt: '2026-01-02T03:04:05.000Z',
    liftedAt: null,
    liftedBy: null,
    ...overrides,
  };
}

function keyCases(ctx: ContractContext): void {
  it('stores a key and finds it by id, by hash and in the list', async () => {
    const keys = createKeyRepository(ctx.store.db);
    const k = key({
      models: ['digits', 'breast-cancer'],
      ratePerSecond: 2.5,
      burst: 10,
      description: 'ci',
    });
    await keys.insert(k);
    expect(await keys.findById(k.id)).toEqual(k);
    expect(await keys.findByHash(k.keyHash)).toEqual(k);
    expect(await keys.list()).toContainEqual(k);
    expect(await keys.findById('key_missing')).toBeUndefined();
    expect(await keys.findByHash('missing')).toBeUndefined();
  });

  it('refuses a second key with the same hash or id as STORE_CONSTRAINT', async () => {
    const keys = createKeyRepository(ctx.store.db);
    const k = key();
    await keys.insert(k);
    const error = await expectStoreError(
      keys.insert(key({ keyHash: k.keyHash })),
      'STORE_CONSTRAINT',
    );
    expect(error.status).toBe(409);
    await expectStoreError(keys.insert(key({ id: k.id })), 'STORE_CONSTRAINT');
  });

  it('refuses a NULL in a NOT NULL column as STORE_CONSTRAINT', async () => {
    const row = { ...key(), principal: null as unknown as string };
    await expectStoreError(
      ctx.store.db
        .insertInto('api_keys')
        .values({
          id: row.id,
          principal: row.principal,
          key_hash: row.keyHash,
          prefix: 'p',
          description: null,
          models: null,
          rate_per_second: null,
          burst: null,
          created_at: row.createdAt,
        })
        .execute(),
      'STORE_CONSTRAINT',
    );
  });

  it('keeps all of many concurrent inserts and exactly one of a contested hash', async () => {
    const keys = createKeyRepository(ctx.store.db);
    const many = Array.from({ length: 100 }, () => key({ principal: 'concurrent' }));
    await Promise.all(many.map((k) => keys.insert(k)));
    const stored = (await keys.list()).filter((k) => k.principal === 'concurrent');
    expect(stored.map((k) => k.id).sort()).toEqual(many.map((k) => k.id).sort());

    const hash = createId('contested');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => keys.insert(key({ keyHash: hash }))),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((o) => o.status === 'rejected')) {
      expect((o as PromiseRejectedResult).reason).toMatchObject({ code: 'STORE_CONSTRAINT' });
    }
  });

  it('stores hostile strings exactly as given', async () => {
    const keys = createKeyRepository(ctx.store.db);
    for (const s of HOSTILE_STRINGS) {
      const k = key({ principal: s, description: s, prefix: s.slice(0, 12), models: [s, ''] });
      await keys.insert(k);
      expect(await keys.findById(k.id)).toEqual(k);
      expect(await keys.findByHash(k.keyHash)).toEqual(k);
    }
  });
}

function policyCases(ctx: ContractContext): void {
  it('round-trips actions of every kind and derives their target', async () => {
    const actions = createPolicyActionRepository(ctx.store.db);
    const model = createId('model');
    const all = [
      applied({ kind: 'suspend_key', keyId: 'key_a' }),
      applied({ kind: 'revoke_key', keyId: 'key_a' }),
      applied({ kind: 'rate_limit', keyId: 'key_a', ratePerSecond: 0.5, burst: 3 }),
      applied({
        kind: 'isolate_model',
        model,
        fallback: { kind: 'static', body: { y: [1] }, status: 200 },
      }),
      applied(
        { kind: 'pin_version', model, version: '1.2.3' },
        { appliedAt: '2026-01-02T03:04:06.000Z' },
      ),
    ];
    for (const a of all) await actions.insert(a);
    for (const a of all) expect(await actions.get(a.id)).toEqual(a);
    expect(await actions.listForTarget(model)).toEqual(all.slice(3));
    expect(await actions.list()).toEqual(expect.arrayContaining(all));
    expect(await actions.get('act_missing')).toBeUndefined();
  });

  it('lifts once, reports the first lift on later calls and drops it from listActive', async () => {
    const actions = createPolicyActionRepository(ctx.store.db);
    const a = applied({ kind: 'suspend_key', keyId: createId('key') });
    await actions.insert(a);
    expect((await actions.listActive()).map((x) => x.id)).toContain(a.id);
    const first = await actions.lift(a.id, 'alice', '2026-01-03T00:00:00.000Z');
    const lifted = { ...a, liftedBy: 'alice', liftedAt: '2026-01-03T00:00:00.000Z' };
    expect(first).toEqual({ status: 'lifted', action: lifted });
    const again = await actions.lift(a.id, 'bob', '2026-01-04T00:00:00.000Z');
    expect(again).toEqual({ status: 'already_lifted', action: lifted });
    expect((await actions.listActive()).map((x) => x.id)).not.toContain(a.id);
    expect(await actions.lift('act_missing', 'bob', '2026-01-04T00:00:00.000Z')).toEqual({
      status: 'not_found',
    });
  });

  it('lets exactly one of several concurrent lifts win', async () => {
    const actions = createPolicyActionRepository(ctx.store.db);
    const a = applied({ kind: 'isolate_model', model: createId('model') });
    await actions.insert(a);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        actions.lift(a.id, `actor-${i}`, `2026-01-05T00:00:0${i}.000Z`),
      ),
    );
    expect(results.filter((r) => r.status === 'lifted')).toHaveLength(1);
    const stored = await actions.get(a.id);
    for (const r of results) expect(r).toEqual({ status: r.status, action: stored });
  });

  it('lists active actions oldest first', async () => {
    const actions = createPolicyActionRepository(ctx.store.db);
    const keyId = createId('key');
    const later = applied(
      { kind: 'suspend_key', keyId },
      { appliedAt: '2026-02-02T00:00:00.000Z' },
    );
    const earlier = applied(
      { kind: 'revoke_key', keyId },
      { appliedAt: '2026-02-01T00:00:00.000Z' },
    );
    await actions.insert(later);
    await actions.insert(earlier);
    const active = (await actions.listActive()).filter(
      (x) => x.id === later.id || x.id === earlier.id,
    );
    expect(active.map((x) => x.id)).toEqual([earlier.id, later.id]);
  });

  it('stores hostile reasons and actors exactly as given', async () => {
    const actions = createPolicyActionRepository(ctx.store.db);
    for (const s of HOSTILE_STRINGS) {
      const a = applied({ kind: 'pin_version', model: s, version: s }, { reason: s, actor: s });
      await actions.insert(a);
      expect(await actions.get(a.id)).toEqual(a);
    }
  });

  it('reports a stored action that is not valid JSON as STORE_ROW_INVALID', async () => {
    // A database of its own: the bad row would break every later list() of the suite.
    const store = await ctx.harness.openEmpty();
    try {
      await store.migrate();
      const id = createId('act');
      await store.db
        .insertInto('policy_actions')
        .values({
          id,
          kind: 'suspend_key',
          target: 'k',
          action: '{not json',
          reason: 'r',
          actor: 'a',
          applied_at: 't',
          lifted_at: null,
          lifted_by: null,
        })
        .execute();
      const actions = createPolicyActionRepository(store.db);
      const error = await expectStoreError(actions.get(id), 'STORE_ROW_INVALID');
      expect(error.message).toContain(id);
      await expectStoreError(actions.listActive(), 'STORE_ROW_INVALID');
    } finally {
      await store.close();
    }
  });
}

export function repositoryCases(ctx: ContractContext): void {
  describe('key repository', () => keyCases(ctx));
  describe('policy action repository', () => policyCases(ctx));
}

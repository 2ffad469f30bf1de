import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { InferenceEvent } from '../core/index.js';
import { createLedgerWriter, keyFromPrivate } from '../ledger/index.js';
import { createStore, type Store, type StoreConfig } from '../store/index.js';
import { listEvents, parseEventFilter, syncEventIndex, type RawEventQuery } from './index.js';

const key = keyFromPrivate('aisoc.test/forensics', generateKeyPairSync('ed25519').privateKey);
const T0 = Date.parse('2026-03-01T10:00:00.000Z');

/** A test event: model m1 v1 then v2, three principals, every 7th an upstream error. */
export function testEvent(i: number, over: Partial<InferenceEvent> = {}): InferenceEvent {
  return {
    id: `evt_${i}`,
    time: new Date(T0 + i * 1000).toISOString(),
    requestId: `req_${i}`,
    model: i % 5 === 4 ? 'm2' : 'm1',
    modelVersion: i < 30 ? '1' : '2',
    artifactDigest: null,
    protocol: 'kserve-v2',
    principal: `clinic-${i % 3}`,
    keyId: `key_${i % 3}`,
    sourceAddress: `10.0.0.${i % 4}`,
    features: [[i, i / 2]],
    outputs: [[0.2, 0.8]],
    status: i % 7 === 6 ? 502 : 200,
    outcome: i % 7 === 6 ? 'upstream_error' : 'ok',
    errorCode: null,
    policyAction: null,
    latencyMs: 1,
    ...over,
  };
}

/**
 * The event query over one engine: `config()` gives a migrated, empty store. Events go in
 * through the real ledger writer and come out through the index, the way the server reads them.
 */
export function runEventsContract(config: () => Promise<StoreConfig>): void {
  let store: Store;
  const all = Array.from({ length: 60 }, (_, i) => testEvent(i));
  const ids = async (raw: RawEventQuery) =>
    (await listEvents(store, parseEventFilter(raw))).map((e) => e.event.id);
  const expected = (pick: (e: InferenceEvent) => boolean) => all.filter(pick).map((e) => e.id);

  beforeAll(async () => {
    const storeConfig = await config();
    const writer = await createLedgerWriter({
      store: storeConfig,
      streams: ['inference'],
      key,
      origin: 'aisoc.test',
    });
    // Written out of time order on purpose: answers are in event time, not arrival.
    for (const e of all.slice(0, 40).reverse()) await writer.appendDurable('inference', e);
    await writer.close();
    store = await createStore(storeConfig);
    expect(await syncEventIndex(store)).toBe(40);
    const late = await createLedgerWriter({
      store: storeConfig,
      streams: ['inference'],
      key,
      origin: 'aisoc.test',
    });
    for (const e of all.slice(40)) await late.appendDurable('inference', e);
    await late.close();
  });
  afterAll(() => store?.close());

  it('indexes only what is new when synced again, and nothing on a third sync', async () => {
    expect(await syncEventIndex(store)).toBe(20);
    expect(await syncEventIndex(store)).toBe(0);
  });

  it('answers every filter with exactly the matching events in time order', async () => {
    expect(await ids({})).toEqual(expected(() => true));
    expect(await ids({ model: 'm1', version: '2' })).toEqual(
      expected((e) => e.model === 'm1' && e.modelVersion === '2'),
    );
    expect(await ids({ principal: 'clinic-1' })).toEqual(
      expected((e) => e.principal === 'clinic-1'),
    );
    expect(await ids({ key: 'key_2' })).toEqual(expected((e) => e.keyId === 'key_2'));
    expect(await ids({ source: '10.0.0.3' })).toEqual(
      expected((e) => e.sourceAddress === '10.0.0.3'),
    );
    expect(await ids({ status: '502' })).toEqual(expected((e) => e.status === 502));
    expect(await ids({ outcome: 'upstream_error', model: 'm2' })).toEqual(
      expected((e) => e.outcome === 'upstream_error' && e.model === 'm2'),
    );
    const from = new Date(T0 + 10_000).toISOString();
    const to = new Date(T0 + 20_000).toISOString();
    expect(await ids({ from, to })).toEqual(expected((e) => e.time >= from && e.time <= to));
  });

  it('pages through large answers without losing or repeating an event', async () => {
    const filter = parseEventFilter({ model: 'm1' });
    const { streamEvents } = await import('./index.js');
    const paged: string[] = [];
    for await (const e of streamEvents(store, filter, { pageSize: 7 })) paged.push(e.event.id);
    expect(paged).toEqual(expected((e) => e.model === 'm1'));
  });

  it('gives the newest first with a limit when asked', async () => {
    expect(await ids({ order: 'desc', limit: '3' })).toEqual(['evt_59', 'evt_58', 'evt_57']);
  });
}

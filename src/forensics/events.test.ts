import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore } from '../store/index.js';
import { runEventsContract } from './events.contract.js';
import { encodeEvents, parseEventFilter, type IndexedEvent } from './index.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('event queries on SQLite', () => {
  runEventsContract(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aisoc-events-'));
    dirs.push(dir);
    const config = { driver: 'sqlite' as const, path: join(dir, 'aisoc.db') };
    const store = await createStore(config);
    await store.migrate();
    await store.close();
    return config;
  });
});

describe('the event filter', () => {
  it('names the field that is wrong', () => {
    const bad = (raw: Record<string, string>) => {
      try {
        parseEventFilter(raw);
      } catch (e) {
        return `${(e as { code: string }).code} ${(e as Error).message}`;
      }
      return 'accepted';
    };
    expect(bad({ from: 'yesterday' })).toMatch(/^FORENSICS_FILTER_INVALID from: /);
    expect(bad({ status: '2000' })).toMatch(/^FORENSICS_FILTER_INVALID status: /);
    expect(bad({ outcome: 'maybe' })).toMatch(/^FORENSICS_FILTER_INVALID outcome: /);
    expect(bad({ version: '2' })).toMatch(/^FORENSICS_FILTER_INVALID version: /);
    expect(bad({ from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' })).toMatch(/ to: /);
    expect(bad({ limit: '0' })).toMatch(/ limit: /);
    expect(bad({ from: '2026-03-01T10:00:00+01:00' })).toBe('accepted');
    expect(parseEventFilter({ from: '2026-03-01T10:00:00+01:00' }).from).toBe(
      '2026-03-01T09:00:00.000Z',
    );
  });
});

describe('event encodings', () => {
  const events: IndexedEvent[] = [
    { seq: 3, event: { id: 'a', principal: 'x, "y"', features: [[1, 2]] } as never },
    { seq: 4, event: { id: 'b', principal: null, features: null } as never },
  ];
  async function encode(format: 'json' | 'jsonl' | 'csv') {
    let out = '';
    for await (const chunk of encodeEvents(
      (async function* () {
        yield* events;
      })(),
      format,
    ))
      out += chunk;
    return out;
  }

  it('writes one JSON object a line for jsonl and one array for json', async () => {
    const lines = (await encode('jsonl')).trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([3, 4]);
    expect(JSON.parse(await encode('json')).map((e: any) => e.id)).toEqual(['a', 'b']);
  });

  it('quotes CSV cells holding commas and quotes, per RFC 4180', async () => {
    const rows = (await encode('csv')).split('\r\n');
    expect(rows[0]).toMatch(/^seq,time,requestId,/);
    expect(rows[1]).toContain('"x, ""y"""');
    expect(rows[1]).toContain('"[[1,2]]"');
    expect(rows).toHaveLength(4); // header, two rows, and the empty string after the last CRLF
  });
});

/**
 * Per-principal state with a size cap and idle eviction, both driven by event time.
 * Touching only stamps `lastSeen` (re-inserting into a Map on every query leaves deleted
 * slots that make iteration slow); a sweep every `sweepEvery` touches, or when the cap is
 * hit, drops idle principals and then the least recently seen down to 90% of the cap.
 */
export interface PrincipalTable<T> {
  readonly entries: Map<string, { lastSeen: number; value: T }>;
  readonly maxPrincipals: number;
  readonly idleMs: number;
  evicted: number;
  touches: number;
}

const SWEEP_EVERY = 4096;

export function createPrincipalTable<T>(maxPrincipals: number, idleMs: number): PrincipalTable<T> {
  return { entries: new Map(), maxPrincipals, idleMs, evicted: 0, touches: 0 };
}

function sweep<T>(table: PrincipalTable<T>, now: number): void {
  for (const [k, e] of table.entries) {
    if (now - e.lastSeen > table.idleMs) {
      table.entries.delete(k);
      table.evicted += 1;
    }
  }
  if (table.entries.size < table.maxPrincipals) return;
  const keep = Math.floor(table.maxPrincipals * 0.9);
  const byAge = [...table.entries].sort((a, b) => a[1].lastSeen - b[1].lastSeen);
  for (const [k] of byAge.slice(0, byAge.length - keep)) {
    table.entries.delete(k);
    table.evicted += 1;
  }
}

/** Returns the principal's state, creating it, and evicts idle or surplus principals. */
export function touchPrincipal<T>(
  table: PrincipalTable<T>,
  key: string,
  now: number,
  create: () => T,
): T {
  table.touches += 1;
  const found = table.entries.get(key);
  if (found) {
    if (now > found.lastSeen) found.lastSeen = now;
    if (table.touches % SWEEP_EVERY === 0) sweep(table, now);
    return found.value;
  }
  if (table.entries.size >= table.maxPrincipals || table.touches % SWEEP_EVERY === 0)
    sweep(table, now);
  const value = create();
  table.entries.set(key, { lastSeen: now, value });
  return value;
}

export function serializeTable<T>(
  table: PrincipalTable<T>,
  encode: (value: T) => unknown,
): unknown {
  return {
    maxPrincipals: table.maxPrincipals,
    idleMs: table.idleMs,
    evicted: table.evicted,
    entries: [...table.entries].map(([k, e]) => [k, e.lastSeen, encode(e.value)]),
  };
}

export function deserializeTable<T>(data: unknown, decode: (raw: unknown) => T): PrincipalTable<T> {
  const raw = data as {
    maxPrincipals: number;
    idleMs: number;
    evicted: number;
    entries: [string, number, unknown][];
  };
  const table = createPrincipalTable<T>(raw.maxPrincipals, raw.idleMs);
  table.evicted = raw.evicted;
  for (const [k, lastSeen, v] of raw.entries) table.entries.set(k, { lastSeen, value: decode(v) });
  return table;
}

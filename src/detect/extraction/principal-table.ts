/**
 * Per-principal state with a size cap and idle eviction, both driven by event time.
 * A Map keeps insertion order, so re-inserting on touch makes it an LRU whose head is
 * always the least recently seen principal.
 */
export interface PrincipalTable<T> {
  readonly entries: Map<string, { lastSeen: number; value: T }>;
  readonly maxPrincipals: number;
  readonly idleMs: number;
  evicted: number;
}

export function createPrincipalTable<T>(maxPrincipals: number, idleMs: number): PrincipalTable<T> {
  return { entries: new Map(), maxPrincipals, idleMs, evicted: 0 };
}

/** Returns the principal's state, creating it, and evicts idle or surplus principals. */
export function touchPrincipal<T>(
  table: PrincipalTable<T>,
  key: string,
  now: number,
  create: () => T,
): T {
  const found = table.entries.get(key);
  let value: T;
  if (found) {
    table.entries.delete(key);
    value = found.value;
  } else {
    value = create();
  }
  table.entries.set(key, { lastSeen: Math.max(now, found?.lastSeen ?? now), value });
  for (const [k, entry] of table.entries) {
    const idle = now - entry.lastSeen > table.idleMs;
    if (!idle && table.entries.size <= table.maxPrincipals) break;
    table.entries.delete(k);
    table.evicted += 1;
  }
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

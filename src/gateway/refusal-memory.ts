import { canonicalJson, sha256Hex } from '../core/index.js';

/** How much the gateway remembers of the refusals made by blocking detection. */
export interface RefusalMemoryOptions {
  /** Keys (per model) remembered; the least recently tripped is forgotten first. */
  maxSubjects?: number;
  /** Refused row digests kept per key and model; the oldest is forgotten first. */
  maxRowsPerSubject?: number;
}

/** One key's trips on one model: how many, and the digests of every row it was refused. */
interface Trips {
  count: number;
  rows: Set<string>;
}

/** What createRefusalMemory returns. */
export interface RefusalMemory {
  /** Records a refused query; returns the key's number of trips on the model. */
  trip(keyId: string, model: string, rows: readonly (readonly number[])[]): number;
  /** The index of a row this key was refused before on this model, or -1. */
  refusedRow(keyId: string, model: string, rows: readonly (readonly number[])[]): number;
  /** Starts the key's trip count again (after an escalation); the refused rows stay refused. */
  resetCount(keyId: string, model: string): void;
  readonly size: number;
}

/**
 * Blocking detection's memory: a query refused once is refused again when re-sent (its rows'
 * digests are kept per key and model), and the trips are counted so that repeated ones
 * escalate. Without it a refused query re-sent after the detector's cool-down is answered,
 * which turned blocking mode into a short delay. Bounded; rows of keys that never tripped are
 * never hashed.
 */
export function createRefusalMemory(options: RefusalMemoryOptions = {}): RefusalMemory {
  const maxSubjects = options.maxSubjects ?? 10_000;
  const maxRows = options.maxRowsPerSubject ?? 4_096;
  const subjects = new Map<string, Trips>();
  const id = (keyId: string, model: string) => `${keyId}\u0000${model}`;
  const digest = (row: readonly number[]) => sha256Hex(canonicalJson(row));

  return {
    /** Records a refused query; returns the key's number of trips on the model. */
    trip(keyId: string, model: string, rows: readonly (readonly number[])[]): number {
      const k = id(keyId, model);
      const trips = subjects.get(k) ?? { count: 0, rows: new Set<string>() };
      subjects.delete(k); // re-inserted last: the map's order is the eviction order
      subjects.set(k, trips);
      if (subjects.size > maxSubjects) subjects.delete(subjects.keys().next().value!);
      trips.count += 1;
      for (const row of rows) {
        const d = digest(row);
        trips.rows.delete(d);
        trips.rows.add(d);
        if (trips.rows.size > maxRows) trips.rows.delete(trips.rows.values().next().value!);
      }
      return trips.count;
    },
    /** The index of a row this key was refused before on this model, or -1. */
    refusedRow(keyId: string, model: string, rows: readonly (readonly number[])[]): number {
      const trips = subjects.get(id(keyId, model));
      if (!trips || trips.rows.size === 0) return -1;
      return rows.findIndex((row) => trips.rows.has(digest(row)));
    },
    /** Starts the key's trip count again (after an escalation); the refused rows stay refused. */
    resetCount(keyId: string, model: string): void {
      const trips = subjects.get(id(keyId, model));
      if (trips) trips.count = 0;
    },
    get size() {
      return subjects.size;
    },
  };
}

import type { ProfileConfig } from './options.js';
import { createPrincipalTable, touchPrincipal, type PrincipalTable } from './principal-table.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Log2 buckets of a key's rows in one active day: bucket b holds counts in [2^b, 2^(b+1)). */
const PEER_BUCKETS = 32;

/** What a key has done, day by day (event time), and what it declared. */
export interface KeyProfile {
  day: number;
  today: number;
  /** Rows per event-time hour over the last 24 hours (a ring indexed by hour % 24), and their sum. */
  hours: Int32Array;
  hour: number;
  last24h: number;
  /** EWMA of the rows of the key's past active days (idle days do not pull it down). */
  activeEwma: number;
  activeDays: number;
  rows: number;
  lastAlertRow: number;
}

/** The daily volumes of every key with one purpose, decayed so recent key-days weigh most. */
export interface PeerGroup {
  buckets: Float64Array;
  weight: number;
}

export interface ProfileState {
  keys: PrincipalTable<KeyProfile>;
  peers: Record<string, PeerGroup>;
}

export function createProfileState(maxKeys: number, idleMs: number): ProfileState {
  return { keys: createPrincipalTable(maxKeys, idleMs), peers: {} };
}

function peerGroup(state: ProfileState, purpose: string): PeerGroup {
  let g = state.peers[purpose];
  if (!g) {
    g = { buckets: new Float64Array(PEER_BUCKETS), weight: 0 };
    state.peers[purpose] = g;
  }
  return g;
}

function addKeyDay(g: PeerGroup, rows: number, memory: number): void {
  const keep = 1 - 1 / memory;
  for (let b = 0; b < PEER_BUCKETS; b += 1) g.buckets[b]! *= keep;
  g.weight = g.weight * keep + 1;
  g.buckets[Math.min(PEER_BUCKETS - 1, Math.floor(Math.log2(Math.max(1, rows))))]! += 1;
}

/** The upper edge of the bucket holding the `quantile` of the group's daily volumes. */
export function peerQuantile(g: PeerGroup, quantile: number): number {
  let above = 0;
  for (let b = PEER_BUCKETS - 1; b >= 0; b -= 1) {
    above += g.buckets[b]!;
    if (above >= (1 - quantile) * g.weight) return 2 ** (b + 1);
  }
  return 1;
}

/** Counts `rows` for the key on the event's day; closes finished days into its own and its peers' history. */
export function countKeyRows(
  state: ProfileState,
  key: string,
  purpose: string,
  timeMs: number,
  rows: number,
  config: ProfileConfig,
): { profile: KeyProfile; rows24h: number; peers: PeerGroup } {
  const p = touchPrincipal(state.keys, key, timeMs, (): KeyProfile => ({
    day: Math.floor(timeMs / DAY),
    today: 0,
    hours: new Int32Array(24),
    hour: Math.floor(timeMs / HOUR),
    last24h: 0,
    activeEwma: 0,
    activeDays: 0,
    rows: 0,
    lastAlertRow: -Infinity,
  }));
  const peers = peerGroup(state, purpose);
  const day = Math.floor(timeMs / DAY);
  if (day > p.day) {
    if (p.today > 0) {
      p.activeEwma = p.activeDays === 0 ? p.today : 0.7 * p.activeEwma + 0.3 * p.today;
      p.activeDays += 1;
      addKeyDay(peers, p.today, config.peerMemory);
    }
    p.today = 0;
    p.day = day;
  }
  p.today += rows;
  p.rows += rows;
  // An exact sliding 24 h count in hourly buckets: a nightly batch is not counted twice
  // (yesterday's spread evenly over the day would be, at the start of tonight's).
  const hour = Math.floor(timeMs / HOUR);
  for (let h = p.hour + 1; h <= Math.min(hour, p.hour + 24); h += 1) {
    p.last24h -= p.hours[h % 24]!;
    p.hours[h % 24] = 0;
  }
  if (hour > p.hour) p.hour = hour;
  p.hours[p.hour % 24]! += rows;
  p.last24h += rows;
  return { profile: p, rows24h: p.last24h, peers };
}

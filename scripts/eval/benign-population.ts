import type { InferenceEvent } from '../../src/core/index.js';
import type { Detector, Finding } from '../../src/detect/detector.js';
import { createRandom, type QueryTarget } from '../../src/drill/attacks/index.js';
import {
  BENIGN_KINDS,
  benignRequests,
  createRowSource,
  kindOf,
  plannedRowsPerDay,
  type BenignKind,
  type BenignRequest,
} from './benign-kinds.js';

const BLOCK = 100;
const DAY = 86_400_000;

export interface BenignPopulationOptions {
  readonly model: string;
  readonly samples: readonly (readonly number[])[];
  readonly min: readonly number[];
  readonly max: readonly number[];
  readonly principals: number;
  /** Queries of a `working-set` principal (the other kinds follow their own daily volume). */
  readonly queries: number;
  readonly seed: number;
  /** Mix of kinds; default: the working-set generator only (what calibration replays). */
  readonly mix?: Readonly<Record<BenignKind, number>>;
  /** Days of event time each block of principals covers; default 3. */
  readonly days?: number;
  /** Share of principals behind a few shared NAT /24s (3 per block of 100); default 0.1. */
  readonly natShare?: number;
}

export interface BenignPopulationResult {
  readonly principals: number;
  rows: number;
  readonly flagged: Map<string, Finding[]>;
  /** Kind of each principal (`benign-i`); per-network subjects are `network <cidr>`. */
  readonly kinds: Map<string, BenignKind>;
  detectSeconds: number;
}

const WORKING_SET_ONLY = Object.fromEntries(
  BENIGN_KINDS.map((k) => [k, k === 'working-set' ? 1 : 0]),
) as Record<BenignKind, number>;

function addressOf(i: number, o: BenignPopulationOptions): string {
  const block = Math.floor(i / BLOCK);
  const every = Math.max(1, Math.round(1 / (o.natShare ?? 0.1)));
  // Many keys behind a few shared /24s: clinics behind one NAT, offices behind one proxy.
  if (i % every === 0) return `172.16.${(block * 3 + (i % 3)) % 256}.${10 + (i % 200)}`;
  return `10.${(i >> 8) & 255}.${i & 255}.7`;
}

/** The declared daily entitlement of half the non-working-set principals (1.5–3× what they plan to send). */
export function declaredEntitlements(
  o: Pick<BenignPopulationOptions, 'principals' | 'seed' | 'mix'>,
): Record<string, { expectedRowsPerDay: number }> {
  const out: Record<string, { expectedRowsPerDay: number }> = {};
  for (let i = 0; i < o.principals; i += 1) {
    const kind = kindOf(i, o.mix ?? WORKING_SET_ONLY);
    if (kind === 'working-set' || i % 2 === 1) continue;
    const planned = plannedRowsPerDay(kind, o.seed * 7919 + i);
    const factor = 1.5 + 1.5 * createRandom(o.seed + i * 31).next();
    out[`benign-${i}`] = { expectedRowsPerDay: Math.round(planned * factor) };
  }
  return out;
}

async function principalEvents(
  target: QueryTarget,
  requests: BenignRequest[],
  principal: string,
  address: string,
  model: string,
): Promise<InferenceEvent[]> {
  const flat = requests.flatMap((r) => r.rows);
  const answer = flat.length > 0 ? await target.query(flat) : { probabilities: [], labels: [] };
  let at = 0;
  return requests.map((r, n) => {
    const outputs = r.rows.map((_, k) => answer.probabilities[at + k]!);
    at += r.rows.length;
    return {
      id: `${principal}-${n}`,
      time: new Date(r.timeMs).toISOString(),
      requestId: `${principal}-${n}`,
      model,
      modelVersion: '1',
      artifactDigest: null,
      protocol: 'kserve-v2',
      principal,
      keyId: principal,
      sourceAddress: address,
      features: r.rows,
      outputs,
      status: 200,
      outcome: 'ok',
      errorCode: null,
      policyAction: null,
      latencyMs: 1,
    };
  });
}

/** Replays `principals` benign users through each detector (own state each); returns who got flagged. */
export async function runBenignPopulation(
  detectors: readonly Detector<unknown>[],
  target: QueryTarget,
  o: BenignPopulationOptions,
  states: unknown[] = detectors.map((d) => d.init()),
): Promise<BenignPopulationResult[]> {
  const mix = o.mix ?? WORKING_SET_ONLY;
  const days = o.days ?? 3;
  const src = createRowSource(o.samples, o.min, o.max);
  const kinds = new Map<string, BenignKind>();
  const results = detectors.map(() => ({
    principals: o.principals,
    rows: 0,
    flagged: new Map<string, Finding[]>(),
    kinds,
    detectSeconds: 0,
  }));
  const feed = (events: InferenceEvent[]) => {
    const rows = events.reduce((a, e) => a + (e.features?.length ?? 0), 0);
    detectors.forEach((detector, k) => {
      const r = results[k]!;
      const started = performance.now();
      for (const e of events) {
        for (const f of detector.observe(states[k], e)) {
          // A per-network finding names no principal: it counts as one more flagged subject.
          const key = f.principal ?? `network ${String(f.evidence.subject)}`;
          r.flagged.set(key, [...(r.flagged.get(key) ?? []), f]);
        }
      }
      r.detectSeconds += (performance.now() - started) / 1000;
      r.rows += rows;
    });
  };
  // Principals are replayed in blocks of BLOCK that are active at the same time (merged by
  // event time), so cross-principal and shared-network signals see concurrent traffic. Each
  // block covers its own `days` after the previous block's, so event time only moves forward.
  for (let first = 0; first < o.principals; first += BLOCK) {
    const startMs = Date.UTC(2026, 0, 5) + (first / BLOCK) * days * DAY;
    const block: InferenceEvent[][] = [];
    for (let i = first; i < Math.min(o.principals, first + BLOCK); i += 1) {
      const kind = kindOf(i, mix);
      const principal = `benign-${i}`;
      kinds.set(principal, kind);
      const requests = benignRequests({
        kind,
        src,
        seed: o.seed * 7919 + i,
        startMs: startMs + createRandom(o.seed + i).int(3_600_000),
        days,
        queries: o.queries,
      });
      block.push(await principalEvents(target, requests, principal, addressOf(i, o), o.model));
    }
    feed(block.flat().sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0)));
  }
  return results;
}

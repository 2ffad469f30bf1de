import type { Signal } from './evaluate-row.js';
import type { ExtractionConfig, ProfileConfig } from './options.js';
import { peerQuantile, type KeyProfile, type PeerGroup } from './profile-state.js';
import type { SubjectState } from './subject-state.js';
import { classBalance, FLAG, flagCount, flaggedIds } from './window-state.js';

const round = (v: number) => Math.round(v * 1000) / 1000;

/** One term of the score: how much it added and the figures behind it. */
export interface Contribution {
  readonly signal: string;
  readonly value: number;
  readonly detail: Record<string, number | string>;
}

export interface ProfileInput {
  readonly key: KeyProfile;
  readonly rows24h: number;
  readonly peers: PeerGroup;
  readonly purpose: string;
  readonly expectedRowsPerDay: number | null;
  readonly eventId: string;
}

const log2 = Math.log2;

/** The value of each term, computed without allocating (most events end here). */
interface TermValues {
  entitlement: number;
  own: number;
  peers: number;
  peerRows: number;
  novelty: number;
  noveltyShare: number;
  cross: number;
  crossHits: number;
  outlier: number;
  outlierShare: number;
  boundary: number;
  lowShare: number;
}

const scratch: TermValues = {
  entitlement: 0,
  own: 0,
  peers: 0,
  peerRows: 0,
  novelty: 0,
  noveltyShare: 0,
  cross: 0,
  crossHits: 0,
  outlier: 0,
  outlierShare: 0,
  boundary: 0,
  lowShare: 0,
};

/**
 * Volume terms can reach the alert score alone, because each is far beyond what this key
 * declared, did before, or what its peers do (issue 21: judge a key against its own).
 */
function volumeValues(i: ProfileInput, p: ProfileConfig, v: TermValues): void {
  v.entitlement =
    i.expectedRowsPerDay !== null && i.rows24h > i.expectedRowsPerDay
      ? Math.min(3, log2(i.rows24h / i.expectedRowsPerDay) / log2(p.entitlementFactor))
      : 0;
  const ownRatio = i.rows24h / Math.max(p.ownMinRows, i.key.activeEwma);
  v.own =
    i.key.activeDays >= p.ownMinDays && ownRatio > 2
      ? Math.min(3, (log2(ownRatio) - 1) / (log2(p.ownFactor) - 1))
      : 0;
  v.peers = 0;
  if (i.peers.weight >= p.peerMinKeyDays) {
    v.peerRows = peerQuantile(i.peers, p.peerQuantile);
    const ratio = i.rows24h / v.peerRows;
    if (ratio > 1) v.peers = Math.min(3, log2(ratio) / log2(p.peerFactor));
  }
}

/**
 * Weak terms each describe some honest clients (novelty every batch scorer, cross-principal
 * neighbours everyone scoring the same population), so each is capped below the alert score.
 */
function weakValues(s: SubjectState, config: ExtractionConfig, v: TermValues): void {
  const p = config.profile as ProfileConfig;
  const w = s.window;
  v.novelty = v.cross = v.outlier = v.boundary = 0;
  if (w.filled < p.minWindow) return;
  v.noveltyShare = flagCount(w, FLAG.novel) / w.filled;
  if (config.similarity && v.noveltyShare >= config.similarity.noveltyShare)
    v.novelty = p.weight.novelty;
  v.crossHits = flagCount(w, FLAG.cross);
  if (config.cross && v.crossHits >= config.cross.hits)
    v.cross = Math.min(p.weight.cross, (p.weight.cross * v.crossHits) / (4 * config.cross.hits));
  v.outlierShare = flagCount(w, FLAG.outlier) / w.filled;
  if (v.outlierShare >= 0.1)
    v.outlier = Math.min(p.weight.outlier, p.weight.outlier * 2 * v.outlierShare);
  const known = flagCount(w, FLAG.marginKnown);
  v.lowShare = known > 0 ? flagCount(w, FLAG.lowMargin) / known : 0;
  const lowShare = config.signals ? config.signals.lowMarginShare : 1;
  if (known >= w.filled / 2 && v.lowShare >= lowShare / 3)
    v.boundary = Math.min(p.weight.boundary, (p.weight.boundary * v.lowShare) / lowShare);
}

/** The terms that contributed, largest first, with the figures behind each. */
function explain(i: ProfileInput, p: ProfileConfig, v: TermValues): Contribution[] {
  const rows24h = Math.round(i.rows24h);
  const all: Contribution[] = [
    {
      signal: 'entitlement',
      value: v.entitlement,
      detail: { rows24h, expectedRowsPerDay: i.expectedRowsPerDay ?? 0 },
    },
    {
      signal: 'own-history',
      value: v.own,
      detail: { rows24h, ownDailyRows: round(i.key.activeEwma) },
    },
    {
      signal: 'peers',
      value: v.peers,
      detail: { rows24h, peerQuantile: p.peerQuantile, peerRows: v.peerRows, purpose: i.purpose },
    },
    { signal: 'novelty', value: v.novelty, detail: { share: round(v.noveltyShare) } },
    { signal: 'cross', value: v.cross, detail: { hits: v.crossHits } },
    { signal: 'outlier', value: v.outlier, detail: { share: round(v.outlierShare) } },
    { signal: 'boundary', value: v.boundary, detail: { lowMarginShare: round(v.lowShare) } },
  ];
  return all.filter((t) => t.value > 0).sort((a, b) => b.value - a.value);
}

/** The key's combined score; a finding when it reaches `alertScore` (off cooldown), naming every term. */
export function profileSignal(
  s: SubjectState,
  input: ProfileInput,
  config: ExtractionConfig,
): Signal | null {
  const p = config.profile;
  if (!p) return null;
  const v = scratch;
  volumeValues(input, p, v);
  weakValues(s, config, v);
  const score = v.entitlement + v.own + v.peers + v.novelty + v.cross + v.outlier + v.boundary;
  if (score < p.alertScore) return null;
  if (input.key.rows - input.key.lastAlertRow < config.cooldownRows) return null;
  input.key.lastAlertRow = input.key.rows;
  const terms = explain(input, p, v);
  const evasion = terms[0]!.signal === 'cross' || terms[0]!.signal === 'boundary';
  return {
    signal: 'profile',
    kind: evasion ? 'evasion' : 'extraction',
    severity: score >= p.highScore ? 'high' : 'medium',
    confidence: Math.min(1, score / p.highScore),
    title: `Behaviour score ${score.toFixed(2)} (alert at ${p.alertScore}): ${terms.map((t) => `${t.signal} +${t.value.toFixed(2)}`).join(', ')}`,
    evidence: {
      statistic: 'profile-score',
      score: round(score),
      alertScore: p.alertScore,
      contributions: terms.map((t) => ({ ...t, value: round(t.value) })),
      rows24h: Math.round(input.rows24h),
      expectedRowsPerDay: input.expectedRowsPerDay,
      purpose: input.purpose,
      activeDays: input.key.activeDays,
      ...classBalance(s.window),
    },
    eventIds: [input.eventId, ...flaggedIds(s.window, FLAG.novel, 15)],
  };
}

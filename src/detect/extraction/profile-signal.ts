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

/**
 * Volume terms: each can reach the alert score alone, because each is far beyond what this
 * key declared, did before, or what its peers do (issue 21: judge a key against its own).
 */
function volumeTerms(i: ProfileInput, p: ProfileConfig, out: Contribution[]): void {
  if (i.expectedRowsPerDay !== null && i.rows24h > i.expectedRowsPerDay) {
    const ratio = i.rows24h / i.expectedRowsPerDay;
    out.push({
      signal: 'entitlement',
      value: Math.min(3, log2(ratio) / log2(p.entitlementFactor)),
      detail: { rows24h: Math.round(i.rows24h), expectedRowsPerDay: i.expectedRowsPerDay },
    });
  }
  if (i.key.activeDays >= p.ownMinDays) {
    const base = Math.max(p.ownMinRows, i.key.activeEwma);
    const ratio = i.rows24h / base;
    if (ratio > 2)
      out.push({
        signal: 'own-history',
        value: Math.min(3, (log2(ratio) - 1) / (log2(p.ownFactor) - 1)),
        detail: { rows24h: Math.round(i.rows24h), ownDailyRows: round(i.key.activeEwma) },
      });
  }
  if (i.peers.weight >= p.peerMinKeyDays) {
    const q = peerQuantile(i.peers, p.peerQuantile);
    const ratio = i.rows24h / q;
    if (ratio > 1)
      out.push({
        signal: 'peers',
        value: Math.min(3, log2(ratio) / log2(p.peerFactor)),
        detail: {
          rows24h: Math.round(i.rows24h),
          peerQuantile: p.peerQuantile,
          peerRows: q,
          purpose: i.purpose,
        },
      });
  }
}

/**
 * Weak terms: each describes some honest clients (novelty every batch scorer, cross-principal
 * neighbours everyone scoring the same population), so each is capped below the alert score.
 */
function weakTerms(s: SubjectState, config: ExtractionConfig, out: Contribution[]): void {
  const p = config.profile as ProfileConfig;
  const w = s.window;
  if (w.filled < p.minWindow) return;
  const novel = flagCount(w, FLAG.novel) / w.filled;
  if (config.similarity && novel >= config.similarity.noveltyShare)
    out.push({ signal: 'novelty', value: p.weight.novelty, detail: { share: round(novel) } });
  const cross = flagCount(w, FLAG.cross);
  if (cross >= (config.cross ? config.cross.hits : Infinity))
    out.push({
      signal: 'cross',
      value: Math.min(
        p.weight.cross,
        (p.weight.cross * cross) / (config.cross ? 4 * config.cross.hits : 1),
      ),
      detail: { hits: cross },
    });
  const outliers = flagCount(w, FLAG.outlier) / w.filled;
  if (outliers >= 0.1)
    out.push({
      signal: 'outlier',
      value: Math.min(p.weight.outlier, p.weight.outlier * 2 * outliers),
      detail: { share: round(outliers) },
    });
  const known = flagCount(w, FLAG.marginKnown);
  const low = known > 0 ? flagCount(w, FLAG.lowMargin) / known : 0;
  const lowShare = config.signals ? config.signals.lowMarginShare : 1;
  if (known >= w.filled / 2 && low >= lowShare / 3)
    out.push({
      signal: 'boundary',
      value: Math.min(p.weight.boundary, (p.weight.boundary * low) / lowShare),
      detail: { lowMarginShare: round(low) },
    });
}

/** The key's combined score; a finding when it reaches `alertScore` (off cooldown), naming every term. */
export function profileSignal(
  s: SubjectState,
  input: ProfileInput,
  config: ExtractionConfig,
): Signal | null {
  const p = config.profile;
  if (!p) return null;
  const terms: Contribution[] = [];
  volumeTerms(input, p, terms);
  weakTerms(s, config, terms);
  const score = terms.reduce((a, t) => a + t.value, 0);
  if (score < p.alertScore) return null;
  if (input.key.rows - input.key.lastAlertRow < config.cooldownRows) return null;
  input.key.lastAlertRow = input.key.rows;
  terms.sort((a, b) => b.value - a.value);
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

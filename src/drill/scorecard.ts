import type { Achieved } from './scenarios.js';

/** How the defender did in one drill (issue 8's scorecard). */
export interface Scorecard {
  readonly scenario: string;
  /** query: attacks through the inference API; pipeline: data audit, registry, artifacts. */
  readonly kind?: 'query' | 'pipeline';
  readonly model: string;
  readonly attack: string;
  readonly atlas: string[];
  readonly attacker: string;
  readonly detected: boolean;
  /** Attacker rows sent up to the event time of the first alert naming it (null: pipeline). */
  readonly queriesToDetect: number | null;
  /** Attack start → event time of that alert. */
  readonly secondsToDetect: number | null;
  readonly detectors: string[];
  /** Whether the attacker got a 403/429, and after how long (attack start → first block). */
  readonly contained: boolean;
  /** What "contained" means for the scenario. */
  readonly containment?: string;
  readonly secondsToContain: number | null;
  readonly containedWith: number | null;
  /** 429s from the key's ordinary rate limit (not containment), waited out by the attacker. */
  readonly attackerThrottled: number;
  readonly incidents: string[];
  /** The incident's own measure: alert received → containment acknowledged by every gateway. */
  readonly incidentTimeToContainMs: number | null;
  readonly playbooks: string[];
  /** Open tasks and approvals of the attacker's incidents: the steps waiting for a person. */
  readonly waitingForPerson: string[];
  readonly benignPrincipals: number;
  readonly benignQueries: number;
  /** 403/429 answers benign principals got (collateral containment). */
  readonly benignBlocked: number;
  /** Alerts naming a benign principal. */
  readonly falseAlarms: number;
  readonly falseAlarmPrincipals: string[];
  /** The detectors behind those alerts. */
  readonly falseAlarmDetectors: string[];
  readonly achieved: Achieved;
  /** Forensics after containment (poisoning.poisoned-version), each passed or not. */
  readonly forensics?: ForensicsCheck[];
  /** Detected and contained (and every forensics line passed): what the regression suite requires. */
  readonly passed: boolean;
}

/** One forensics step the drill ran after containment, with its figures. */
export interface ForensicsCheck {
  readonly check: string;
  readonly passed: boolean;
  readonly detail: string;
}

export const SCORECARD_FORMATS = ['table', 'json', 'markdown'] as const;
export type ScorecardFormat = (typeof SCORECARD_FORMATS)[number];

const num = (v: number | null | undefined, digits = 2) =>
  v === null || v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(digits);
const pct = (v: number | undefined) => (v === undefined ? null : `${(v * 100).toFixed(1)}%`);

/** The scorecard's rows as label → value, shared by the table and Markdown forms. */
function achievedText(a: Scorecard['achieved']): string {
  if (a.agreement !== undefined)
    return `surrogate agrees with the target on ${pct(a.agreement)} of holdout rows`;
  if (a.recall !== undefined)
    return `${a.poisonedQuarantined}/${a.poisonedRows} poisoned rows quarantined (recall ${pct(a.recall)}, precision ${pct(a.precision)} of ${a.quarantinedRows} flagged); batch ${a.batchAccepted ? 'ACCEPTED' : 'refused'}`;
  if (a.approved !== undefined)
    return `version ${a.approved ? 'APPROVED' : 'never approved'}, ${a.deployable ? 'DEPLOYABLE' : 'not deployable'} (state ${a.versionState})`;
  if (a.poisonedAnswers !== undefined)
    return `${a.poisonedAnswers} answers of the poisoned version reached clients (${a.answersBeforeAlert ?? 'all'} before the output-drift alert)`;
  if (a.decoyAnswers !== undefined)
    return `the decoy answered ${a.decoyAnswers} of the probing key's ${a.queries} queries before containment`;
  if (a.answersAfterTamper !== undefined)
    return `${a.answersAfterTamper} answers from the tampered model reached a client before containment`;
  return `${a.successes ?? 0}/${a.attempts ?? 0} inputs evaded (${pct(a.successRate) ?? '—'})`;
}

function containedText(s: Scorecard): string {
  if (!s.contained) return 'NO';
  if (s.kind !== 'pipeline') return `yes (HTTP ${s.containedWith})`;
  return `yes: ${s.containment ?? ''}${s.containedWith ? ` (HTTP ${s.containedWith})` : ''}`;
}

export function scorecardRows(s: Scorecard): [string, string][] {
  const got = achievedText(s.achieved);
  return [
    ['scenario', `${s.scenario} (${s.attack}) on ${s.model}`],
    ['ATLAS', s.atlas.join(', ')],
    ['detected', s.detected ? `yes (${s.detectors.join(', ')})` : 'NO'],
    ['queries to detect', num(s.queriesToDetect)],
    ['seconds to detect', num(s.secondsToDetect)],
    ['contained', containedText(s)],
    ['seconds to contain', num(s.secondsToContain)],
    ['ordinary rate-limit 429s', String(s.attackerThrottled)],
    ['incident time to contain (ms)', num(s.incidentTimeToContainMs, 0)],
    ['playbooks', s.playbooks.join(', ') || '—'],
    ['waiting for a person', s.waitingForPerson.length ? s.waitingForPerson.join(' | ') : '—'],
    [
      'benign principals',
      `${s.benignPrincipals} (${s.benignQueries} queries, ${s.benignBlocked} blocked)`,
    ],
    [
      'false alarms',
      `${s.falseAlarms}${s.falseAlarms ? ` on ${s.falseAlarmPrincipals.length} principals (${s.falseAlarmDetectors.join(', ')})` : ''}`,
    ],
    [
      s.kind === 'pipeline' ? 'model answers after the attack' : 'attacker queries answered',
      String(s.achieved.queries),
    ],
    ['attacker achieved', got],
    ...(s.forensics ?? []).map((f): [string, string] => [
      `forensics: ${f.check}`,
      `${f.passed ? 'pass' : 'FAIL'}: ${f.detail}`,
    ]),
    [
      'verdict',
      s.passed ? `PASS (detected and contained${s.forensics ? ', forensics passed' : ''})` : 'FAIL',
    ],
  ];
}

/** Scorecards as a terminal table, JSON, or Markdown. */
export function formatScorecard(
  cards: readonly Scorecard[],
  format: ScorecardFormat = 'table',
): string {
  if (format === 'json') return `${JSON.stringify(cards, null, 2)}\n`;
  if (format === 'markdown') {
    return cards
      .map((s) => {
        const rows = scorecardRows(s).map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|')} |`);
        return [
          `### Drill: ${s.kind === 'pipeline' ? s.attack : s.scenario}`,
          '',
          '| measure | value |',
          '| --- | --- |',
          ...rows,
          '',
        ].join('\n');
      })
      .join('\n');
  }
  return cards
    .map((s) => {
      const rows = scorecardRows(s);
      const width = Math.max(...rows.map(([k]) => k.length));
      return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
    })
    .join('\n');
}

import { ATLAS } from '../core/index.js';
import { createRandom } from './attacks/index.js';
import type { DrillData } from './drill-data.js';
import { DrillErrorCodes, drillError } from './errors.js';
import type { PipelineScenario } from './pipeline.js';
import { runPoisonedVersion } from './poisoned-version.js';

const ATTACKS = ['flip-and-backdoor', 'label-flip', 'backdoor', 'poisoned-version'] as const;

/** A training batch with poisoned rows the drill knows (0-based data rows). */
export interface PoisonedBatch {
  readonly csv: string;
  readonly rows: number;
  readonly poisoned: ReadonlySet<number>;
}

/**
 * Builds a batch from the attacker's natural rows: `share` of them poisoned, by label flips
 * (another class on a clean row) and/or a backdoor (a trigger on two features, set far past
 * their range with jitter: each row's value drawn between 2.5 and 3.5 ranges past the maximum,
 * every such row labelled with one target class).
 */
export function buildPoisonedBatch(
  data: DrillData,
  attack: string,
  seed: number,
  share = 0.1,
): PoisonedBatch {
  const rnd = createRandom(seed * 31 + 5);
  const n = data.natural.length;
  const rows = data.natural.map((r) => [...r]);
  const labels = [...data.naturalLabels];
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i -= 1) {
    const j = rnd.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const count = Math.max(6, Math.round(n * share));
  const flips = attack === 'backdoor' ? 0 : attack === 'label-flip' ? count : Math.ceil(count / 2);
  const poisoned = new Set(order.slice(0, count));
  const target = 0;
  const d = data.featureMin.length;
  const trigger = [Math.floor(d / 3), Math.floor((2 * d) / 3)];
  order.slice(0, count).forEach((row, k) => {
    if (k < flips)
      labels[row] = (labels[row]! + 1 + rnd.int(data.classCount - 1)) % data.classCount;
    else {
      for (const j of trigger) {
        const range = data.featureMax[j]! - data.featureMin[j]! || 1;
        rows[row]![j] = data.featureMax[j]! + range * (2.5 + rnd.next()); // jittered trigger
      }
      labels[row] = target;
    }
  });
  const csv = [
    data.columns.join(','),
    ...rows.map((r, i) => `${r.map((v) => Number(v.toPrecision(7))).join(',')},${labels[i]}`),
  ].join('\n');
  return { csv: `${csv}\n`, rows: n, poisoned };
}

interface AuditAnswer {
  verdict: 'accepted' | 'refused';
  alertId: string | null;
  quarantine: { row: number }[];
}

/**
 * Poisoned training batch offered for audit (ATLAS AML.T0020, AML.T0010.002); or, as
 * `poisoned-version`, a poisoned model version released and served (src/drill/poisoned-version.ts).
 */
export const poisoning: PipelineScenario = {
  kind: 'pipeline',
  name: 'poisoning',
  attacks: ATTACKS,
  atlas: [ATLAS.poisonTrainingData, ATLAS.supplyChainData],
  containment: 'batch refused by the data audit, its rows kept in quarantine',
  async run(ctx) {
    if (ctx.attack === 'poisoned-version') return runPoisonedVersion(ctx);
    if (ctx.data.columns.length !== ctx.data.featureMin.length + 1)
      throw drillError(DrillErrorCodes.DRILL_DATA_INVALID, 'poisoning: the data has no header');
    const batch = buildPoisonedBatch(ctx.data, ctx.attack, ctx.seed);
    ctx.progress(
      `poisoning: batch of ${batch.rows} rows, ${batch.poisoned.size} poisoned (${ctx.attack})`,
    );
    const startedAt = Date.now();
    const res = await ctx.admin.request(
      'POST',
      `/api/v1/data/audit?model=${encodeURIComponent(ctx.model)}`,
      { type: 'text/csv', data: batch.csv },
    );
    const answeredAt = Date.now();
    if (res.status !== 200)
      throw drillError(
        DrillErrorCodes.DRILL_HTTP_FAILED,
        `POST /api/v1/data/audit: ${res.status} ${JSON.stringify(res.json).slice(0, 300)}`,
      );
    const answer = res.json as AuditAnswer;
    const flagged = new Set(answer.quarantine.map((q) => q.row));
    const hits = [...flagged].filter((r) => batch.poisoned.has(r)).length;
    return {
      startedAt,
      requests: 1,
      subject: ctx.attacker,
      matches: (a) =>
        a.model === ctx.model && a.kind === 'poisoning' && a.principal === ctx.attacker,
      contained: answer.verdict === 'refused' ? { at: answeredAt, status: null } : null,
      achieved: {
        queries: 0,
        batchRows: batch.rows,
        poisonedRows: batch.poisoned.size,
        quarantinedRows: flagged.size,
        poisonedQuarantined: hits,
        precision: flagged.size === 0 ? 0 : hits / flagged.size,
        recall: hits / batch.poisoned.size,
        batchAccepted: answer.verdict === 'accepted',
      },
    };
  },
};

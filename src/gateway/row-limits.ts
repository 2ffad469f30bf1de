import type { GatewayConfig, ModelConfig } from '../config/index.js';
import type { RateLimitPolicy } from '../core/index.js';
import type { TokenBuckets } from './token-bucket.js';

/** A limit on rows: a token bucket where each row costs one token. */
export interface RowLimit {
  /** Names the bucket: one per key, per key and model, per key's daily quota. */
  readonly bucket: string;
  readonly rowsPerSecond: number;
  readonly rowBurst: number;
  /** What to say about it internally (the client is told only that it is limited). */
  readonly describe: string;
  readonly actionId: string | null;
}

/** The first limit the rows do not fit, with the seconds to wait (Infinity: never fits). */
export interface RowRefusal {
  readonly limit: RowLimit;
  readonly wait: number;
}

/**
 * Admits `rows` rows when every limit can pay for them, and then takes them from every
 * bucket; takes nothing when one cannot (all or nothing, so a refused request costs nothing).
 */
export function admitRows(
  buckets: TokenBuckets,
  limits: readonly RowLimit[],
  rows: number,
): RowRefusal | null {
  for (const limit of limits) {
    const wait = buckets.wait(limit.bucket, limit.rowsPerSecond, limit.rowBurst, rows);
    if (wait > 0) return { limit, wait };
  }
  for (const limit of limits) buckets.take(limit.bucket, limit.rowsPerSecond, limit.rowBurst, rows);
  return null;
}

const DAY_S = 86_400;

/**
 * The row limits on one key's request to one model: the containment action's (rows default to
 * its request rate and burst), else the configured default's when it limits rows; a daily quota
 * beside either; and the model's per-key `rowLimit`.
 */
export function rowLimitsFor(
  keyId: string,
  contained: RateLimitPolicy | undefined,
  fallback: GatewayConfig['defaultRateLimit'],
  model: Pick<ModelConfig, 'id' | 'rowLimit'>,
): RowLimit[] {
  const limits: RowLimit[] = [];
  const own = contained ?? (fallback.rowsPerSecond === undefined ? null : fallback);
  if (own) {
    const rowsPerSecond = own.rowsPerSecond!;
    const actionId = contained?.actionId ?? null;
    const by = actionId ? ` (containment action ${actionId})` : '';
    limits.push({
      bucket: keyId,
      rowsPerSecond,
      rowBurst: own.rowBurst ?? Math.ceil(rowsPerSecond),
      describe: `key ${keyId} is over ${rowsPerSecond} rows/s${by}`,
      actionId,
    });
    const perDay = contained ? contained.rowsPerDay : (fallback.rowsPerDay ?? null);
    if (perDay !== null)
      limits.push({
        bucket: `${keyId}\u0000day`,
        rowsPerSecond: perDay / DAY_S,
        rowBurst: perDay,
        describe: `key ${keyId} is over its quota of ${perDay} rows/day${by}`,
        actionId,
      });
  }
  const perModel = model.rowLimit;
  if (perModel) {
    limits.push({
      bucket: `${keyId}\u0000${model.id}`,
      rowsPerSecond: perModel.rowsPerSecond,
      rowBurst: perModel.rowBurst ?? Math.ceil(perModel.rowsPerSecond),
      describe: `key ${keyId} is over ${perModel.rowsPerSecond} rows/s on model "${model.id}"`,
      actionId: null,
    });
    if (perModel.rowsPerDay !== undefined)
      limits.push({
        bucket: `${keyId}\u0000${model.id}\u0000day`,
        rowsPerSecond: perModel.rowsPerDay / DAY_S,
        rowBurst: perModel.rowsPerDay,
        describe: `key ${keyId} is over its quota of ${perModel.rowsPerDay} rows/day on model "${model.id}"`,
        actionId: null,
      });
  }
  return limits;
}

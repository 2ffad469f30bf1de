import { INFERENCE_OUTCOMES, type InferenceOutcome } from '../core/index.js';
import { ForensicsErrorCodes, forensicsError } from './errors.js';

/** Which inference events to read; every field narrows, none means all. */
export interface EventFilter {
  models?: readonly string[];
  version?: string;
  principals?: readonly string[];
  key?: string;
  source?: string;
  /** ISO 8601 UTC, inclusive. */
  from?: string;
  /** ISO 8601 UTC, inclusive. */
  to?: string;
  status?: number;
  outcome?: InferenceOutcome;
  /** Only events after this ledger sequence number (exclusive). */
  afterSeq?: number;
  /** Oldest first (`asc`, the default for streams) or newest first. */
  order?: 'asc' | 'desc';
  limit?: number;
}

/** The raw query parameters an API route or a CLI command gives, all strings. */
export type RawEventQuery = Partial<
  Record<
    | 'model'
    | 'version'
    | 'principal'
    | 'key'
    | 'source'
    | 'from'
    | 'to'
    | 'status'
    | 'outcome'
    | 'afterSeq'
    | 'order'
    | 'limit',
    string | undefined
  >
>;

const invalid = (field: string, message: string) =>
  forensicsError(ForensicsErrorCodes.FORENSICS_FILTER_INVALID, `${field}: ${message}`, {
    details: {
      field,
    },
  });

/** An ISO time normalised to the gateway's form (`toISOString()`), so strings compare in order. */
export function parseTime(field: string, value: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw invalid(field, `"${value.slice(0, 64)}" is not an ISO 8601 time`);
  return new Date(ms).toISOString();
}

function whole(field: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max)
    throw invalid(
      field,
      `expected a whole number from ${min} to ${max}, got "${value.slice(0, 32)}"`,
    );
  return n;
}

function text(field: string, value: string): string {
  if (value.length === 0 || value.length > 256)
    throw invalid(field, 'expected 1 to 256 characters');
  return value;
}

/** Checks a raw query and returns the filter; a bad field fails with FORENSICS_FILTER_INVALID naming it. */
export function parseEventFilter(
  raw: RawEventQuery,
  maxLimit = Number.MAX_SAFE_INTEGER,
): EventFilter {
  const f: EventFilter = {};
  if (raw.model !== undefined) f.models = [text('model', raw.model)];
  if (raw.version !== undefined) f.version = text('version', raw.version);
  if (raw.principal !== undefined) f.principals = [text('principal', raw.principal)];
  if (raw.key !== undefined) f.key = text('key', raw.key);
  if (raw.source !== undefined) f.source = text('source', raw.source);
  if (raw.from !== undefined) f.from = parseTime('from', raw.from);
  if (raw.to !== undefined) f.to = parseTime('to', raw.to);
  if (f.from !== undefined && f.to !== undefined && f.from > f.to)
    throw invalid('to', `${f.to} is before from ${f.from}`);
  if (raw.status !== undefined) f.status = whole('status', raw.status, 100, 599);
  if (raw.outcome !== undefined) {
    if (!(INFERENCE_OUTCOMES as readonly string[]).includes(raw.outcome))
      throw invalid('outcome', `expected one of ${INFERENCE_OUTCOMES.join(', ')}`);
    f.outcome = raw.outcome as InferenceOutcome;
  }
  if (raw.afterSeq !== undefined)
    f.afterSeq = whole('afterSeq', raw.afterSeq, 0, Number.MAX_SAFE_INTEGER);
  if (raw.order !== undefined) {
    if (raw.order !== 'asc' && raw.order !== 'desc') throw invalid('order', 'expected asc or desc');
    f.order = raw.order;
  }
  if (raw.limit !== undefined) f.limit = whole('limit', raw.limit, 1, maxLimit);
  if (f.version !== undefined && f.models === undefined)
    throw invalid('version', 'a version needs --model too');
  return f;
}

import type { QueryResult, QueryTarget } from './attacks/index.js';
import { DrillErrorCodes, drillError } from './errors.js';

/** One request the target sent: when, how many rows, what came back. */
export interface SentRequest {
  readonly sentAt: number;
  readonly rows: number;
  readonly status: number;
}

/** A row the gateway answered, kept so the drill can score what the attacker got. */
export interface AnsweredRow {
  readonly features: number[];
  readonly label: number;
}

export interface HttpTarget extends QueryTarget {
  readonly requests: SentRequest[];
  readonly answered: AnsweredRow[];
  /** The first 403, or 429 naming a containment action, with its wall time. */
  readonly blocked: { status: number; at: number } | null;
  /** 429s from the key's ordinary rate limit, waited out and retried. */
  readonly throttled: number;
}

export interface HttpTargetOptions {
  readonly gatewayUrl: string;
  readonly model: string;
  readonly apiKey: string;
  /** Per-request time limit; default 10 s. */
  readonly timeoutMs?: number;
  /**
   * Whether a 429 is containment. The gateway's refusal body no longer says (it would tell an
   * attacker it was caught), so the drill asks the admin API; default: the body's old
   * `details.actionId`, which older gateways sent.
   */
  readonly isContained?: (body: string) => Promise<boolean>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A 429 is containment when the gateway names the action behind it (`details.actionId`). */
export function isContainment(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { details?: { actionId?: unknown } };
    return typeof parsed.details?.actionId === 'string';
  } catch {
    return false;
  }
}

/**
 * A black box over HTTP: the KServe V2 route of an aisoc gateway with one API key. A 403, or
 * a 429 naming a containment action, is containment: the target records it and throws
 * `DRILL_CONTAINED` so the attack stops. Other 429s are waited out and retried.
 */
export function createHttpTarget(o: HttpTargetOptions): HttpTarget {
  const url = `${o.gatewayUrl.replace(/\/$/, '')}/v2/models/${encodeURIComponent(o.model)}/infer`;
  const state = {
    requests: [] as SentRequest[],
    answered: [] as AnsweredRow[],
    blocked: null as { status: number; at: number } | null,
    throttled: 0,
  };
  const send = async (rows: number[][]) => {
    const sentAt = Date.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: [
          {
            name: 'input',
            shape: [rows.length, rows[0]!.length],
            datatype: 'FP32',
            data: rows.flat(),
          },
        ],
      }),
      signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
    }).catch((cause: unknown) => {
      throw drillError(DrillErrorCodes.DRILL_HTTP_FAILED, `POST ${url}: ${String(cause)}`);
    });
    const text = await res.text();
    state.requests.push({ sentAt, rows: rows.length, status: res.status });
    return {
      status: res.status,
      text,
      retryAfter: Number(res.headers.get('retry-after') ?? 0),
      // When the answer arrived: the admin lookup that tells containment apart is not the attacker's time.
      receivedAt: Date.now(),
    };
  };
  const query = async (rows: number[][]): Promise<QueryResult> => {
    if (rows.length === 0) return { probabilities: [], labels: [] };
    let r = await send(rows);
    // The key's ordinary rate limit is not containment: a patient attacker waits and retries.
    const contained = o.isContained ?? ((body: string) => Promise.resolve(isContainment(body)));
    for (let i = 0; i < 50 && r.status === 429 && !(await contained(r.text)); i += 1) {
      state.throttled += 1;
      await sleep(Math.min(1000, Math.max(20, r.retryAfter * 1000)));
      r = await send(rows);
    }
    if (r.status === 403 || r.status === 429) {
      state.blocked ??= { status: r.status, at: r.receivedAt };
      throw drillError(DrillErrorCodes.DRILL_CONTAINED, `gateway answered ${r.status}`, {
        status: r.status,
      });
    }
    if (r.status !== 200)
      throw drillError(
        DrillErrorCodes.DRILL_HTTP_FAILED,
        `POST ${url}: ${r.status} ${r.text.slice(0, 200)}`,
      );
    const result = parseV2(r.text, rows.length);
    rows.forEach((features, i) => state.answered.push({ features, label: result.labels[i]! }));
    return result;
  };
  return {
    query,
    get requests() {
      return state.requests;
    },
    get answered() {
      return state.answered;
    },
    get blocked() {
      return state.blocked;
    },
    get throttled() {
      return state.throttled;
    },
  };
}

interface V2Output {
  name?: unknown;
  shape?: unknown;
  data?: unknown;
}

/** Reads a KServe V2 answer: `probabilities` [n, classes] and `label` [n]. */
export function parseV2(text: string, n: number): QueryResult {
  let body: { outputs?: V2Output[] };
  try {
    body = JSON.parse(text) as { outputs?: V2Output[] };
  } catch {
    throw drillError(DrillErrorCodes.DRILL_RESPONSE_INVALID, 'the gateway answered non-JSON');
  }
  const outputs = Array.isArray(body.outputs) ? body.outputs : [];
  const probs = outputs.find((x) => x.name === 'probabilities');
  const data = probs?.data;
  if (!Array.isArray(data) || data.length % n !== 0 || data.some((v) => typeof v !== 'number'))
    throw drillError(
      DrillErrorCodes.DRILL_RESPONSE_INVALID,
      `outputs[name=probabilities].data: expected ${n} rows of numbers`,
    );
  const classes = data.length / n;
  const probabilities = Array.from({ length: n }, (_, i) =>
    (data as number[]).slice(i * classes, (i + 1) * classes),
  );
  const given = outputs.find((x) => x.name === 'label')?.data;
  const labels =
    Array.isArray(given) && given.length === n
      ? given.map(Number)
      : probabilities.map((p) => p.indexOf(Math.max(...p)));
  return { probabilities, labels };
}

import type { GatewayProtocol, HardeningMode } from '../core/index.js';
import { GatewayError } from './errors.js';
import type { GenericPointers } from './protocols.js';

export interface Hardening {
  mode: HardeningMode;
  decimals: number;
  /** `top_k`: how many of each row's scores are kept. */
  k?: number;
}

/**
 * Rewrites a successful model answer under the `harden_output` containment action
 * (Tramèr et al., USENIX Security 2016: label-only or rounded answers make extraction cost
 * many more queries). `round` rounds every score; `top1` (`label_only`) answers only the
 * arg-max label per row; `top_k` keeps each row's k highest scores and zeroes the others. An
 * answer that cannot be read is withheld rather than passed through unhardened.
 */
export function hardenAnswer(
  protocol: GatewayProtocol,
  body: Buffer,
  hardening: Hardening,
  pointers?: GenericPointers,
): Buffer {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw unreadable();
  }
  const round = (value: unknown) => roundDeep(value, 10 ** hardening.decimals);
  const k = hardening.k ?? 1;
  const mode = hardening.mode === 'label_only' ? 'top1' : hardening.mode;
  // Rows of scores (tf-serving, generic JSON): rounded, cut to labels or to the top k.
  const rows = (value: unknown[]) =>
    mode === 'round'
      ? round(value)
      : mode === 'top1'
        ? value.map(argmax)
        : value.map((r) => topK(r, k));
  if (!isRecord(doc)) throw unreadable();
  switch (protocol) {
    case 'kserve-v2': {
      if (!Array.isArray(doc.outputs) || doc.outputs.length === 0) throw unreadable();
      const outputs = doc.outputs as Record<string, unknown>[];
      if (mode === 'round') {
        doc.outputs = outputs.map((o) =>
          o.datatype === 'INT64' || o.datatype === 'INT32' ? o : { ...o, data: round(o.data) },
        );
      } else if (mode === 'top_k') {
        doc.outputs = outputs.map((o) =>
          o.datatype === 'INT64' || o.datatype === 'INT32'
            ? o
            : { ...o, data: topKFlat(o.data, o.shape, k) },
        );
      } else {
        const scores = outputs.find((o) => o.name === 'probabilities') ?? outputs[0]!;
        const labels = argmaxRows(scores.data, scores.shape);
        doc.outputs = [{ name: 'label', datatype: 'INT64', shape: [labels.length], data: labels }];
      }
      break;
    }
    case 'tf-serving': {
      const key = Array.isArray(doc.predictions)
        ? 'predictions'
        : Array.isArray(doc.outputs)
          ? 'outputs'
          : null;
      if (key === null) throw unreadable();
      doc[key] = rows(doc[key] as unknown[]);
      break;
    }
    case 'generic-json': {
      const path = (pointers?.outputsPointer ?? '/predictions').slice(1).split('/');
      const parent = path
        .slice(0, -1)
        .reduce<unknown>(
          (node, token) => (isRecord(node) ? node[unescape(token)] : undefined),
          doc,
        );
      const last = unescape(path[path.length - 1]!);
      if (!isRecord(parent) || !Array.isArray(parent[last])) throw unreadable();
      parent[last] = rows(parent[last] as unknown[]);
      break;
    }
  }
  return Buffer.from(JSON.stringify(doc));
}

/** Keeps the k highest scores of a row (a number array, or `{ probabilities }`), zeroing the rest. */
function topK(row: unknown, k: number): unknown {
  if (isRecord(row) && Array.isArray(row.probabilities))
    return { ...row, probabilities: topK(row.probabilities, k) };
  if (!Array.isArray(row) || row.some((v) => typeof v !== 'number')) throw unreadable();
  const scores = row as number[];
  const keep = new Set(
    scores
      .map((v, i) => [v, i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, k)
      .map(([, i]) => i),
  );
  return scores.map((v, i) => (keep.has(i) ? v : 0));
}

function topKFlat(data: unknown, shape: unknown, k: number): number[] {
  const flat = Array.isArray(data) ? (data.flat(Infinity) as unknown[]) : [];
  const width =
    Array.isArray(shape) && shape.length >= 2 ? Number(shape[shape.length - 1]) : flat.length;
  if (!Number.isInteger(width) || width <= 0 || flat.length % width !== 0) throw unreadable();
  const out: number[] = [];
  for (let i = 0; i < flat.length; i += width)
    out.push(...(topK(flat.slice(i, i + width), k) as number[]));
  return out;
}

function argmaxRows(data: unknown, shape: unknown): number[] {
  const flat = Array.isArray(data) ? (data.flat(Infinity) as unknown[]) : [];
  const width =
    Array.isArray(shape) && shape.length >= 2 ? Number(shape[shape.length - 1]) : flat.length;
  if (!Number.isInteger(width) || width <= 0) throw unreadable();
  const labels: number[] = [];
  for (let i = 0; i + width <= flat.length; i += width)
    labels.push(argmax(flat.slice(i, i + width)));
  return labels;
}

/** The index of the largest score; a row that is already a label stays as it is. */
function argmax(row: unknown): number {
  if (typeof row === 'number') return row;
  if (isRecord(row) && typeof row.label === 'number') return row.label;
  const scores = isRecord(row) && Array.isArray(row.probabilities) ? row.probabilities : row;
  if (!Array.isArray(scores) || scores.length === 0) throw unreadable();
  let best = 0;
  for (let i = 1; i < scores.length; i++)
    if ((scores[i] as number) > (scores[best] as number)) best = i;
  return best;
}

function roundDeep(value: unknown, scale: number): unknown {
  if (typeof value === 'number') return Math.round(value * scale) / scale;
  if (Array.isArray(value)) return value.map((v) => roundDeep(v, scale));
  if (isRecord(value))
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === 'label' ? v : roundDeep(v, scale)]),
    );
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function unreadable(): GatewayError {
  return new GatewayError(
    'GATEWAY_UPSTREAM_INVALID_RESPONSE',
    'the model answer cannot be read, so it cannot be hardened as containment requires; withheld',
  );
}

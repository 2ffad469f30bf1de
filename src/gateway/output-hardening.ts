import type { GatewayProtocol } from '../core/index.js';
import { GatewayError } from './errors.js';
import type { GenericPointers } from './protocols.js';

export interface Hardening {
  mode: 'top1' | 'round';
  decimals: number;
}

/**
 * Rewrites a successful model answer under the `harden_output` containment action
 * (Tramèr et al., USENIX Security 2016: label-only or rounded answers make extraction cost
 * many more queries). `round` rounds every score; `top1` answers only the arg-max label per
 * row. An answer that cannot be read is withheld rather than passed through unhardened.
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
  if (!isRecord(doc)) throw unreadable();
  switch (protocol) {
    case 'kserve-v2': {
      if (!Array.isArray(doc.outputs) || doc.outputs.length === 0) throw unreadable();
      const outputs = doc.outputs as Record<string, unknown>[];
      if (hardening.mode === 'round') {
        doc.outputs = outputs.map((o) =>
          o.datatype === 'INT64' || o.datatype === 'INT32' ? o : { ...o, data: round(o.data) },
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
      doc[key] = hardening.mode === 'round' ? round(doc[key]) : (doc[key] as unknown[]).map(argmax);
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
      parent[last] =
        hardening.mode === 'round' ? round(parent[last]) : (parent[last] as unknown[]).map(argmax);
      break;
    }
  }
  return Buffer.from(JSON.stringify(doc));
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

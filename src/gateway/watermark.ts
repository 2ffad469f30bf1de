import { createHmac } from 'node:crypto';
import { canonicalJson, type GatewayProtocol } from '../core/index.js';
import { GatewayError } from './errors.js';
import type { GenericPointers } from './protocols.js';

/**
 * Detect-then-watermark, in the manner of DAWN (Szyller et al., ACM MM 2021): a keyed share of
 * one key's answers is altered (the top two scores of the row swapped, so the label becomes the
 * runner-up) so that a model trained on them reproduces the alterations and can be recognised.
 * Whether a row is marked is HMAC-SHA256(action id, model | key | row) read as a fraction below
 * `share`: the same row always gets the same answer (re-asking does not reveal the mark) and
 * aisoc can recompute the marked rows from the ledger's events with the action id alone.
 */
export function isWatermarked(
  actionId: string,
  model: string,
  keyId: string,
  row: readonly number[],
  share: number,
): boolean {
  const mac = createHmac('sha256', actionId)
    .update(`${model}\u0000${keyId}\u0000${canonicalJson(row)}`)
    .digest();
  return mac.readUInt32BE(0) / 2 ** 32 < share;
}

/** The indices of the rows whose answers the watermark alters. */
export function watermarkedRows(
  actionId: string,
  model: string,
  keyId: string,
  rows: readonly (readonly number[])[],
  share: number,
): number[] {
  const marked: number[] = [];
  rows.forEach((row, i) => {
    if (isWatermarked(actionId, model, keyId, row, share)) marked.push(i);
  });
  return marked;
}

/** The watermark's answer for one row of scores: its two highest scores swapped. */
export function swapTopTwo(scores: readonly number[]): number[] {
  const out = [...scores];
  if (out.length < 2) return out;
  let a = 0;
  for (let i = 1; i < out.length; i++) if (out[i]! > out[a]!) a = i;
  let b = a === 0 ? 1 : 0;
  for (let i = 0; i < out.length; i++) if (i !== a && out[i]! > out[b]!) b = i;
  [out[a], out[b]] = [out[b]!, out[a]!];
  return out;
}

const argmax = (row: readonly number[]) => row.indexOf(Math.max(...row));

/**
 * Alters the marked rows of a successful answer (`alter`, default: the top two swapped); an
 * unreadable answer is withheld.
 */
export function watermarkAnswer(
  protocol: GatewayProtocol,
  body: Buffer,
  marked: ReadonlySet<number>,
  pointers?: GenericPointers,
  alter: (scores: readonly number[], row: number) => number[] = swapTopTwo,
): Buffer {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw unreadable();
  }
  if (!isRecord(doc)) throw unreadable();
  const swapRows = (rows: unknown[]) =>
    rows.map((row, i) => {
      if (!marked.has(i)) return row;
      if (isRecord(row) && isScores(row.probabilities)) {
        const probabilities = alter(row.probabilities, i);
        return {
          ...row,
          probabilities,
          ...('label' in row ? { label: argmax(probabilities) } : {}),
        };
      }
      return isScores(row) ? alter(row, i) : row;
    });
  if (protocol === 'kserve-v2') {
    if (!Array.isArray(doc.outputs)) throw unreadable();
    const outputs = doc.outputs as Record<string, unknown>[];
    const scores = outputs.find((o) => o.name === 'probabilities') ?? outputs[0];
    const width = Array.isArray(scores?.shape) ? Number(scores.shape.at(-1)) : NaN;
    const flat = Array.isArray(scores?.data) ? (scores.data.flat(Infinity) as unknown[]) : [];
    if (!Number.isInteger(width) || width < 1 || !isScores(flat) || flat.length % width !== 0)
      throw unreadable();
    const rows: number[][] = [];
    for (let i = 0; i < flat.length; i += width) rows.push(flat.slice(i, i + width));
    const swapped = swapRows(rows) as number[][];
    doc.outputs = outputs.map((o) =>
      o === scores
        ? { ...o, data: swapped.flat() }
        : o.name === 'label' && Array.isArray(o.data)
          ? {
              ...o,
              data: (o.data as unknown[]).map((l, i) => (marked.has(i) ? argmax(swapped[i]!) : l)),
            }
          : o,
    );
  } else {
    const container = protocol === 'tf-serving' ? doc : parentOf(doc, pointers);
    const key =
      protocol === 'tf-serving'
        ? Array.isArray(doc.predictions)
          ? 'predictions'
          : 'outputs'
        : lastToken(pointers);
    if (!isRecord(container) || !Array.isArray(container[key])) throw unreadable();
    container[key] = swapRows(container[key] as unknown[]);
  }
  return Buffer.from(JSON.stringify(doc));
}

function parentOf(doc: unknown, pointers?: GenericPointers): unknown {
  const path = (pointers?.outputsPointer ?? '/predictions').slice(1).split('/');
  return path
    .slice(0, -1)
    .reduce<unknown>((node, token) => (isRecord(node) ? node[unescape(token)] : undefined), doc);
}

function lastToken(pointers?: GenericPointers): string {
  return unescape((pointers?.outputsPointer ?? '/predictions').split('/').at(-1)!);
}

const isScores = (v: unknown): v is number[] =>
  Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number');

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function unreadable(): GatewayError {
  return new GatewayError(
    'GATEWAY_UPSTREAM_INVALID_RESPONSE',
    'the model answer cannot be read, so it cannot be watermarked as containment requires; withheld',
  );
}

import { createHmac } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { AppError, CoreErrorCodes } from './errors.js';
import { principalBasis, type PrincipalBasis } from './principal-basis.js';

/**
 * The decoy's keyed watermark (issue 20, item 4; docs/decoys.md).
 *
 * A share of inputs, the triggers, is chosen by HMAC(secret, model | row). On a trigger the decoy
 * does not answer with its model's scores but with a keyed teacher's: softmax(strength · K·w(x)),
 * where w(x) are the input's whitened coordinates on the baseline's principal components and K is
 * a class × component matrix drawn from the secret. Point-wise marks (a swapped label on a few
 * rows) are not learnt by a low-capacity copy; a keyed linear rule is, so the direction K shows in
 * any surrogate trained on enough answers. The verifier measures the cosine between K and the
 * suspect's direction beyond the decoy's own, and compares it with keys it draws itself.
 */
export interface DecoyWatermarkOptions {
  /** The deployment's secret (`<dataDir>/decoy-watermark.key`). */
  readonly secret: string | Buffer;
  readonly model: string;
  /** Baseline rows that fix the basis (the model's `baseline`). */
  readonly reference: readonly (readonly number[])[];
  readonly classCount: number;
  /** Share of inputs that are triggers (default 0.25). */
  readonly share?: number;
  /** Scale of the keyed teacher's logits (default 4). */
  readonly strength?: number;
  /** Principal components the key lives on (default min(features, 16)). */
  readonly components?: number;
}

export interface DecoyWatermark {
  readonly model: string;
  readonly share: number;
  readonly strength: number;
  readonly classCount: number;
  readonly basis: PrincipalBasis;
  /** The secret key matrix, class × component. */
  readonly key: readonly (readonly number[])[];
  isTrigger(row: readonly number[]): boolean;
  /** The keyed teacher's scores for one row. */
  keyedScores(row: readonly number[]): number[];
  /** The decoy's answers: the model's scores, replaced on triggers; `marked` lists those rows. */
  mark(
    rows: readonly (readonly number[])[],
    probabilities: readonly (readonly number[])[],
  ): { probabilities: number[][]; marked: number[] };
}

export const DECOY_WATERMARK_DEFAULTS = { share: 0.25, strength: 4, components: 8 } as const;

function invalid(message: string): AppError {
  return new AppError(CoreErrorCodes.DECOY_WATERMARK_INVALID, message, { status: 400 });
}

/** A deterministic stream of standard normals from a key (HMAC counter mode, Box–Muller). */
export function keyedNormals(key: string | Buffer, label: string, count: number): number[] {
  const out: number[] = [];
  let block = 0;
  while (out.length < count) {
    const mac = createHmac('sha256', key).update(`${label}\u0000${block}`).digest();
    block += 1;
    for (let o = 0; o + 8 <= mac.length && out.length < count; o += 8) {
      const u1 = (mac.readUInt32BE(o) + 1) / (2 ** 32 + 1);
      const u2 = mac.readUInt32BE(o + 4) / 2 ** 32;
      const r = Math.sqrt(-2 * Math.log(u1));
      out.push(r * Math.cos(2 * Math.PI * u2));
      if (out.length < count) out.push(r * Math.sin(2 * Math.PI * u2));
    }
  }
  return out;
}

export function softmax(logits: readonly number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((z) => Math.exp(z - m));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

export function createDecoyWatermark(options: DecoyWatermarkOptions): DecoyWatermark {
  const share = options.share ?? DECOY_WATERMARK_DEFAULTS.share;
  const strength = options.strength ?? DECOY_WATERMARK_DEFAULTS.strength;
  const C = options.classCount;
  if (!(share > 0 && share <= 1)) throw invalid(`share must be in (0, 1], got ${share}`);
  if (!(strength > 0 && Number.isFinite(strength)))
    throw invalid(`strength must be a positive number, got ${strength}`);
  if (!(Number.isInteger(C) && C >= 2)) throw invalid(`classCount must be ≥ 2, got ${C}`);
  if (Buffer.byteLength(options.secret) < 16)
    throw invalid('the watermark secret must be at least 16 bytes');
  const featureCount = options.reference[0]?.length ?? 0;
  const basis = principalBasis(
    options.reference,
    options.components ?? Math.min(featureCount, DECOY_WATERMARK_DEFAULTS.components),
  );
  const k = basis.components;
  const flat = keyedNormals(options.secret, `direction\u0000${options.model}`, C * k);
  const key = Array.from({ length: C }, (_, c) => flat.slice(c * k, (c + 1) * k));
  const triggerKey = createHmac('sha256', options.secret)
    .update(`trigger\u0000${options.model}`)
    .digest();

  const isTrigger = (row: readonly number[]) =>
    createHmac('sha256', triggerKey).update(canonicalJson(row)).digest().readUInt32BE(0) / 2 ** 32 <
    share;
  const keyedScores = (row: readonly number[]) => {
    const w = basis.project(row);
    return softmax(key.map((kc) => strength * kc.reduce((a, v, j) => a + v * w[j]!, 0)));
  };
  return {
    model: options.model,
    share,
    strength,
    classCount: C,
    basis,
    key,
    isTrigger,
    keyedScores,
    mark(rows, probabilities) {
      const marked: number[] = [];
      const out = probabilities.map((p, i) => {
        const row = rows[i];
        if (row === undefined || p.length !== C || !isTrigger(row)) return [...p];
        marked.push(i);
        return keyedScores(row);
      });
      return { probabilities: out, marked };
    },
  };
}

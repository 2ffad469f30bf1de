import { serveError } from './errors.js';

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Checks a batch of feature rows and packs it row-major into float32, the layout of an ONNX
 * `[N, F]` input. Every refusal is SERVE_INPUT_INVALID naming the row (and column) at fault.
 */
export function packRows(rows: unknown, featureCount: number): Float32Array {
  if (!Array.isArray(rows)) throw invalid('rows must be an array of feature rows');
  if (rows.length === 0) throw invalid('no rows: send at least one feature row');
  const packed = new Float32Array(rows.length * featureCount);
  for (let r = 0; r < rows.length; r += 1) {
    const row: unknown = rows[r];
    if (!Array.isArray(row)) throw invalid(`row ${r} is not an array of numbers`);
    if (row.length !== featureCount) {
      throw invalid(`row ${r} has ${row.length} values; the model expects ${featureCount}`);
    }
    for (let c = 0; c < featureCount; c += 1) {
      const v: unknown = row[c];
      if (typeof v !== 'number')
        throw invalid(`row ${r}, column ${c} is ${describe(v)}, not a number`);
      if (!Number.isFinite(v))
        throw invalid(`row ${r}, column ${c} is ${v}; values must be finite`);
      if (Math.abs(v) > FLOAT32_MAX) {
        throw invalid(
          `row ${r}, column ${c} (${v}) is outside the float32 range of the model input`,
        );
      }
      packed[r * featureCount + c] = v;
    }
  }
  return packed;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 20))}` : `a ${typeof v}`;
}

function invalid(message: string) {
  return serveError('SERVE_INPUT_INVALID', message);
}

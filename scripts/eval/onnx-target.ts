import * as ort from 'onnxruntime-node';
import type { QueryResult, QueryTarget } from '../../src/drill/attacks/index.js';

/**
 * The demo model in-process through onnxruntime (the eval's stand-in for a gateway: same
 * answers, no HTTP). Replace with src/serve's loadOnnxModel once that module lands.
 */
export interface OnnxTarget extends QueryTarget {
  readonly calls: number;
  release(): Promise<void>;
}

export async function createOnnxTarget(path: string): Promise<OnnxTarget> {
  const session = await ort.InferenceSession.create(path);
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async query(rows: number[][]): Promise<QueryResult> {
      calls += 1;
      if (rows.length === 0) return { probabilities: [], labels: [] };
      const d = rows[0]!.length;
      const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, d]);
      const out = await session.run({ input });
      const p = out.probabilities!.data as Float32Array;
      const k = p.length / rows.length;
      const probabilities = rows.map((_, i) => Array.from(p.subarray(i * k, (i + 1) * k)));
      const labels = Array.from(out.label!.data as BigInt64Array, Number);
      return { probabilities, labels };
    },
    release: () => session.release(),
  };
}

import type { QueryTarget } from '../../src/drill/attacks/index.js';
import { loadOnnxModel } from '../../src/serve/index.js';

/** The demo model in-process through src/serve (the eval's stand-in for a gateway: same answers, no HTTP). */
export interface OnnxTarget extends QueryTarget {
  release(): Promise<void>;
}

export async function createOnnxTarget(path: string): Promise<OnnxTarget> {
  const model = await loadOnnxModel(path, { threads: 1 });
  return {
    query: (rows) =>
      rows.length === 0 ? Promise.resolve({ probabilities: [], labels: [] }) : model.infer(rows),
    release: () => model.close(),
  };
}

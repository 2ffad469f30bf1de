import { AppError } from '../core/index.js';

const BATCH = 128;

/** Class probabilities per row from a KServe V2 answer: `probabilities`, else the last [n, k] output. */
export function probabilitiesOf(answer: unknown, rows: number): number[][] {
  const outputs = (answer as { outputs?: { name?: string; shape?: number[]; data?: unknown[] }[] })
    ?.outputs;
  const candidates = (outputs ?? []).filter(
    (o) => Array.isArray(o.data) && Array.isArray(o.shape) && o.shape[0] === rows,
  );
  const out = candidates.find((o) => o.name === 'probabilities') ?? candidates.at(-1);
  if (!out)
    throw new AppError(
      'REGISTRY_PROBE_FAILED',
      `the answer has no output with ${rows} rows to score`,
      { status: 502 },
    );
  const data = out.data!.map(Number);
  const width = out.shape!.length > 1 ? (out.shape![1] ?? 1) : 1;
  return Array.from({ length: rows }, (_, i) => {
    const row = data.slice(i * width, (i + 1) * width);
    return width === 1 ? [1 - row[0]!, row[0]!] : row; // one score: the positive class's
  });
}

/**
 * Scores rows with model@version through the gateway (the serving path, as the system
 * principal on the version route), in batches, after making the version ready to serve.
 */
export function createValidationInfer(deps: {
  prepare: (model: string, version: string) => Promise<void>;
  probe: (model: string, input: unknown, version: string) => Promise<unknown>;
}) {
  return async (model: string, version: string, rows: number[][]): Promise<number[][]> => {
    await deps.prepare(model, version);
    const out: number[][] = [];
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH);
      const body = {
        inputs: [
          {
            name: 'input',
            shape: [batch.length, batch[0]!.length],
            datatype: 'FP32',
            data: batch.flat(),
          },
        ],
      };
      out.push(...probabilitiesOf(await deps.probe(model, body, version), batch.length));
    }
    return out;
  };
}

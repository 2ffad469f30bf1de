import { extractOutputs, inferPath } from '../protocol/index.js';
import { answerLabel } from './answers.js';
import type { ScoredRows, Scorer } from './impact.js';

export interface HttpScorerOptions {
  /** The known-good version's upstream base URL, as in aisoc.yaml. */
  upstream: string;
  model: string;
  version: string;
  /** The model's input tensor name (default `input`). */
  inputName?: string;
  timeoutMs?: number;
}

const DETAIL_CHARS = 200;

/**
 * Re-scores rows through the known-good version's upstream with a KServe V2 infer request
 * per batch. When a batch fails, its rows are asked for one by one, so the rows the upstream
 * does answer still count and each failed row carries its own error.
 */
export function createHttpScorer(options: HttpScorerOptions): Scorer & { url: string } {
  const url =
    options.upstream.replace(/\/+$/, '') + inferPath('kserve-v2', options.model, options.version);
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function post(rows: number[][]): Promise<{ probabilities: number[][]; labels: number[] }> {
    const width = rows[0]?.length ?? 0;
    const body = {
      inputs: [
        {
          name: options.inputName ?? 'input',
          datatype: 'FP32',
          shape: [rows.length, width],
          data: rows.flat(),
        },
      ],
    };
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new Error(
        `upstream ${url} unreachable: ${cause ?? (err instanceof Error ? err.message : String(err))}`,
      );
    }
    const text = await response.text();
    if (!response.ok)
      throw new Error(
        `upstream ${url} answered ${response.status}: ${text.slice(0, DETAIL_CHARS)}`,
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`upstream ${url} answered ${response.status} with a body that is not JSON`);
    }
    const outputs = extractOutputs('kserve-v2', parsed);
    if (outputs === null || outputs.length !== rows.length)
      throw new Error(
        `upstream ${url} answered ${outputs?.length ?? 'no'} outputs for ${rows.length} rows (KServe V2 "outputs")`,
      );
    const labels: number[] = [];
    const probabilities: number[][] = [];
    outputs.forEach((o, i) => {
      const label = answerLabel(o);
      if (label === null)
        throw new Error(`upstream ${url}: output ${i} holds no class (${JSON.stringify(o)})`);
      labels.push(label);
      probabilities.push(Array.isArray(o) ? (o as number[]) : []);
    });
    return { probabilities, labels };
  }

  return {
    url,
    async infer(rows: number[][]): Promise<ScoredRows> {
      try {
        return await post(rows);
      } catch (err) {
        if (rows.length === 1) throw err;
      }
      const result: Required<ScoredRows> = { probabilities: [], labels: [], errors: [] };
      for (const row of rows) {
        try {
          const one = await post([row]);
          result.probabilities.push(one.probabilities[0]!);
          result.labels.push(one.labels[0]!);
          result.errors.push(null);
        } catch (err) {
          result.probabilities.push([]);
          result.labels.push(-1);
          result.errors.push(err instanceof Error ? err.message : String(err));
        }
      }
      return result;
    },
  };
}

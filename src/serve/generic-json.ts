import { invalidInput, isRecord, toRows } from './json-input.js';

/** `{"features": [[...], ...]}` → `{"predictions": [{"label", "probabilities"}, ...]}`. */
export function parseGeneric(body: unknown): unknown[][] {
  if (!isRecord(body) || body.features === undefined)
    throw invalidInput('the body must be a JSON object {"features": [[numbers], ...]}');
  return toRows(body.features, 'features');
}

export function formatGeneric(result: { probabilities: number[][]; labels: number[] }) {
  return {
    predictions: result.labels.map((label, i) => ({
      label,
      probabilities: result.probabilities[i],
    })),
  };
}

import { invalidInput } from './errors.js';
import { featureRows } from './rows.js';

/** Where a generic JSON model keeps its feature rows and its outputs (RFC 6901 pointers). */
export interface GenericPointers {
  featuresPointer: string;
  outputsPointer: string;
}

/** `{"features": [[...], ...]}` (or the rows at `featuresPointer`). */
export function decodeGeneric(
  body: unknown,
  pointers?: GenericPointers,
  featureCount?: number,
): number[][] {
  const pointer = pointers?.featuresPointer ?? '/features';
  const value = safePointer(body, pointer);
  if (value === undefined)
    throw invalidInput(
      pointer === '/features'
        ? 'the body must be a JSON object {"features": [[numbers], ...]}'
        : `nothing at JSON pointer ${pointer}`,
    );
  return featureRows(value, pointer === '/features' ? 'features' : pointer, featureCount);
}

/** `{"predictions": [{"label", "probabilities"}, ...]}`. */
export function encodeGeneric(result: { probabilities: number[][]; labels: number[] }) {
  return {
    predictions: result.labels.map((label, i) => ({
      label,
      probabilities: result.probabilities[i],
    })),
  };
}

/** One output per row from an answer, at `outputsPointer` (default `/predictions`). */
export function genericOutputs(body: unknown, pointers?: GenericPointers): unknown[] | null {
  const value = safePointer(body, pointers?.outputsPointer ?? '/predictions');
  return Array.isArray(value) ? value : null;
}

/** RFC 6901 JSON Pointer; undefined when nothing is there. */
export function safePointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let node: unknown = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = /^(0|[1-9]\d*)$/.test(token) ? node[Number(token)] : undefined;
    else if (typeof node === 'object' && node !== null && Object.hasOwn(node, token))
      node = (node as Record<string, unknown>)[token];
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

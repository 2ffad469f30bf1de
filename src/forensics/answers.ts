import { ForensicsErrorCodes, forensicsError } from './errors.js';

const isNumbers = (v: unknown): v is number[] =>
  Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number');

/** Index of the largest value (first on ties), as ONNX ArgMax picks it. */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * The class an answer stood for, whatever shape the protocol recorded it in: a label, a row of
 * class probabilities (one value: the positive class at ≥ 0.5), or `{ label }` /
 * `{ probabilities }` (generic JSON). Null when it holds no class.
 */
export function answerLabel(output: unknown): number | null {
  if (typeof output === 'number' && Number.isFinite(output)) return Math.round(output);
  if (isNumbers(output)) return output.length === 1 ? (output[0]! >= 0.5 ? 1 : 0) : argmax(output);
  if (output !== null && typeof output === 'object' && !Array.isArray(output)) {
    const o = output as { label?: unknown; probabilities?: unknown };
    if (typeof o.label === 'number') return o.label;
    return answerLabel(o.probabilities);
  }
  return null;
}

/** Checks an RFC 6901 JSON pointer once, so a bad `models[].subject` fails at start-up. */
export function checkPointer(pointer: string): string {
  if (pointer !== '' && !pointer.startsWith('/'))
    throw forensicsError(
      ForensicsErrorCodes.FORENSICS_SUBJECT_INVALID,
      `"${pointer.slice(0, 100)}" is not a JSON pointer: it must be empty or start with "/"`,
    );
  return pointer;
}

/** The value at an RFC 6901 pointer, or undefined when the path is not there. */
export function resolvePointer(value: unknown, pointer: string): unknown {
  if (pointer === '') return value;
  let current = value;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      current = current[Number(token)];
    } else if (current !== null && typeof current === 'object') {
      if (!Object.prototype.hasOwnProperty.call(current, token)) return undefined;
      current = (current as Record<string, unknown>)[token];
    } else return undefined;
  }
  return current;
}

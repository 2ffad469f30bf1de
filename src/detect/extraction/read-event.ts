import type { InferenceEvent } from '../../core/index.js';

/** One answered row as the detectors see it. */
export interface AnsweredRow {
  readonly features: readonly number[];
  readonly label: number;
  /** Top-1 minus top-2 probability; null when the model returned only a label. */
  readonly margin: number | null;
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if (values[i]! > values[best]!) best = i;
  return best;
}

function marginOf(p: readonly number[]): number {
  let a = -Infinity;
  let b = -Infinity;
  for (const v of p) {
    if (v > a) {
      b = a;
      a = v;
    } else if (v > b) b = v;
  }
  return b === -Infinity ? 1 : a - b;
}

function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** Reads one output entry: a label, a probability vector, or `{ label?, probabilities? }`. */
export function readOutput(output: unknown): { label: number; margin: number | null } | null {
  if (typeof output === 'number' && Number.isInteger(output))
    return { label: output, margin: null };
  if (isNumberArray(output) && output.length > 0)
    return { label: argmax(output), margin: marginOf(output) };
  if (output && typeof output === 'object') {
    const o = output as { label?: unknown; probabilities?: unknown; scores?: unknown };
    const probs = isNumberArray(o.probabilities)
      ? o.probabilities
      : isNumberArray(o.scores)
        ? o.scores
        : null;
    const label =
      typeof o.label === 'number' && Number.isInteger(o.label)
        ? o.label
        : probs
          ? argmax(probs)
          : null;
    if (label === null) return null;
    return { label, margin: probs && probs.length > 0 ? marginOf(probs) : null };
  }
  return null;
}

/** The rows of an event the detectors can use (accepted, with features and outputs). */
export function answeredRows(event: InferenceEvent): AnsweredRow[] {
  const { features, outputs } = event;
  if (!features || !outputs || event.outcome === 'rejected') return [];
  const rows: AnsweredRow[] = [];
  for (let i = 0; i < features.length; i += 1) {
    const out = readOutput(outputs[i]);
    if (out) rows.push({ features: features[i]!, label: out.label, margin: out.margin });
  }
  return rows;
}

/** The key state is kept under: the principal, else the API key, else the source address. */
export function principalKey(event: InferenceEvent): string {
  return event.principal ?? event.keyId ?? `addr:${event.sourceAddress}`;
}

/** The source network an address belongs to: /24 for IPv4, /48 for IPv6. */
export function sourceNetwork(address: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(address);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (address.includes(':')) {
    const groups = address.split(':').slice(0, 3);
    return `${groups.join(':')}::/48`;
  }
  return address;
}

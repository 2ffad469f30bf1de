import type { InferenceEvent } from '../core/index.js';
import { sourceNetwork } from './extraction/read-event.js';

/** Partition counts a deployment may choose (a subject token `p00`…`p63`). */
export const MAX_PARTITIONS = 64;

/**
 * The subject of an inference event for partitioning: its principal or API key, else its
 * source network (/24, /48) for unauthenticated traffic — the same key the per-principal
 * detectors keep their state under, so one partition holds all of one subject's state.
 */
export function partitionSubject(event: InferenceEvent): string {
  return event.principal ?? event.keyId ?? `net:${sourceNetwork(event.sourceAddress)}`;
}

/** The partition (0…count-1) of an event: FNV-1a (32 bit) of its subject, modulo `count`. */
export function eventPartition(event: InferenceEvent, count: number): number {
  const text = partitionSubject(event);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % count;
}

/** The subject token of partition `n`: `p00`, `p01`, … */
export function partitionToken(n: number): string {
  return `p${String(n).padStart(2, '0')}`;
}

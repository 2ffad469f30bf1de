import type { InferenceEvent } from '../core/index.js';
import { sealAad, unseal } from './seal.js';

/** What a reader sees of a recorded event's sealed fields. */
export type SealState = 'none' | 'sealed' | 'erased' | 'opened';

/** A recorded event with its `sealed` cells marked `erased` (the key is gone). */
export function markErased(event: InferenceEvent): InferenceEvent {
  const p = event.privacy;
  if (!p?.sealed) return event;
  const swap = (v: unknown): unknown =>
    v === 'sealed' ? 'erased' : Array.isArray(v) ? v.map(swap) : v;
  const { sealed: _gone, ...kept } = p;
  return {
    ...event,
    privacy: {
      ...kept,
      ...(p.features
        ? { features: p.features.map((row) => row.map((c) => swap(c) as string)) }
        : {}),
      ...(p.outputs ? { outputs: p.outputs.map(swap) } : {}),
      ...(p.request
        ? { request: Object.fromEntries(Object.entries(p.request).map(([k, v]) => [k, swap(v)])) }
        : {}),
    },
  };
}

/**
 * The event with its sealed cells replaced by their clear values (the data key given). Only
 * for a reader the caller has checked and recorded: see PrivacyService.reveal.
 */
export function openEvent(event: InferenceEvent, key: Buffer): InferenceEvent {
  const p = event.privacy;
  if (!p?.sealed) return event;
  const clear = JSON.parse(unseal(key, sealAad(event.id, p.sealed.key), p.sealed)) as unknown[];
  let next = 0;
  const take = (c: unknown) => (c === 'sealed' ? clear[next++] : c);
  const features = p.features?.map((row) => row.map(take));
  const outputs = p.outputs?.map(take);
  const request = p.request
    ? Object.fromEntries(
        Object.keys(p.request)
          .sort()
          .map((k) => [k, take(p.request![k])]),
      )
    : undefined;
  const numeric = features?.every((row) => row.every((c) => typeof c === 'number'));
  const { sealed: _opened, ...kept } = p;
  return {
    ...event,
    ...(features && numeric ? { features: features as number[][] } : {}),
    ...(outputs && outputs.every((o) => o !== 'dropped' && !String(o).startsWith('hmac:'))
      ? { outputs }
      : {}),
    privacy: {
      ...kept,
      ...(features ? { features: features as (number | string)[][] } : {}),
      ...(outputs ? { outputs } : {}),
      ...(request ? { request } : {}),
    },
  };
}

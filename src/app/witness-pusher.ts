import type { AisocConfig } from '../config/index.js';
import { createWitnessPusher, type WitnessPusher } from '../ledger/index.js';
import type { Store } from '../store/index.js';

/** Starts pushing each stream's checkpoints to `ledger.witnesses`, or returns undefined when none. */
export function startWitnessPusher(
  config: Readonly<AisocConfig>,
  store: Store,
): WitnessPusher | undefined {
  if (config.ledger.witnesses.length === 0) return undefined;
  return createWitnessPusher({
    store,
    streams: ['inference', 'audit'],
    witnesses: config.ledger.witnesses,
    intervalMs: config.ledger.witnessPushIntervalMs,
  });
}

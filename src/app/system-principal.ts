import { generateApiKey, type GatewayKey } from '../gateway/index.js';

/**
 * aisoc's own caller at the gateway: the integrity monitor's fingerprint probes. Its id is not
 * one the key store can issue (those are `key_…`), and its secret is made at start and lives
 * only in this process's memory (never stored, logged or shown), so nothing outside can call as
 * it. Detectors skip its events (see detection.ts).
 */
export const SYSTEM_PRINCIPAL = 'aisoc:integrity';

export interface SystemKey {
  secret: string;
  entry: { hash: string; key: GatewayKey };
}

export function createSystemKey(): SystemKey {
  const { secret, hash } = generateApiKey();
  return {
    secret,
    entry: {
      hash,
      key: {
        id: SYSTEM_PRINCIPAL,
        principal: SYSTEM_PRINCIPAL,
        models: null,
        ratePerSecond: 1000,
        burst: 1000,
        system: true,
      },
    },
  };
}

/** Whether an inference event was made by aisoc's own probes (by key id, which callers cannot pick). */
export function isSystemEvent(event: { keyId: string | null }): boolean {
  return event.keyId === SYSTEM_PRINCIPAL;
}

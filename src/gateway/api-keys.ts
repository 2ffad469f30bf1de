import { randomBytes } from 'node:crypto';
import { createId, sha256Hex } from '../core/index.js';

/** A key as the gateway knows it: never the secret, only its hash. */
export interface GatewayKey {
  id: string;
  principal: string;
  models: readonly string[] | null;
  ratePerSecond: number | null;
  burst: number | null;
  /**
   * aisoc's own in-memory key (integrity probes): its version-addressed requests skip pins,
   * isolation and output hardening, so they reach and see the version they check.
   */
  system?: boolean;
}

/** In-memory view of the keys, replaced whole when keys change; lookups by secret hash. */
export interface KeyDirectory {
  lookup(secretHash: string): GatewayKey | undefined;
  replace(keys: Iterable<{ hash: string; key: GatewayKey }>): void;
  readonly size: number;
}

export function createKeyDirectory(): KeyDirectory {
  let byHash = new Map<string, GatewayKey>();
  return {
    lookup: (hash) => byHash.get(hash),
    replace(keys) {
      const next = new Map<string, GatewayKey>();
      for (const { hash, key } of keys) next.set(hash, key);
      byHash = next;
    },
    get size() {
      return byHash.size;
    },
  };
}

/** A new key: its id, the secret (shown once) and the hash that is stored. */
export function generateApiKey(): { id: string; secret: string; hash: string; prefix: string } {
  const id = createId('key');
  const secret = `aisoc_${randomBytes(24).toString('base64url')}`;
  return { id, secret, hash: hashApiKey(secret), prefix: secret.slice(0, 12) };
}

/** Keys are 192-bit random secrets, so a fast hash is enough; no password stretching needed. */
export function hashApiKey(secret: string): string {
  return sha256Hex(secret);
}

/** The secret from `Authorization: Bearer …` or `x-api-key`, if any. */
export function readApiKey(headers: {
  authorization?: string | undefined;
  'x-api-key'?: string | string[] | undefined;
}): string | undefined {
  const auth = headers.authorization;
  if (auth !== undefined) {
    const match = /^Bearer\s+(\S{1,512})$/i.exec(auth);
    return match ? match[1] : undefined;
  }
  const key = headers['x-api-key'];
  if (typeof key === 'string' && key.length > 0 && key.length <= 512) return key;
  return undefined;
}

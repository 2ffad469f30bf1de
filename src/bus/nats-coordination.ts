import { type KV, Kvm } from '@nats-io/kv';
import { BusErrorCodes, busError, wrapForeign } from './errors.js';
import { connectNats, type NatsConnection } from './nats-bus.js';
import { assertName } from './subjects.js';

/** A lease as stored: who holds it and until when (wall clock, ms since the epoch). */
export interface Lease {
  readonly owner: string;
  readonly expiresAt: number;
}

/**
 * Shared state of the processes of one deployment: leases (leader election, partition
 * ownership) and small JSON documents (detector checkpoints), in one JetStream KV bucket.
 */
export interface Coordination {
  /**
   * Takes or renews `key` for `owner` until now + ttlMs, with compare-and-set on the entry's
   * revision: true when `owner` holds it afterwards. A lease held by another owner is only
   * taken once it has expired.
   */
  acquire(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives `key` up if `owner` holds it (others may take it at once). */
  release(key: string, owner: string): Promise<void>;
  /** The unexpired leases whose key starts with `prefix`. */
  leases(prefix: string): Promise<Map<string, Lease>>;
  get<T>(key: string): Promise<T | null>;
  put(key: string, value: unknown): Promise<void>;
  close(): Promise<void>;
}

export interface NatsCoordinationOptions {
  readonly servers: string | string[];
  readonly bucket: string;
  readonly name?: string;
  readonly now?: () => number;
}

/** Opens (or creates) the coordination bucket. */
/**
 * A KV value is one NATS message, at most the server's max_payload (1 MiB by default), while a
 * partition's detector state can grow past that. A larger value is stored as chunks under
 * `<key>.chunk.<generation>.<n>` and `<key>` holds a small manifest written last, so a reader
 * sees the old value or the whole new one; the old generation's chunks are deleted after.
 */
const CHUNK_BYTES = 512 * 1024;
const MANIFEST = 'aisocChunkedValue';

interface ChunkManifest {
  [MANIFEST]: 1;
  generation: string;
  chunks: number;
  bytes: number;
}

function isManifest(value: unknown): value is ChunkManifest {
  return typeof value === 'object' && value !== null && (value as ChunkManifest)[MANIFEST] === 1;
}

export async function createNatsCoordination(
  options: NatsCoordinationOptions,
): Promise<Coordination> {
  assertName('bucket', options.bucket);
  const now = options.now ?? Date.now;
  const nc: NatsConnection = await connectNats({
    servers: options.servers,
    name: options.name ?? 'aisoc-coordination',
  });
  let kv: KV;
  try {
    kv = await new Kvm(nc).create(options.bucket, { history: 1 });
  } catch (error) {
    await nc.close();
    throw wrapForeign(BusErrorCodes.BUS_UNAVAILABLE, `cannot open bucket ${options.bucket}`, error);
  }
  const read = async (key: string): Promise<{ lease: Lease | null; revision: number } | null> => {
    const entry = await kv.get(key);
    if (entry === null || entry.operation !== 'PUT' || entry.length === 0)
      return entry === null ? null : { lease: null, revision: entry.revision };
    try {
      return { lease: entry.json<Lease>(), revision: entry.revision };
    } catch {
      return { lease: null, revision: entry.revision };
    }
  };
  const written = new Map<string, ChunkManifest | null>();
  return {
    async acquire(key, owner, ttlMs) {
      const payload = JSON.stringify({ owner, expiresAt: now() + ttlMs } satisfies Lease);
      try {
        const current = await read(key);
        if (current === null) await kv.create(key, payload);
        else if (
          current.lease === null ||
          current.lease.owner === owner ||
          current.lease.expiresAt <= now()
        )
          await kv.update(key, payload, current.revision);
        else return false;
        return true;
      } catch {
        return false; // lost a race (wrong last sequence) or NATS away: not ours this round
      }
    },
    async release(key, owner) {
      const current = await read(key).catch(() => null);
      if (current?.lease?.owner !== owner) return;
      await kv.update(key, '', current.revision).catch(() => undefined);
    },
    async leases(prefix) {
      const out = new Map<string, Lease>();
      const keys = await kv.keys(`${prefix}>`);
      for await (const key of keys) {
        const current = await read(key).catch(() => null);
        if (current?.lease && current.lease.expiresAt > now()) out.set(key, current.lease);
      }
      return out;
    },
    async get<T>(key: string) {
      const entry = await kv.get(key);
      if (entry === null || entry.operation !== 'PUT' || entry.length === 0) return null;
      const value = entry.json<unknown>();
      if (!isManifest(value)) return value as T;
      const parts: Uint8Array[] = [];
      for (let n = 0; n < value.chunks; n++) {
        const chunk = await kv.get(`${key}.chunk.${value.generation}.${n}`);
        if (chunk === null || chunk.operation !== 'PUT')
          throw busError(
            BusErrorCodes.BUS_VALUE_INCOMPLETE,
            `${key} in bucket ${options.bucket}: chunk ${n} of ${value.chunks} (generation ${value.generation}) is missing`,
          );
        parts.push(chunk.value);
      }
      const bytes = Buffer.concat(parts);
      if (bytes.length !== value.bytes)
        throw busError(
          BusErrorCodes.BUS_VALUE_INCOMPLETE,
          `${key} in bucket ${options.bucket}: its chunks hold ${bytes.length} bytes, the manifest says ${value.bytes}`,
        );
      return JSON.parse(bytes.toString('utf8')) as T;
    },
    async put(key, value) {
      try {
        const bytes = Buffer.from(JSON.stringify(value), 'utf8');
        // The value this process wrote last; read once per key (another process's chunks).
        let old: unknown = written.get(key);
        if (!written.has(key)) {
          const before = await kv.get(key).catch(() => null);
          old = before?.operation === 'PUT' && before.length > 0 ? before.json<unknown>() : null;
        }
        if (bytes.length <= CHUNK_BYTES) {
          await kv.put(key, bytes);
          written.set(key, null);
        } else {
          const generation = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
          const chunks = Math.ceil(bytes.length / CHUNK_BYTES);
          for (let n = 0; n < chunks; n++)
            await kv.put(
              `${key}.chunk.${generation}.${n}`,
              bytes.subarray(n * CHUNK_BYTES, (n + 1) * CHUNK_BYTES),
            );
          const manifest: ChunkManifest = {
            [MANIFEST]: 1,
            generation,
            chunks,
            bytes: bytes.length,
          };
          await kv.put(key, JSON.stringify(manifest));
          written.set(key, manifest);
        }
        if (isManifest(old))
          for (let n = 0; n < old.chunks; n++)
            await kv.purge(`${key}.chunk.${old.generation}.${n}`).catch(() => undefined);
      } catch (error) {
        throw wrapForeign(BusErrorCodes.BUS_PUBLISH_FAILED, `cannot write ${key}`, error);
      }
    },
    async close() {
      await nc.close();
    },
  };
}

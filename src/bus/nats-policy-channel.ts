import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import { systemClock } from '../core/index.js';
import { BusErrorCodes, busError, type BusErrorCode, wrapForeign } from './errors.js';
import { trackConnection } from './connection-state.js';
import { connectNats, type NatsConnection } from './nats-bus.js';
import {
  assertGatewayId,
  assertVersion,
  createWatchLine,
  parsePolicyState,
  type PolicyAck,
  PolicyAckSchema,
  type PolicyChannel,
  type PolicyChannelOptions,
  type PolicyState,
  safeListener,
  staleError,
} from './policy-channel.js';
import { assertName } from './subjects.js';

export interface NatsPolicyChannelOptions extends PolicyChannelOptions {
  readonly servers: string | string[];
  /** JetStream key-value bucket holding `policy.current` and `ack.<gatewayId>`. */
  readonly bucket?: string;
  /** Connection name shown by the NATS server. */
  readonly name?: string;
  readonly storage?: 'file' | 'memory';
  readonly replicas?: number;
  readonly connectTimeoutMs?: number;
}

export const NATS_POLICY_DEFAULTS = { bucket: 'aisoc-policy', name: 'aisoc-policy' } as const;
const STATE_KEY = 'policy.current';
const ACK_PREFIX = 'ack.';
// The server's error code for a compare-and-set that lost the race (JetStream API 10071).
const WRONG_LAST_SEQUENCE = 10071;
const MAX_PUBLISH_ATTEMPTS = 8;

async function foreign<T>(code: BusErrorCode, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw wrapForeign(code, what, error);
  }
}

function lostRace(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === WRONG_LAST_SEQUENCE;
}

function readState(entry: KvEntry | null): PolicyState | null {
  if (entry === null || entry.operation !== 'PUT') return null;
  return parsePolicyState(entry.json(), `${entry.bucket}/${entry.key} revision ${entry.revision}`);
}

/**
 * Compare-and-set on `policy.current`: versions only go up, even with racing publishers. A
 * stored value that does not parse is reported and overwritten, so it cannot block containment.
 */
async function putState(
  kv: KV,
  state: PolicyState,
  onError: (error: unknown) => void,
): Promise<void> {
  const payload = JSON.stringify(state);
  for (let attempt = 1; ; attempt++) {
    const entry = await kv.get(STATE_KEY);
    let current: PolicyState | null = null;
    try {
      current = readState(entry);
    } catch (error) {
      onError(error);
    }
    if (current !== null && state.version <= current.version)
      throw staleError(state.version, current.version);
    try {
      if (entry === null) await kv.create(STATE_KEY, payload);
      else await kv.update(STATE_KEY, payload, entry.revision);
      return;
    } catch (error) {
      if (!lostRace(error) || attempt >= MAX_PUBLISH_ATTEMPTS) throw error;
    }
  }
}

async function readAcks(kv: KV): Promise<Map<string, PolicyAck>> {
  const keys: string[] = [];
  for await (const key of await kv.keys(`${ACK_PREFIX}>`)) keys.push(key);
  const acks = new Map<string, PolicyAck>();
  for (const key of keys.sort()) {
    const entry = await kv.get(key);
    if (entry === null || entry.operation !== 'PUT') continue;
    const parsed = PolicyAckSchema.safeParse(entry.json());
    if (parsed.success) acks.set(key.slice(ACK_PREFIX.length), parsed.data);
  }
  return acks;
}

async function openBucket(nc: NatsConnection, options: NatsPolicyChannelOptions, bucket: string) {
  try {
    return await new Kvm(nc).create(bucket, {
      history: 8,
      storage: options.storage === 'memory' ? 'memory' : 'file',
      replicas: options.replicas ?? 1,
    });
  } catch (error) {
    await nc.close();
    throw wrapForeign(
      BusErrorCodes.BUS_UNAVAILABLE,
      `cannot open key-value bucket ${bucket}`,
      error,
    );
  }
}

/**
 * The policy channel at scale, on a JetStream key-value bucket: `policy.current` holds the
 * state (updated by compare-and-set), `ack.<gatewayId>` each gateway's latest ack; `watch`
 * is a key watch, which replays the last value and then follows every revision.
 */
export async function createNatsPolicyChannel(
  options: NatsPolicyChannelOptions,
): Promise<PolicyChannel> {
  const bucket = options.bucket ?? NATS_POLICY_DEFAULTS.bucket;
  assertName('bucket', bucket);
  const clock = options.clock ?? systemClock;
  const onError = safeListener(options.onError);
  const nc = await connectNats({ ...options, name: options.name ?? NATS_POLICY_DEFAULTS.name });
  const kv = await openBucket(nc, options, bucket);
  const connection = trackConnection(nc);
  const stops = new Set<() => void>();
  let closed = false;
  const assertOpen = () => {
    if (closed || nc.isClosed())
      throw busError(BusErrorCodes.BUS_CLOSED, 'the policy channel is closed');
  };

  return {
    async publish(state) {
      assertOpen();
      const next = parsePolicyState(state);
      await foreign(BusErrorCodes.BUS_PUBLISH_FAILED, 'publishing the policy failed', () =>
        putState(kv, next, onError),
      );
    },

    async watch(handler) {
      assertOpen();
      const line = createWatchLine(handler, onError);
      const entries = await foreign(BusErrorCodes.BUS_SUBSCRIBE_FAILED, 'watch failed', () =>
        kv.watch({ key: STATE_KEY }),
      );
      void (async () => {
        for await (const entry of entries) {
          try {
            const state = readState(entry);
            if (state !== null) await line.offer(state);
          } catch (error) {
            onError(error); // a value that does not parse is reported and skipped
          }
        }
      })().catch(onError);
      const stop = () => {
        line.stop();
        entries.stop();
      };
      stops.add(stop);
      return {
        unsubscribe: async () => {
          stops.delete(stop);
          stop();
        },
      };
    },

    async ack(gatewayId, version) {
      assertOpen();
      assertGatewayId(gatewayId);
      assertVersion(version);
      const ack: PolicyAck = { version, at: new Date(clock.now()).toISOString() };
      await foreign(BusErrorCodes.BUS_PUBLISH_FAILED, `ack from ${gatewayId} failed`, () =>
        kv.put(ACK_PREFIX + gatewayId, JSON.stringify(ack)),
      );
    },

    async acks() {
      assertOpen();
      return foreign(BusErrorCodes.BUS_UNAVAILABLE, 'reading acks failed', () => readAcks(kv));
    },

    connected: () => !closed && connection.connected(),
    onReconnect(listener) {
      const remove = connection.onReconnect(listener);
      stops.add(remove);
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const stop of stops) stop();
      stops.clear();
      await nc.close();
    },
  };
}

/** Deletes a policy bucket and everything in it (tests, or an operator resetting a deployment). */
export async function deleteNatsPolicyBucket(options: {
  servers: string | string[];
  bucket: string;
}): Promise<void> {
  const nc = await connectNats(options);
  try {
    const kv = await new Kvm(nc).open(options.bucket);
    await kv.destroy().catch(() => false);
  } finally {
    await nc.close();
  }
}

import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import type {
  Bus,
  BusErrorListener,
  BusHandler,
  DurableSubscribeOptions,
  Subscription,
} from './bus.js';
import { trackConnection } from './connection-state.js';
import { pumpConsumer } from './consumer-pump.js';
import { BusErrorCodes, busError, wrapForeign } from './errors.js';
import { assertName, assertPattern, assertSubject, STREAM_SUBJECT_ROOTS } from './subjects.js';

export type { NatsConnection };

export interface NatsBusOptions {
  readonly servers: string | string[];
  /** JetStream stream holding the events; created or updated on connect. */
  readonly stream?: string;
  /** Connection name shown by the NATS server (`nats server report connections`). */
  readonly name?: string;
  /** One token put before every subject, so several deployments (or test runs) share a server. */
  readonly subjectPrefix?: string;
  /** Messages older than this are discarded by the server. Default 7 days. */
  readonly maxAgeMs?: number;
  /** The stream never holds more; the oldest messages go first. Default 1 GiB. */
  readonly maxBytes?: number;
  readonly storage?: 'file' | 'memory';
  readonly replicas?: number;
  /** How long a durable consumer waits for an ack before redelivering. Default 30 s. */
  readonly ackWaitMs?: number;
  readonly connectTimeoutMs?: number;
  readonly onError?: BusErrorListener;
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const NATS_BUS_DEFAULTS = {
  stream: 'AISOC_EVENTS',
  name: 'aisoc',
  maxAgeMs: 7 * DAY_MS,
  maxBytes: 1024 ** 3,
  storage: 'file',
  replicas: 1,
  ackWaitMs: 30_000,
  connectTimeoutMs: 5_000,
} as const;

const nanos = (ms: number) => Math.round(ms * 1_000_000);

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw busError(BusErrorCodes.BUS_OPTIONS_INVALID, `${name} must be a positive number`, {
      details: { [name]: value },
    });
  return value;
}

/** Connects to NATS, mapping failure to BUS_UNAVAILABLE. Shared by the NATS policy channel. */
export async function connectNats(options: {
  servers: string | string[];
  name?: string;
  connectTimeoutMs?: number;
}): Promise<NatsConnection> {
  try {
    return await connect({
      servers: options.servers,
      name: options.name ?? NATS_BUS_DEFAULTS.name,
      timeout: options.connectTimeoutMs ?? NATS_BUS_DEFAULTS.connectTimeoutMs,
      maxReconnectAttempts: -1, // a gateway outlives NATS restarts; it never gives up
    });
  } catch (error) {
    throw wrapForeign(
      BusErrorCodes.BUS_UNAVAILABLE,
      `cannot reach NATS at ${String(options.servers)}`,
      error,
    );
  }
}

type StreamSpec = Parameters<JetStreamManager['streams']['add']>[0] & { name: string };

/** Validates the options and builds the stream's configuration; no I/O. */
function streamSpec(options: NatsBusOptions, prefix: string): StreamSpec {
  const name = options.stream ?? NATS_BUS_DEFAULTS.stream;
  assertName('stream', name);
  const storage = options.storage ?? NATS_BUS_DEFAULTS.storage;
  return {
    name,
    subjects: STREAM_SUBJECT_ROOTS.map((root) => `${prefix}${root}.>`),
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(positive('maxAgeMs', options.maxAgeMs ?? NATS_BUS_DEFAULTS.maxAgeMs)),
    max_bytes: Math.floor(positive('maxBytes', options.maxBytes ?? NATS_BUS_DEFAULTS.maxBytes)),
    storage: storage === 'memory' ? StorageType.Memory : StorageType.File,
    num_replicas: Math.floor(positive('replicas', options.replicas ?? NATS_BUS_DEFAULTS.replicas)),
  };
}

async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<void> {
  try {
    const exists = await jsm.streams.info(spec.name).then(
      () => true,
      () => false,
    );
    if (exists) await jsm.streams.update(spec.name, spec);
    else await jsm.streams.add(spec);
  } catch (error) {
    throw wrapForeign(
      BusErrorCodes.BUS_UNAVAILABLE,
      `cannot create or update stream ${spec.name}`,
      error,
    );
  }
}

async function ensureDurable(
  jsm: JetStreamManager,
  stream: string,
  durable: {
    name: string;
    filter: string;
    /** The filter before `subjectPrefix` was set: such a consumer is moved to the prefix. */
    unprefixed: string;
    ackWait: number;
    deliver: 'all' | 'new';
  },
): Promise<void> {
  const info = await jsm.consumers.info(stream, durable.name).catch(() => null);
  if (info === null) {
    await jsm.consumers.add(stream, {
      durable_name: durable.name,
      ack_policy: AckPolicy.Explicit,
      ack_wait: durable.ackWait,
      filter_subject: durable.filter,
      deliver_policy: durable.deliver === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    });
  } else if (
    info.config.filter_subject === durable.unprefixed &&
    durable.unprefixed !== durable.filter
  ) {
    // A deployment upgraded to a subject prefix keeps its durable consumers' positions.
    await jsm.consumers.update(stream, durable.name, { filter_subject: durable.filter });
  } else if (info.config.filter_subject !== durable.filter) {
    throw busError(
      BusErrorCodes.BUS_SUBSCRIBE_FAILED,
      `durable ${durable.name} is bound to another pattern (${info.config.filter_subject ?? 'none'})`,
    );
  }
}

function encode(subject: string, data: unknown): string {
  try {
    return JSON.stringify(data) ?? 'null';
  } catch (error) {
    throw wrapForeign(BusErrorCodes.BUS_PUBLISH_FAILED, `cannot encode data for ${subject}`, error);
  }
}

/**
 * The bus at scale: JetStream publishes (stored, acknowledged by the server) and consumers for
 * delivery — an ephemeral ordered consumer per `subscribe`, a durable explicit-ack consumer per
 * `subscribeDurable` name (several processes with the same name share its messages).
 */
export async function createNatsBus(options: NatsBusOptions): Promise<Bus> {
  if (options.subjectPrefix !== undefined) assertName('subjectPrefix', options.subjectPrefix);
  const prefix = options.subjectPrefix ? `${options.subjectPrefix}.` : '';
  const unprefix = (subject: string) => subject.slice(prefix.length);
  const ackWait = nanos(positive('ackWaitMs', options.ackWaitMs ?? NATS_BUS_DEFAULTS.ackWaitMs));
  const spec = streamSpec(options, prefix);
  const stream = spec.name;
  const nc = await connectNats(options);
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
    await ensureStream(jsm, spec);
  } catch (error) {
    await nc.close();
    throw wrapForeign(BusErrorCodes.BUS_UNAVAILABLE, 'JetStream is not available', error);
  }
  const onError: BusErrorListener = (error, subject) => {
    try {
      options.onError?.(error, subject);
    } catch {
      // A failing error listener must not break delivery either.
    }
  };
  const state = trackConnection(nc);
  const pumps = new Set<{ stop(): void }>();
  let closed = false;
  const assertOpen = () => {
    if (closed || nc.isClosed()) throw busError(BusErrorCodes.BUS_CLOSED, 'the bus is closed');
  };

  function track(p: { stop(): void }): Subscription {
    pumps.add(p);
    return {
      unsubscribe: async () => {
        if (!pumps.delete(p)) return;
        p.stop();
        await nc.flush().catch(() => undefined); // acks reach the server before we return
      },
    };
  }

  return {
    async publish<T>(subject: string, data: T): Promise<void> {
      assertOpen();
      assertSubject(subject);
      const payload = encode(subject, data);
      try {
        await js.publish(prefix + subject, payload);
      } catch (error) {
        throw wrapForeign(BusErrorCodes.BUS_PUBLISH_FAILED, `publish to ${subject} failed`, error);
      }
    },

    async subscribe<T>(pattern: string, handler: BusHandler<T>): Promise<Subscription> {
      assertOpen();
      assertPattern(pattern);
      try {
        // Start right after the last stored message, so everything published once subscribe
        // has resolved is delivered (DeliverPolicy.New would race the consumer's creation).
        const { state } = await jsm.streams.info(stream);
        const consumer = await js.consumers.get(stream, {
          filter_subjects: prefix + pattern,
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: state.last_seq + 1,
        });
        const messages = await consumer.consume();
        return track(pumpConsumer(messages, handler as BusHandler, unprefix, onError, false));
      } catch (error) {
        throw wrapForeign(
          BusErrorCodes.BUS_SUBSCRIBE_FAILED,
          `subscribe to ${pattern} failed`,
          error,
        );
      }
    },

    async subscribeFrom<T>(
      pattern: string,
      afterSeq: number,
      handler: BusHandler<T>,
    ): Promise<Subscription> {
      assertOpen();
      assertPattern(pattern);
      if (!Number.isInteger(afterSeq) || afterSeq < 0)
        throw busError(BusErrorCodes.BUS_OPTIONS_INVALID, 'afterSeq must be an integer >= 0', {
          details: { afterSeq },
        });
      try {
        const consumer = await js.consumers.get(stream, {
          filter_subjects: prefix + pattern,
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: afterSeq + 1,
        });
        const messages = await consumer.consume();
        return track(pumpConsumer(messages, handler as BusHandler, unprefix, onError, false));
      } catch (error) {
        throw wrapForeign(
          BusErrorCodes.BUS_SUBSCRIBE_FAILED,
          `subscribe to ${pattern} after ${afterSeq} failed`,
          error,
        );
      }
    },

    async subscribeDurable<T>(
      pattern: string,
      durableName: string,
      handler: BusHandler<T>,
      durableOptions: DurableSubscribeOptions = {},
    ): Promise<Subscription> {
      assertOpen();
      assertPattern(pattern);
      assertName('durable name', durableName);
      try {
        await ensureDurable(jsm, stream, {
          name: durableName,
          filter: prefix + pattern,
          unprefixed: pattern,
          ackWait,
          deliver: durableOptions.deliver ?? 'all',
        });
        const consumer = await js.consumers.get(stream, durableName);
        const messages = await consumer.consume();
        return track(pumpConsumer(messages, handler as BusHandler, unprefix, onError, true));
      } catch (error) {
        throw wrapForeign(
          BusErrorCodes.BUS_SUBSCRIBE_FAILED,
          `durable ${durableName} failed`,
          error,
        );
      }
    },

    connected: () => !closed && state.connected(),

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const p of pumps) p.stop();
      pumps.clear();
      await nc.flush().catch(() => undefined);
      await nc.close();
    },
  };
}

/** Deletes a stream and its consumers (tests, or an operator resetting a deployment). */
export async function deleteNatsStream(options: {
  servers: string | string[];
  stream: string;
}): Promise<void> {
  const nc = await connectNats(options);
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(options.stream).catch(() => false);
  } finally {
    await nc.close();
  }
}

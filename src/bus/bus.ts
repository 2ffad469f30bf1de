/** A message as handlers see it. `subject` is the concrete subject it was published on. */
export interface BusMessage<T = unknown> {
  readonly subject: string;
  readonly data: T;
  /** The stream sequence of the message (NATS JetStream only). */
  readonly seq?: number;
}

export type BusHandler<T = unknown> = (message: BusMessage<T>) => void | Promise<void>;

export interface Subscription {
  unsubscribe(): Promise<void>;
}

/** Where a durable subscription seen for the first time starts; later it resumes. */
export interface DurableSubscribeOptions {
  /** `all`: every message the bus still retains (default); `new`: only later ones. */
  readonly deliver?: 'all' | 'new';
}

/**
 * The event bus. Subjects are dot-separated (`gateway.inference.completed`) and start with
 * `gateway`, `detect` or `respond`; a subscription pattern may use `*` for one token and `>`
 * for the rest, as NATS does, but names its root (or is `>` alone). Each subscription
 * receives in publish order per subject and awaits its handler before the next message. A
 * handler that throws is reported to the bus's `onError` and does not stop delivery to itself
 * or to others. Handlers must not mutate `data` (the memory bus passes the object itself).
 */
export interface Bus {
  publish<T>(subject: string, data: T): Promise<void>;
  /** Live delivery from now on while subscribed; nothing is kept for it after unsubscribe. */
  subscribe<T>(pattern: string, handler: BusHandler<T>): Promise<Subscription>;
  /**
   * A named subscription whose position outlives `unsubscribe` (and, on NATS, the process):
   * subscribing again under the same name resumes after the last handled message. A message
   * counts as handled when the handler returns or throws; delivery is at least once.
   */
  subscribeDurable<T>(
    pattern: string,
    durableName: string,
    handler: BusHandler<T>,
    options?: DurableSubscribeOptions,
  ): Promise<Subscription>;
  /**
   * Live delivery of every retained message after stream sequence `afterSeq` (NATS only), each
   * with its `seq`: a partition worker keeps its position in its own checkpoint, beside the
   * state it describes, so restoring the one never disagrees with the other.
   */
  subscribeFrom?<T>(
    pattern: string,
    afterSeq: number,
    handler: BusHandler<T>,
  ): Promise<Subscription>;
  close(): Promise<void>;
  /** Whether the bus can take messages now (NATS: connected); the memory bus always can. */
  connected?(): boolean;
}

/** Called with handler errors and undecodable messages; delivery goes on. */
export type BusErrorListener = (error: unknown, subject: string) => void;

import { z } from 'zod';
import { type AppliedAction, AppliedActionSchema } from '../core/index.js';
import type { Subscription } from './bus.js';
import { BusErrorCodes, busError } from './errors.js';

/** The containment policy every gateway enforces: the full list of applied actions. */
export interface PolicyState {
  readonly version: number;
  readonly actions: readonly AppliedAction[];
}

/** What a gateway said it enforces, and when it said so. */
export interface PolicyAck {
  readonly version: number;
  readonly at: string;
}

export type PolicyHandler = (state: PolicyState) => void | Promise<void>;

/**
 * How containment reaches every gateway. `publish` replaces the state (versions only go up);
 * `watch` delivers the current state first, then every later one in order, never an older
 * version after a newer one; each gateway `ack`s the version it now enforces.
 */
export interface PolicyChannel {
  /** Fails with BUS_POLICY_STALE unless `state.version` is above the current version. */
  publish(state: PolicyState): Promise<void>;
  watch(handler: PolicyHandler): Promise<Subscription>;
  ack(gatewayId: string, version: number): Promise<void>;
  /** The latest ack of every gateway that ever acked, by gateway id. */
  acks(): Promise<Map<string, PolicyAck>>;
  close(): Promise<void>;
  /** Whether the channel can publish now (NATS: connected); the memory channel always can. */
  connected?(): boolean;
  /** Calls `listener` after every reconnect of the transport (NATS), to re-send what waited. */
  onReconnect?(listener: () => void): void;
}

/** Options both implementations share. */
export interface PolicyChannelOptions {
  /** Stamps acks; tests pass a manual clock. Defaults to the system clock. */
  readonly clock?: { now(): number };
  /** Hears about watch handlers that throw and stored values that do not parse. */
  readonly onError?: (error: unknown) => void;
}

const VersionSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const PolicyStateSchema = z
  .object({ version: VersionSchema, actions: z.array(AppliedActionSchema) })
  .strict();
export const PolicyAckSchema = z.object({ version: VersionSchema, at: z.string() }).strict();

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Validates a policy state (from a caller or from storage); BUS_POLICY_INVALID otherwise. */
export function parsePolicyState(value: unknown, where = 'policy state'): PolicyState {
  const result = PolicyStateSchema.safeParse(value);
  if (!result.success)
    throw busError(BusErrorCodes.BUS_POLICY_INVALID, `${where}: ${describeIssues(result.error)}`, {
      details: result.error.issues,
    });
  return result.data;
}

/** Validates an ack's version; BUS_POLICY_INVALID otherwise. */
export function assertVersion(version: number): void {
  if (!VersionSchema.safeParse(version).success)
    throw busError(
      BusErrorCodes.BUS_POLICY_INVALID,
      `version ${String(version)}: must be a non-negative integer`,
    );
}

const GATEWAY_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Gateway ids become key tokens (`ack.<id>`), so they keep to a safe alphabet. */
export function assertGatewayId(gatewayId: string): void {
  if (typeof gatewayId !== 'string' || !GATEWAY_ID.test(gatewayId))
    throw busError(
      BusErrorCodes.BUS_GATEWAY_ID_INVALID,
      `gateway id ${JSON.stringify(gatewayId)}: use 1 to 128 letters, digits, "_" or "-"`,
    );
}

export function staleError(version: number, current: number): Error {
  return busError(
    BusErrorCodes.BUS_POLICY_STALE,
    `policy version ${version} is not newer than the current version ${current}`,
    { details: { version, current } },
  );
}

/**
 * One watcher's delivery line: states are handed over one at a time, in arrival order, and a
 * state whose version is not above the last delivered one is dropped — so a handler never
 * sees an older policy after a newer one, whatever order the transport replays them in.
 */
export function createWatchLine(handler: PolicyHandler, onError: (error: unknown) => void) {
  let last = -1;
  let active = true;
  let chain: Promise<void> = Promise.resolve();
  return {
    offer(state: PolicyState): Promise<void> {
      chain = chain.then(async () => {
        if (!active || state.version <= last) return;
        last = state.version;
        try {
          await handler(state);
        } catch (error) {
          onError(error);
        }
      });
      return chain;
    },
    stop(): void {
      active = false;
    },
    get lastVersion(): number {
      return last;
    },
  };
}

/** Calls `listener` and swallows what it throws: reporting must never break delivery. */
export function safeListener(listener?: (error: unknown) => void): (error: unknown) => void {
  return (error) => {
    try {
      listener?.(error);
    } catch {
      // deliberately ignored
    }
  };
}

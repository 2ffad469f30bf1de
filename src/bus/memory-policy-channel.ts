import { systemClock } from '../core/index.js';
import { BusErrorCodes, busError } from './errors.js';
import {
  assertGatewayId,
  assertVersion,
  createWatchLine,
  parsePolicyState,
  type PolicyAck,
  type PolicyChannel,
  type PolicyChannelOptions,
  type PolicyState,
  safeListener,
  staleError,
} from './policy-channel.js';

/** The embedded policy channel: one process, every watcher in it, delivery on a microtask. */
export function createMemoryPolicyChannel(options: PolicyChannelOptions = {}): PolicyChannel {
  const clock = options.clock ?? systemClock;
  const onError = safeListener(options.onError);
  const lines = new Set<ReturnType<typeof createWatchLine>>();
  const acks = new Map<string, PolicyAck>();
  let current: PolicyState | null = null;
  let closed = false;

  const assertOpen = () => {
    if (closed) throw busError(BusErrorCodes.BUS_CLOSED, 'the policy channel is closed');
  };

  return {
    async publish(state) {
      assertOpen();
      // A deep copy, so a caller mutating its object later cannot change what gateways enforce.
      const next = parsePolicyState(structuredClone(state));
      if (current !== null && next.version <= current.version)
        throw staleError(next.version, current.version);
      current = next;
      for (const line of lines) void line.offer(next);
    },

    async watch(handler) {
      assertOpen();
      const line = createWatchLine(handler, onError);
      lines.add(line);
      if (current !== null) void line.offer(current);
      return {
        unsubscribe: async () => {
          line.stop();
          lines.delete(line);
        },
      };
    },

    async ack(gatewayId, version) {
      assertOpen();
      assertGatewayId(gatewayId);
      assertVersion(version);
      acks.set(gatewayId, { version, at: new Date(clock.now()).toISOString() });
    },

    async acks() {
      assertOpen();
      return new Map(acks);
    },

    async close() {
      closed = true;
      for (const line of lines) line.stop();
      lines.clear();
    },
  };
}

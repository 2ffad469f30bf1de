import { performance } from 'node:perf_hooks';
import type { PolicyChannel } from '../bus/index.js';

export interface ContainmentTimerOptions {
  channel: Pick<PolicyChannel, 'watch' | 'acks'>;
  /** Gateways whose last ack is older than this are not waited for (they may be gone). */
  staleAckMs?: number;
  timeoutMs?: number;
}

/**
 * Measures time-to-contain: from an alert's arrival to the moment every live gateway has
 * acknowledged a policy version that includes the containment action (the policy channel's ack).
 */
export async function createContainmentTimer(options: ContainmentTimerOptions) {
  const versionOf = new Map<string, number>();
  const sub = await options.channel.watch((state) => {
    for (const a of state.actions) if (!versionOf.has(a.id)) versionOf.set(a.id, state.version);
  });
  const staleMs = options.staleAckMs ?? 600_000;
  const enforced = async (actionId: string): Promise<boolean> => {
    const version = versionOf.get(actionId);
    if (version === undefined) return false;
    const acks = [...(await options.channel.acks()).values()].filter(
      (a) => Date.now() - Date.parse(a.at) <= staleMs,
    );
    return acks.length > 0 && acks.every((a) => a.version >= version);
  };
  return {
    now: () => performance.now(),
    /** Resolves with the moment (performance.now) every gateway enforces the action, or null on timeout. */
    async waitEnforced(actionId: string): Promise<number | null> {
      const deadline = performance.now() + (options.timeoutMs ?? 5000);
      for (let spins = 0; performance.now() < deadline; spins++) {
        if (await enforced(actionId)) return performance.now();
        // Embedded acks land within a few turns: poll tightly at first, then every 1 ms, then 5 ms
        // (on NATS each poll is a key-value read).
        await new Promise((r) =>
          spins < 20 ? setImmediate(r) : setTimeout(r, spins < 100 ? 1 : 5),
        );
      }
      return null;
    },
    close: () => sub.unsubscribe(),
  };
}

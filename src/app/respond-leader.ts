import type { Coordination } from '../bus/index.js';

export const RESPONDER_LEASE = 'leader.respond';

/**
 * One active responder per deployment (issue 16): every `--role respond` process campaigns for
 * the `leader.respond` lease; the holder starts the responder (which resumes unfinished
 * playbook runs) and renews the lease every tick. A standby takes over once the lease has not
 * been renewed for `leaseMs`. A leader that loses its lease stops responding for good (it may
 * have been paused while another took over), so two responders never act at once for long.
 */
export function startResponderLeader(options: {
  coordination: Coordination;
  owner: string;
  start: () => Promise<void>;
  stop: () => Promise<void>;
  leaseMs?: number;
  tickMs?: number;
  log: (line: string) => void;
}): { leading(): boolean; close(): Promise<void> } {
  const { coordination: co, owner, log } = options;
  const leaseMs = options.leaseMs ?? 3_000;
  let state: 'standby' | 'leading' | 'deposed' | 'closed' = 'standby';
  let ticking: Promise<void> = Promise.resolve();
  const tick = async () => {
    if (state === 'deposed' || state === 'closed') return;
    const held = await co.acquire(RESPONDER_LEASE, owner, leaseMs);
    if (state === 'standby' && held) {
      state = 'leading';
      log(`responder ${owner}: leading (lease ${RESPONDER_LEASE})`);
      await options.start();
    } else if (state === 'leading' && !held) {
      state = 'deposed';
      log(`responder ${owner}: lost the lease, standing down`);
      await options.stop();
    }
  };
  const run = () => {
    ticking = ticking.then(tick).catch((e) => log(`responder ${owner}: ${String(e)}`));
  };
  run();
  const timer = setInterval(run, options.tickMs ?? Math.max(200, Math.floor(leaseMs / 3)));
  timer.unref();
  return {
    leading: () => state === 'leading',
    async close() {
      clearInterval(timer);
      await ticking;
      const was = state;
      state = 'closed';
      if (was === 'leading') {
        await options.stop();
        await co.release(RESPONDER_LEASE, owner);
      }
    },
  };
}

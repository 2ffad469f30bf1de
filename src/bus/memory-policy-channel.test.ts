import { describe, expect, it } from 'vitest';
import { waitFor } from './bus-contract.js';
import { createMemoryPolicyChannel, type PolicyState } from './index.js';
import { everyKind, runPolicyChannelContract } from './policy-channel-contract.js';
import { createWatchLine } from './policy-channel.js';

describe('memory policy channel contract', () => {
  runPolicyChannelContract(async (options) => createMemoryPolicyChannel(options));
});

describe('memory policy channel', () => {
  it('keeps its own copy, so a caller mutating the published object changes nothing', async () => {
    const channel = createMemoryPolicyChannel();
    const published = { version: 1, actions: [...everyKind] };
    await channel.publish(published);
    published.actions.length = 0;
    const seen: PolicyState[] = [];
    await channel.watch((s) => void seen.push(s));
    await waitFor(() => seen.length === 1);
    expect(seen[0]?.actions).toHaveLength(everyKind.length);
  });
});

describe('watch line', () => {
  it('drops states that arrive older than or equal to the last delivered one', async () => {
    const seen: number[] = [];
    const line = createWatchLine(
      (s) => void seen.push(s.version),
      () => undefined,
    );
    for (const v of [2, 1, 2, 5, 3, 6]) void line.offer({ version: v, actions: [] });
    await line.offer({ version: 4, actions: [] });
    expect(seen).toEqual([2, 5, 6]);
    expect(line.lastVersion).toBe(6);
  });

  it('hands states over one at a time even when the handler is slow', async () => {
    let inside = 0;
    let overlap = false;
    const line = createWatchLine(
      async () => {
        inside++;
        if (inside > 1) overlap = true;
        await new Promise((r) => setTimeout(r, 2));
        inside--;
      },
      () => undefined,
    );
    await Promise.all([1, 2, 3].map((v) => line.offer({ version: v, actions: [] })));
    expect(overlap).toBe(false);
  });
});

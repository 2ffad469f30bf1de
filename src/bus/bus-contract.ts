import { expect, it } from 'vitest';
import type { Bus, BusErrorListener, BusMessage } from './bus.js';
import { inferenceSubject, Subjects } from './subjects.js';

/** Polls until `predicate` holds, failing after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const settle = (ms = 100) => new Promise((resolve) => setTimeout(resolve, ms));

let counter = 0;

/**
 * The behaviour every Bus implementation owes its callers. Call inside a `describe`; `create`
 * opens a fresh bus on the implementation under test. Each test works in its own subject
 * namespace, so a bus that retains messages (JetStream) cannot leak one test into another.
 */
export function runBusContract(create: (onError: BusErrorListener) => Promise<Bus>): void {
  async function open() {
    const errors: unknown[] = [];
    const bus = await create((error) => errors.push(error));
    const ns = `c${process.pid}x${++counter}`;
    return { bus, errors, ns };
  }

  it('delivers each subscription in publish order per subject', async () => {
    const { bus, ns } = await open();
    const seen: number[] = [];
    await bus.subscribe<number>(`detect.${ns}.order`, async (m) => {
      if (m.data % 7 === 0) await settle(1); // a slow handler must not reorder
      seen.push(m.data);
    });
    const sent = Array.from({ length: 40 }, (_, i) => i);
    for (const i of sent) await bus.publish(`detect.${ns}.order`, i);
    await waitFor(() => seen.length === sent.length);
    expect(seen).toEqual(sent);
    await bus.close();
  });

  it('matches * to exactly one token and > to one or more', async () => {
    const { bus, ns } = await open();
    const star: string[] = [];
    const rest: string[] = [];
    await bus.subscribe(`detect.${ns}.*`, (m) => void star.push(m.subject));
    await bus.subscribe(`detect.${ns}.>`, (m) => void rest.push(m.subject));
    for (const s of ['a', 'a.b', 'b', 'a.b.c']) await bus.publish(`detect.${ns}.${s}`, s);
    await bus.publish(`respond.${ns}.a`, 'elsewhere');
    await waitFor(() => rest.length === 4 && star.length === 2);
    await settle();
    expect(star).toEqual([`detect.${ns}.a`, `detect.${ns}.b`]);
    expect(rest).toEqual(['a', 'a.b', 'b', 'a.b.c'].map((s) => `detect.${ns}.${s}`));
    await bus.close();
  });

  it('delivers every subject to the pattern >', async () => {
    const { bus, ns } = await open();
    const seen: string[] = [];
    await bus.subscribe('>', (m) => void (m.subject.includes(ns) && seen.push(m.subject)));
    for (const root of ['gateway', 'detect', 'respond']) await bus.publish(`${root}.${ns}.x`, 1);
    await waitFor(() => seen.length === 3);
    expect(seen).toEqual([`gateway.${ns}.x`, `detect.${ns}.x`, `respond.${ns}.x`]);
    await bus.close();
  });

  it('partitions inference events by model, one model or all of them', async () => {
    const { bus, ns } = await open();
    const all: BusMessage[] = [];
    const one: BusMessage[] = [];
    const ours = (m: BusMessage) => (m.data as { ns: string }).ns === ns;
    await bus.subscribe(Subjects.inferenceCompletedAll, (m) => void (ours(m) && all.push(m)));
    await bus.subscribe(inferenceSubject('org/model.v2 ü'), (m) => void (ours(m) && one.push(m)));
    await bus.publish(inferenceSubject('breast-cancer'), { ns, n: 1 });
    await bus.publish(inferenceSubject('org/model.v2 ü'), { ns, n: 2 });
    await waitFor(() => all.length === 2 && one.length === 1);
    expect(all.map((m) => m.subject)).toEqual([
      'gateway.inference.completed.breast-cancer',
      'gateway.inference.completed.org%2Fmodel%2Ev2%20%C3%BC',
    ]);
    expect(one[0]?.data).toEqual({ ns, n: 2 });
    await bus.close();
  });

  it('keeps delivering to every handler when one throws, and reports the error', async () => {
    const { bus, errors, ns } = await open();
    let thrown = 0;
    const seen: number[] = [];
    await bus.subscribe<number>(`detect.${ns}.x`, () => {
      thrown++;
      throw new Error('handler failed');
    });
    await bus.subscribe<number>(`detect.${ns}.x`, (m) => void seen.push(m.data));
    for (let i = 0; i < 5; i++) await bus.publish(`detect.${ns}.x`, i);
    await waitFor(() => seen.length === 5 && thrown === 5);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(errors).toHaveLength(5);
    expect((errors[0] as Error).message).toBe('handler failed');
    await bus.close();
  });

  it('stops delivery to a subscription after unsubscribe', async () => {
    const { bus, ns } = await open();
    const gone: number[] = [];
    const stays: number[] = [];
    const sub = await bus.subscribe<number>(`detect.${ns}.u`, (m) => void gone.push(m.data));
    await bus.subscribe<number>(`detect.${ns}.u`, (m) => void stays.push(m.data));
    await bus.publish(`detect.${ns}.u`, 1);
    await waitFor(() => gone.length === 1 && stays.length === 1);
    await sub.unsubscribe();
    await bus.publish(`detect.${ns}.u`, 2);
    await waitFor(() => stays.length === 2);
    await settle();
    expect(gone).toEqual([1]);
    await bus.close();
  });

  it('resumes a durable subscription right after the last handled message', async () => {
    const { bus, ns } = await open();
    const seen: number[] = [];
    const handler = (m: BusMessage<number>) => void seen.push(m.data);
    const first = await bus.subscribeDurable<number>(`detect.${ns}.d.>`, `w${ns}`, handler);
    for (const i of [1, 2]) await bus.publish(`detect.${ns}.d.e`, i);
    await waitFor(() => seen.length === 2);
    await first.unsubscribe();
    for (const i of [3, 4]) await bus.publish(`detect.${ns}.d.e`, i);
    await settle();
    expect(seen).toEqual([1, 2]);
    await bus.subscribeDurable<number>(`detect.${ns}.d.>`, `w${ns}`, handler);
    await waitFor(() => seen.length >= 4);
    await settle();
    expect(seen).toEqual([1, 2, 3, 4]);
    await bus.close();
  });

  it('refuses to rebind a durable name to another pattern with BUS_SUBSCRIBE_FAILED', async () => {
    const { bus, ns } = await open();
    const sub = await bus.subscribeDurable(`detect.${ns}.a`, `r${ns}`, () => undefined);
    await sub.unsubscribe();
    await expect(
      bus.subscribeDurable(`detect.${ns}.b`, `r${ns}`, () => undefined),
    ).rejects.toMatchObject({
      code: 'BUS_SUBSCRIBE_FAILED',
    });
    await expect(
      bus.subscribeDurable(`detect.${ns}.a`, 'bad.name', () => undefined),
    ).rejects.toMatchObject({
      code: 'BUS_OPTIONS_INVALID',
    });
    await bus.close();
  });

  it('rejects malformed subjects and patterns with BUS_SUBJECT_INVALID', async () => {
    const { bus } = await open();
    for (const subject of [
      '',
      'detect..x',
      'detect.*',
      'detect.>',
      'detect.a b',
      'other.x',
      'detect.\n',
    ])
      await expect(bus.publish(subject, 1), subject).rejects.toMatchObject({
        code: 'BUS_SUBJECT_INVALID',
      });
    for (const pattern of [
      '',
      'detect.>.x',
      'detect..x',
      'nope.>',
      'detect.a\tb',
      '*.alert.raised',
    ])
      await expect(
        bus.subscribe(pattern, () => undefined),
        pattern,
      ).rejects.toMatchObject({
        code: 'BUS_SUBJECT_INVALID',
      });
    await bus.close();
  });

  it('refuses to publish after close with BUS_CLOSED', async () => {
    const { bus, ns } = await open();
    await bus.close();
    await expect(bus.publish(`detect.${ns}.x`, 1)).rejects.toMatchObject({ code: 'BUS_CLOSED' });
  });
}

import { describe, expect, it } from 'vitest';
import { createProgressBar } from './progress-bar.js';

function sink(isTTY: boolean, columns = 80) {
  const writes: string[] = [];
  return { out: { write: (t: string) => writes.push(t), isTTY, columns }, writes };
}

describe('progress bar', () => {
  it('redraws one line in place on a terminal and keeps logged lines above it', () => {
    const { out, writes } = sink(true);
    const bar = createProgressBar(out, '[drill] ');
    bar.update('extraction: 10 queries', 10, 40);
    bar.update('extraction: 20 queries', 20, 40);
    bar.log('alert raised');
    bar.stop();
    const screen = writes.join('');
    expect(screen).toContain('[drill] [######..................]  25% extraction: 10 queries');
    expect(screen).toContain(
      '\r\x1b[2K[drill] [############............]  50% extraction: 20 queries',
    );
    // The logged line erases the bar, prints, then draws the bar again below it.
    expect(screen).toContain(
      '\r\x1b[2K[drill] alert raised\n[drill] [############............]  50%',
    );
    expect(screen.endsWith('\n')).toBe(true);
  });

  it('never draws wider than the terminal', () => {
    const { out, writes } = sink(true, 30);
    createProgressBar(out).update('x'.repeat(100), 1, 2);
    expect(writes.at(-1)!.length).toBeLessThanOrEqual(29);
  });

  it('prints a plain line per quarter and one at the end when not on a terminal', () => {
    const { out, writes } = sink(false);
    const bar = createProgressBar(out);
    for (let i = 1; i <= 100; i += 1) bar.update(`evasion: ${i}`, i, 100);
    bar.update('evasion: 100', 100, 100);
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    expect(writes.map((w) => w.match(/(\d+)%/)![1])).toEqual(['1', '26', '51', '76', '100']);
  });

  it('clamps shares outside 0..1 and treats a zero total as nothing done', () => {
    const { out, writes } = sink(false);
    const bar = createProgressBar(out);
    bar.update('a: over', 12, 10);
    bar.update('b: none', 0, 0);
    expect(writes[0]).toContain('100% a: over');
    expect(writes[1]).toContain('  0% b: none');
  });
});

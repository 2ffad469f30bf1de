/** Where a progress bar draws: stderr in the CLI, a buffer in tests. */
export interface ProgressOutput {
  write(text: string): unknown;
  /** A terminal gets one redrawn line; anything else (a pipe, a CI log) gets plain lines. */
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressBar {
  /** Sets the bar to `done` of `total` with a short label (e.g. "extraction: 40 queries"). */
  update(label: string, done: number, total: number): void;
  /** Prints a line above the bar (or just a line when not on a terminal). */
  log(line: string): void;
  /** Clears the bar; later lines print normally. */
  stop(): void;
}

const BAR_WIDTH = 24;
// Off a terminal, print a bar line only when it moves by this share, so CI logs stay short.
const PLAIN_STEP = 0.25;

/**
 * A one-line progress bar. On a terminal it redraws in place (carriage return and
 * erase-line, no colours); elsewhere it prints a line at each quarter and at the end.
 */
export function createProgressBar(out: ProgressOutput, prefix = ''): ProgressBar {
  let shown = '';
  let lastPlain = new Map<string, number>();
  const clear = () => {
    if (shown) out.write('\r\x1b[2K');
    shown = '';
  };
  return {
    update(label, done, total) {
      const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
      const filled = Math.round(share * BAR_WIDTH);
      const bar = `${prefix}[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${Math.round(
        share * 100,
      )
        .toString()
        .padStart(3)}% ${label}`;
      if (out.isTTY) {
        const width = Math.max(20, (out.columns ?? 80) - 1);
        clear();
        shown = bar.length > width ? bar.slice(0, width) : bar;
        out.write(shown);
        return;
      }
      const key = label.split(':')[0] ?? label;
      const previous = lastPlain.get(key) ?? -1;
      if (share >= 1 ? previous < 1 : share - previous >= PLAIN_STEP) {
        lastPlain.set(key, share);
        out.write(bar + '\n');
      }
    },
    log(line) {
      const redraw = shown;
      clear();
      out.write(`${prefix}${line}\n`);
      if (redraw && out.isTTY) {
        shown = redraw;
        out.write(shown);
      }
    },
    stop() {
      if (shown) out.write('\n');
      shown = '';
      lastPlain = new Map();
    },
  };
}

/**
 * A progress bar on stderr: redrawn in place on a terminal, else one line at most every
 * 2 s (logs and CI), so long runs show they are alive without flooding the output.
 */
export function createProgressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY === true;
  let last = 0;
  let drawn = false;
  const line = (done: number, total: number) => {
    const share = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(share * 30);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(30 - filled)}`;
    return `${label} [${bar}] ${Math.round(share * 100)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
  };
  return {
    update(done: number, total: number): void {
      const now = Date.now();
      if (now - last < (tty ? 100 : 2000)) return;
      last = now;
      drawn = true;
      stream.write(tty ? `\r${line(done, total)}` : `${line(done, total)}\n`);
    },
    done(done: number, total: number): void {
      if (tty || drawn) stream.write(tty ? `\r${line(done, total)}\n` : `${line(done, total)}\n`);
    },
  };
}

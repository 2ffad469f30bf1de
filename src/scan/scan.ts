import { dirname, resolve } from 'node:path';
import { scanAny } from './formats/dispatch.js';
import { defaultScanPolicy } from './policy.js';
import { type ByteSource, bufferSource, fileSource } from './readers/byte-source.js';
import { DEFAULT_SCAN_LIMITS, ScanContext } from './scan-context.js';
import type { Finding, ScanFormat, ScanOptions, ScanResult } from './types.js';
import { errorFinding, verdictOf } from './verdict.js';

function runScan(
  src: ByteSource,
  name: string,
  baseDir: string | undefined,
  options: ScanOptions,
): { format: ScanFormat; findings: Finding[] } {
  const limits = { ...DEFAULT_SCAN_LIMITS, ...options.limits };
  const ctx = ScanContext.create(options.policy ?? defaultScanPolicy, limits, baseDir);
  try {
    if (src.size === 0) {
      ctx.add('high', 'scan.format-invalid', 'empty file');
      return { format: 'unknown', findings: ctx.findings };
    }
    const format = scanAny(ctx, src, name);
    return { format, findings: ctx.findings };
  } catch (error) {
    return { format: ctx.sniffedFormat, findings: [...ctx.findings, errorFinding(error)] };
  }
}

/**
 * Scans one model file (by path) or one buffer and returns its verdict with reasons.
 * Never throws for bad input: broken files come back with verdict `error`.
 * @example const r = await scan('model.pt'); if (r.verdict !== 'safe') reject(r.findings);
 */
export async function scan(
  input: string | Uint8Array,
  options: ScanOptions = {},
): Promise<ScanResult> {
  const started = performance.now();
  const finish = (
    path: string,
    bytes: number,
    out: { format: ScanFormat; findings: Finding[] },
  ): ScanResult => ({
    path,
    format: out.format,
    verdict: verdictOf(out.findings),
    findings: out.findings,
    bytes,
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
  });
  if (typeof input !== 'string') {
    const name = options.name ?? '<bytes>';
    return finish(name, input.length, runScan(bufferSource(input), name, undefined, options));
  }
  let src: ReturnType<typeof fileSource>;
  try {
    src = fileSource(input);
  } catch (error) {
    return finish(input, 0, unreadable(`cannot read ${input}: ${(error as Error).message}`));
  }
  try {
    if (!src.isFile) return finish(input, 0, unreadable(`${input} is not a regular file`));
    return finish(input, src.size, runScan(src, input, dirname(resolve(input)), options));
  } finally {
    src.close();
  }
}

function unreadable(message: string): { format: ScanFormat; findings: Finding[] } {
  return {
    format: 'unknown',
    findings: [{ severity: 'high', rule: 'path.unreadable', message, location: {} }],
  };
}

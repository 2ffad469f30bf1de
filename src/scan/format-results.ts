import type { ScanResult, Verdict } from './types.js';

/**
 * Exit codes of `aisoc scan`, for CI gates. They sit above the CLI's shared codes
 * (0-5 in docs/cli.md: 1 failure, 2 usage, ...) so a verdict never reads as a crash or a typo.
 */
export const SCAN_EXIT_CODES = { safe: 0, suspicious: 10, error: 11, malicious: 12 } as const;

/** The exit code for a set of results: malicious outranks error, which outranks suspicious. */
export function scanExitCode(results: ScanResult[]): number {
  const has = (v: Verdict) => results.some((r) => r.verdict === v);
  if (has('malicious')) return SCAN_EXIT_CODES.malicious;
  if (has('error')) return SCAN_EXIT_CODES.error;
  if (has('suspicious')) return SCAN_EXIT_CODES.suspicious;
  return SCAN_EXIT_CODES.safe;
}

function where(loc: ScanResult['findings'][number]['location']): string {
  const parts: string[] = [];
  if (loc.member !== undefined) parts.push(`member ${loc.member}`);
  if (loc.offset !== undefined) parts.push(`@${loc.offset}`);
  if (loc.layer !== undefined) parts.push(`layer ${loc.layer}`);
  if (loc.op !== undefined) parts.push(`op ${loc.op}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** A plain-text table: one line per file, then its findings indented. */
export function formatScanTable(results: ScanResult[]): string {
  const width = Math.min(60, Math.max(4, ...results.map((r) => r.path.length)));
  const lines = [`${'VERDICT'.padEnd(10)} ${'FORMAT'.padEnd(14)} ${'PATH'.padEnd(width)} FINDINGS`];
  for (const r of results) {
    const shown = r.findings.filter((f) => f.severity !== 'info');
    lines.push(
      `${r.verdict.padEnd(10)} ${r.format.padEnd(14)} ${r.path.padEnd(width)} ${shown.length}`,
    );
    for (const f of shown.slice(0, 20))
      lines.push(`    ${f.severity.padEnd(8)} ${f.rule}: ${f.message}${where(f.location)}`);
    if (shown.length > 20) lines.push(`    … ${shown.length - 20} more`);
  }
  const count = (v: Verdict) => results.filter((r) => r.verdict === v).length;
  lines.push(
    `${results.length} files: ${count('safe')} safe, ${count('suspicious')} suspicious, ${count('malicious')} malicious, ${count('error')} error`,
  );
  return `${lines.join('\n')}\n`;
}

/** The results as a JSON document `{ results: [...] }`. */
export function formatScanJson(results: ScanResult[]): string {
  return `${JSON.stringify({ results }, null, 2)}\n`;
}

import { Option } from 'commander';
import { AppError } from '../../core/index.js';

/** Column names taken as the label when `--label` is not given (compared case-insensitively). */
export const LABEL_NAMES = ['label', 'target', 'y', 'class'] as const;

/** What `--fail-on` can name: data-set drift only, or anything worth a warning too. */
export const FAIL_ON = ['drift', 'warn'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export function failOnOption(): Option {
  return new Option(
    '--fail-on <level>',
    'exit 8 on data-set drift (drift), or also on any drifted column or warning (warn)',
  ).choices(FAIL_ON);
}

/**
 * The label column: `--label` when given, else the one column named label/target/y/class.
 * Two such columns are refused as ambiguous; none means the label checks cannot run.
 */
export function chooseLabelColumn(
  baseline: readonly string[],
  candidate: readonly string[],
  explicit?: string,
): { column: string | undefined; note: string | null } {
  if (explicit) return { column: explicit, note: null };
  const found = baseline.filter((c) =>
    (LABEL_NAMES as readonly string[]).includes(c.toLowerCase()),
  );
  if (found.length > 1)
    throw new AppError(
      'CLI_USAGE',
      `the label column is ambiguous: ${found.join(', ')} could each be it; pass --label COLUMN`,
    );
  const [column] = found;
  if (column === undefined)
    return {
      column: undefined,
      note: `no label column (${LABEL_NAMES.join(', ')}) found: label-flip and label-drift checks skipped; pass --label COLUMN`,
    };
  if (!candidate.includes(column))
    throw new AppError(
      'CLI_USAGE',
      `label column "${column}" is in the baseline but not in the candidate; pass --label COLUMN`,
    );
  return { column, note: `label column: ${column} (found by name; --label chooses another)` };
}

/** One warning per column that only one of the two files has: it is not compared. */
export function columnMismatches(
  reference: { name: string; columns: readonly string[] },
  current: { name: string; columns: readonly string[] },
): string[] {
  const only = (a: typeof reference, b: typeof reference) =>
    a.columns
      .filter((c) => !b.columns.includes(c))
      .map((c) => `column "${c}" is only in ${a.name}: not compared`);
  return [...only(reference, current), ...only(current, reference)];
}

/** Writes warnings to stderr, where they do not mix with the data printed on stdout. */
export function warn(lines: readonly string[]): void {
  for (const line of lines) process.stderr.write(`aisoc: warning: ${line}\n`);
}

/**
 * Ends the command with `CLI_CHECK_FAILED` (exit 8) when `--fail-on` names what was found:
 * `drift` for the check's verdict, `warn` for that or any lesser signal or warning.
 */
export function enforceFailOn(
  failOn: FailOn | undefined,
  found: { verdict: string | null; signals: readonly string[] },
): void {
  if (!failOn) return;
  if (found.verdict)
    throw new AppError('CLI_CHECK_FAILED', `--fail-on ${failOn}: ${found.verdict}`);
  if (failOn === 'warn' && found.signals.length > 0)
    throw new AppError(
      'CLI_CHECK_FAILED',
      `--fail-on warn: ${found.signals.length} warning(s): ${found.signals.slice(0, 3).join('; ')}`,
    );
}

import type { Command } from 'commander';
import { AppError } from '../../core/index.js';
import type { Suppression } from '../../respond/index.js';
import { adminClientFrom } from '../context.js';
import { printJson, printTable } from '../output.js';

const path = (id: string) => encodeURIComponent(id);
const UNITS: Record<string, number> = { h: 1, d: 24, w: 168 };

/** `30d`, `12h`, `2w` → hours; a clear error for anything else. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([hdw])$/.exec(text.trim());
  if (!m)
    throw new AppError('CLI_USAGE', `--for takes a duration like 12h, 30d or 2w, not "${text}"`, {
      status: 400,
    });
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** `aisoc incidents dispose` and `aisoc suppressions list|revoke`: the false-positive workflow. */
export function registerFalsePositiveCommands(program: Command, incidents: Command): void {
  incidents
    .command('dispose <id>')
    .description(
      'close an incident with a verdict; --false-positive also lifts its actions and suppresses its findings about that subject',
    )
    .option('--false-positive', 'the incident was a false positive')
    .requiredOption('--reason <text>', 'why (recorded in the audit ledger)')
    .option('--for <duration>', 'how long the suppressions last (12h, 30d, 2w)', '30d')
    .option('--json', 'print JSON')
    .action(
      async (
        id: string,
        opts: { falsePositive?: boolean; reason: string; for: string; json?: boolean },
        command: Command,
      ) => {
        const result = await adminClientFrom(command).post<{
          incident: { id: string; phase: string };
          lifted: string[];
          suppressions: Suppression[];
        }>(`/api/v1/incidents/${path(id)}/dispose`, {
          falsePositive: opts.falsePositive === true,
          reason: opts.reason,
          forHours: parseDuration(opts.for),
        });
        if (opts.json) return printJson(result);
        const out = (s: string) => process.stdout.write(`${s}\n`);
        out(
          `${result.incident.id} ${result.incident.phase} (${opts.falsePositive ? 'false positive' : 'true positive'}); lifted ${result.lifted.join(', ') || 'nothing'}`,
        );
        if (result.suppressions.length > 0) printSuppressions(result.suppressions);
      },
    );

  const suppressions = program
    .command('suppressions')
    .description('false-positive suppressions: subject + detector, with an expiry');
  suppressions
    .command('list')
    .description(
      'active suppressions (subject, detector, model, expiry); --all adds revoked and expired ones',
    )
    .option('--all', 'include revoked and expired suppressions')
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; json?: boolean }, command: Command) => {
      const { suppressions: rows } = await adminClientFrom(command).get<{
        suppressions: Suppression[];
      }>(`/api/v1/suppressions${opts.all ? '?all=true' : ''}`);
      if (opts.json) return printJson(rows);
      printSuppressions(rows);
    });
  suppressions
    .command('revoke <id>')
    .description('end a suppression now: the subject and detector can open incidents again')
    .action(async (id: string, _opts, command: Command) =>
      printJson(await adminClientFrom(command).post(`/api/v1/suppressions/${path(id)}/revoke`, {})),
    );
}

function printSuppressions(rows: readonly Suppression[]): void {
  printTable(
    rows.map((s) => ({
      ...s,
      model: s.model ?? '*',
      incident: s.incidentId ?? '-',
      revoked: s.revokedAt ?? '-',
    })),
    ['id', 'subject', 'detector', 'model', 'expiresAt', 'revoked', 'incident', 'reason'],
  );
}

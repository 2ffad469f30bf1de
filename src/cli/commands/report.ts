import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../../core/index.js';
import type { AdminClient } from '../admin-client.js';
import { adminClientFrom } from '../context.js';
import { printTable, writeOut } from '../output.js';
import { htmlToPdf } from '../pdf.js';

const FORMATS = ['md', 'html', 'pdf', 'json'] as const;

/** `aisoc report incident INC`: the post-incident review with notification drafts and clocks. */
export function registerReportCommands(program: Command): void {
  const report = program.command('report').description('post-incident and regulatory reports');
  report
    .command('incident <id>')
    .description(
      'post-incident review: timeline, metrics, impact, actions, evidence, notification drafts and deadlines',
    )
    .option('--format <format>', FORMATS.join(', '), 'md')
    .option('--out <file>', 'write to this file (PDF needs one)')
    .action(async (id: string, opts: { format: string; out?: string }, command: Command) => {
      if (!(FORMATS as readonly string[]).includes(opts.format))
        throw new AppError('CLI_USAGE', `--format must be one of ${FORMATS.join(', ')}`);
      const client = adminClientFrom(command);
      const asked = opts.format === 'pdf' ? 'html' : opts.format;
      const bytes = await client.getBytes(
        `/api/v1/incidents/${encodeURIComponent(id)}/report?format=${asked}`,
      );
      const out = opts.format === 'pdf' ? await htmlToPdf(bytes.toString('utf8')) : bytes;
      if (opts.out) {
        await writeFile(opts.out, out);
        process.stdout.write(`wrote ${opts.format} report of ${id} to ${opts.out}\n`);
      } else if (opts.format === 'pdf') throw new AppError('CLI_USAGE', 'a PDF needs --out FILE');
      else process.stdout.write(out);
    });
}

const EXPORT_FORMATS = ['stix', 'ocsf', 'thehive', 'cef'] as const;

/**
 * `aisoc export incident INC --format stix|ocsf|thehive|cef`: the incident for threat-intel
 * sharing, a SIEM or a case tool; `--sink NAME` sends it to a configured SOC tool instead.
 */
export function registerExportCommands(program: Command): void {
  program
    .command('export')
    .description('export to SOC tools')
    .command('incident <id>')
    .description(
      'STIX 2.1 bundle (stix), OCSF 1.3 Detection Findings as JSONL (ocsf), a TheHive 5 case (thehive) or CEF lines (cef); --sink sends it to a configured sink',
    )
    .option('--format <format>', EXPORT_FORMATS.join(', '))
    .option(
      '--sink <name>',
      'send to this sink of respond.sinks (TheHive case, or CEF over syslog)',
    )
    .option('--out <file>', 'write to this file')
    .action(
      async (
        id: string,
        opts: { format?: string; sink?: string; out?: string },
        command: Command,
      ) => {
        const client = adminClientFrom(command);
        if (opts.sink !== undefined) {
          if (opts.format !== undefined || opts.out !== undefined)
            throw new AppError(
              'CLI_USAGE',
              '--sink sends the incident: leave out --format and --out',
            );
          const sent = await client.post<{ sink: string; kind: string; ref: string | null }>(
            `/api/v1/incidents/${encodeURIComponent(id)}/send?sink=${encodeURIComponent(opts.sink)}`,
            {},
          );
          writeOut(`sent ${id} to ${sent.sink} (${sent.kind})${sent.ref ? `: ${sent.ref}` : ''}\n`);
          return;
        }
        if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format ?? ''))
          throw new AppError(
            'CLI_USAGE',
            `--format must be one of ${EXPORT_FORMATS.join(', ')} (or give --sink NAME)`,
          );
        const bytes = await client.getBytes(
          `/api/v1/incidents/${encodeURIComponent(id)}/export?format=${opts.format}`,
        );
        if (opts.out) await writeFile(opts.out, bytes);
        else process.stdout.write(bytes);
      },
    );
}

/** The incident's notification clocks (`incidents show`); nothing when none apply. */
export async function printClocks(client: AdminClient, id: string): Promise<void> {
  const { clocks } = await client.get<{
    clocks: {
      article: string;
      audience: string;
      deadline: string | null;
      leftMs: number | null;
      status: string;
    }[];
  }>(`/api/v1/incidents/${encodeURIComponent(id)}/clocks`);
  if (clocks.length === 0) return;
  process.stdout.write('\nnotification clocks\n');
  printTable(
    clocks.map((c) => ({
      ...c,
      left: c.leftMs === null ? '-' : `${Math.max(0, Math.round(c.leftMs / 3_600_000))} h`,
      deadline: c.deadline ?? 'without undue delay',
    })),
    ['status', 'article', 'audience', 'deadline', 'left'],
  );
}

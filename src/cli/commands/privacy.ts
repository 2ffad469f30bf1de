import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { SubjectExport } from '../../privacy/index.js';
import { adminClientFrom } from '../context.js';
import { writeOut } from '../output.js';
import { formatOption, formatFrom, printRecord, printRows } from '../output/index.js';

/** `aisoc privacy erase|export|rotate-kek|status` (issue 19, docs/privacy.md). */
export function registerPrivacyCommands(program: Command): void {
  const privacy = program
    .command('privacy')
    .description('privacy of the record: erase a data subject, export a subject, rotate the KEK');
  privacy
    .command('erase')
    .description(
      'crypto-shred a data subject: destroy its data key so its sealed fields can never be read; recorded in the audit ledger by pseudonym',
    )
    .requiredOption('--subject <id>', 'the data subject id (as sent at models[].subject)')
    .requiredOption('--reason <text>', 'why (e.g. the erasure request reference)')
    .addOption(formatOption())
    .action(async (opts: { subject: string; reason: string; format: string }, command: Command) => {
      const done = await adminClientFrom(command).post<{
        subjectRef: string;
        keyDestroyed: boolean;
        walTruncated: boolean | null;
        at: string;
      }>('/api/v1/privacy/erase', { subject: opts.subject, reason: opts.reason });
      printRecord(formatFrom(opts), done, () =>
        writeOut(
          `${done.subjectRef}: ${done.keyDestroyed ? 'data key destroyed' : 'no data key held (nothing sealed, or erased before)'}` +
            `${done.walTruncated === false ? '; WARNING: the SQLite WAL could not be truncated yet (a reader held it); run again' : ''}\n`,
        ),
      );
    });
  privacy
    .command('export')
    .description(
      'everything aisoc holds about a data subject (GDPR Art. 15): requests, decisions, model versions, incidents',
    )
    .requiredOption('--subject <id>', 'the data subject id')
    .requiredOption('--reason <text>', 'why (recorded in the audit ledger)')
    .option('--reveal', 'open sealed fields (needs the privacy-officer role; the read is recorded)')
    .option('--out <file>', 'write the JSON export to this file instead of printing')
    .addOption(formatOption())
    .action(
      async (
        opts: { subject: string; reason: string; reveal?: boolean; out?: string; format: string },
        command: Command,
      ) => {
        const exported = await adminClientFrom(command).post<SubjectExport>(
          '/api/v1/privacy/export',
          { subject: opts.subject, reason: opts.reason, reveal: opts.reveal === true },
        );
        if (opts.out) {
          await writeFile(opts.out, `${JSON.stringify(exported, null, 2)}\n`, { mode: 0o600 });
          writeOut(
            `wrote ${exported.events.length} events of ${exported.subjectRef} to ${opts.out}\n`,
          );
          return;
        }
        const format = formatFrom(opts);
        if (format === 'json') return printRecord(format, exported, () => {});
        printRows(format, exported.events, [
          'seq',
          'time',
          'model',
          'modelVersion',
          'outcome',
          'sealed',
        ]);
        if (format === 'table')
          writeOut(
            `${exported.subjectRef}${exported.erased ? ' (erased)' : ''}: ${exported.events.length} events; incidents: ${exported.incidents.map((i) => i.id).join(', ') || 'none'}\n`,
          );
      },
    );
  privacy
    .command('rotate-kek')
    .description('create a new key-encryption key and re-wrap every data key under it')
    .requiredOption('--reason <text>', 'why (recorded in the audit ledger)')
    .addOption(formatOption())
    .action(async (opts: { reason: string; format: string }, command: Command) => {
      const done = await adminClientFrom(command).post<{
        from: string;
        to: string;
        rewrapped: number;
      }>('/api/v1/privacy/rotate-kek', { reason: opts.reason });
      printRecord(formatFrom(opts), done, () =>
        writeOut(`KEK ${done.from} → ${done.to}: ${done.rewrapped} data keys re-wrapped\n`),
      );
    });
  privacy
    .command('status')
    .description('how many data keys are held, under which KEK, and how many subjects were erased')
    .addOption(formatOption())
    .action(async (opts: { format: string }, command: Command) => {
      const s = await adminClientFrom(command).get<{
        keys: number;
        kekIds: string[];
        erasures: number;
      }>('/api/v1/privacy/status');
      printRecord(formatFrom(opts), s, () =>
        writeOut(
          `${s.keys} data keys (KEK ${s.kekIds.join(', ') || '-'}); ${s.erasures} subjects erased\n`,
        ),
      );
    });
}

import { userInfo } from 'node:os';
import type { Command } from 'commander';
import {
  createLedgerWriter,
  loadLedgerKey,
  pruneBefore,
  truncateSqliteWal,
} from '../../ledger/index.js';
import type { Store } from '../../store/index.js';
import { configFrom } from '../context.js';
import { writeOut } from '../output.js';
import { formatFrom, formatOption, printRows } from '../output/index.js';

interface PruneOptions {
  before: string;
  stream?: string;
  reason?: string;
  format: string;
}

/** `aisoc ledger prune`: registered by registerLedgerCommands (issue 19, retention). */
export function registerLedgerPrune(
  ledger: Command,
  streams: readonly string[],
  withStore: (command: Command, body: (store: Store) => Promise<void>) => Promise<void>,
): void {
  ledger
    .command('prune')
    .description(
      'remove the payloads of entries older than DATE, keeping leaf hashes and checkpoints so the log stays provable; recorded in the audit ledger',
    )
    .requiredOption('--before <date>', 'ISO 8601 date or date-time: entries before it are pruned')
    .option('--stream <name>', `only this stream (default: ${streams.join(' and ')})`)
    .option('--reason <text>', 'why (recorded in the audit ledger)')
    .addOption(formatOption())
    .action(async (opts: PruneOptions, command: Command) => {
      const before = pruneBefore(opts.before); // a bad date fails before anything opens
      const config = configFrom(command);
      const actor = `cli:${userInfo().username}`;
      const reason = opts.reason ?? `aisoc ledger prune --before ${opts.before}`;
      await withStore(command, async (store) => {
        // Its own audit writer: writers lock each stream's head per commit, so a running
        // server's writer and this one extend the same tree.
        const writer = await createLedgerWriter({
          store: config.store,
          streams: ['audit'],
          key: await loadLedgerKey(config.ledger.keyFile),
          origin: config.ledger.origin,
          checkpointEvery: { ms: config.ledger.checkpointIntervalMs },
        });
        const rows = [];
        try {
          for (const stream of opts.stream ? [opts.stream] : streams) {
            // Loaded here: the app module graph reaches the bus and the ONNX runtime, which
            // the other ledger commands (verify) must not load.
            const { pruneStream } = await import('../../app/index.js');
            const plan = await pruneStream({
              store,
              audit: async (entry) => void (await writer.appendDurable('audit', entry)),
              stream,
              before,
              actor,
              reason,
            });
            rows.push({ ...plan, pruned: plan.toSeq - plan.fromSeq });
          }
        } finally {
          await writer.close();
        }
        // The audit writer's connection can keep the WAL from being emptied; now it is closed.
        const walTruncated = rows.some((r) => r.walTruncated !== null)
          ? await truncateSqliteWal(store)
          : null;
        if (walTruncated === false)
          process.stderr.write(
            'WARNING: the SQLite WAL could not be truncated (another process reads it); old payload bytes may remain in the database file until its next checkpoint: run `aisoc ledger prune` again when the server is stopped\n',
          );
        const format = formatFrom(opts);
        if (format !== 'table')
          return printRows(format, rows, ['stream', 'fromSeq', 'toSeq', 'pruned', 'before']);
        for (const r of rows)
          writeOut(
            r.pruned > 0
              ? `${r.stream}: pruned entries ${r.fromSeq}..${r.toSeq - 1} (${r.pruned}) before ${r.before}; leaf hashes and checkpoints kept\n`
              : `${r.stream}: nothing to prune before ${r.before} (pruned up to ${r.toSeq}; signed up to ${r.checkpointSize})\n`,
          );
      });
    });
}

import type { Command } from 'commander';
import { AppError } from '../../core/index.js';
import {
  exportCheckpoints,
  exportPublicKey,
  getCheckpoint,
  loadLedgerKey,
  proveConsistency,
  proveInclusion,
} from '../../ledger/index.js';
import { createStore, type Store } from '../../store/index.js';
import { configFrom, positiveNumber } from '../context.js';
import { writeOut } from '../output.js';
import { formatFrom, formatOption, jsonOption, printRecord } from '../output/index.js';
import { registerLedgerPrune } from './ledger-prune.js';
import { registerLedgerVerify } from './ledger-verify.js';
import { registerLedgerWitness } from './ledger-witness.js';

const STREAMS = ['inference', 'audit'];

/** `aisoc ledger …`: reads the database directly, so it works (and proves things) with the server down. */
export function registerLedgerCommands(program: Command): void {
  const ledger = program
    .command('ledger')
    .description('verify the tamper-evident ledgers and export proofs');

  registerLedgerVerify(ledger, STREAMS, withStore);
  registerLedgerWitness(ledger);
  registerLedgerPrune(ledger, STREAMS, withStore);

  ledger
    .command('checkpoint')
    .description('print the latest signed checkpoint of a stream')
    .option('--stream <name>', 'stream', 'inference')
    .action(async (opts, command: Command) =>
      withStore(command, async (store) => {
        const checkpoint = await getCheckpoint(store, opts.stream);
        if (!checkpoint)
          throw new AppError('NOT_FOUND', `stream ${opts.stream} has no checkpoint yet`);
        writeOut(checkpoint.note.endsWith('\n') ? checkpoint.note : `${checkpoint.note}\n`);
      }),
    );

  ledger
    .command('prove')
    .description('print an inclusion proof for one entry')
    .requiredOption('--seq <n>', 'entry sequence number')
    .option('--size <n>', 'tree size (default: latest checkpoint)')
    .option('--stream <name>', 'stream', 'inference')
    .addOption(formatOption(['json', 'jsonl']).default('json'))
    .action(async (opts, command: Command) =>
      withStore(command, async (store) =>
        printRecord(
          formatFrom(opts),
          await proveInclusion(
            store,
            opts.stream,
            whole(opts.seq),
            opts.size === undefined ? undefined : whole(opts.size),
          ),
          () => {},
        ),
      ),
    );

  ledger
    .command('consistency')
    .description('print a consistency proof between two tree sizes')
    .requiredOption('--from <size>', 'older tree size', positiveNumber)
    .option('--to <size>', 'newer tree size (default: latest checkpoint)', positiveNumber)
    .option('--stream <name>', 'stream', 'inference')
    .addOption(formatOption(['json', 'jsonl']).default('json'))
    .action(async (opts, command: Command) =>
      withStore(command, async (store) =>
        printRecord(
          formatFrom(opts),
          await proveConsistency(store, opts.stream, opts.from, opts.to),
          () => {},
        ),
      ),
    );

  ledger
    .command('public-key')
    .description('print the ledger public key (PEM and signed-note verifier key)')
    .addOption(formatOption())
    .addOption(jsonOption())
    .action(async (opts, command: Command) => {
      const key = exportPublicKey(await loadLedgerKey(configFrom(command).ledger.keyFile));
      printRecord(formatFrom(opts), key, () =>
        writeOut(`${key.pem.trimEnd()}\n${key.verifierKey}\n`),
      );
    });

  ledger
    .command('export-checkpoints <file>')
    .description('append checkpoints not yet in FILE to it (a witness file to keep elsewhere)')
    .option('--stream <name>', 'stream', 'inference')
    .action(async (file: string, opts, command: Command) =>
      withStore(command, async (store) => {
        const result = await exportCheckpoints(store, opts.stream, file);
        writeOut(`${JSON.stringify(result)}\n`);
      }),
    );
}

async function withStore(command: Command, body: (store: Store) => Promise<void>): Promise<void> {
  // A one-shot reader that serves nothing meanwhile: SQLite stays on this thread (faster).
  const store = await createStore(configFrom(command).store, { sqliteOnCallingThread: true });
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

function whole(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new AppError('CLI_USAGE', `expected a whole number, got "${value}"`);
  return n;
}

import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../../core/index.js';
import {
  exportCheckpoints,
  exportPublicKey,
  getCheckpoint,
  loadLedgerKey,
  proveConsistency,
  proveInclusion,
  verifyLedger,
  type LedgerVerification,
} from '../../ledger/index.js';
import { createStore, type Store } from '../../store/index.js';
import { configFrom, positiveNumber } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { readableFile } from '../arguments.js';
import { formatFrom, formatOption, jsonOption, printRecord } from '../output/index.js';

const STREAMS = ['inference', 'audit'];

/** `aisoc ledger …`: reads the database directly, so it works (and proves things) with the server down. */
export function registerLedgerCommands(program: Command): void {
  const ledger = program
    .command('ledger')
    .description('verify the tamper-evident ledgers and export proofs');

  ledger
    .command('verify')
    .description(
      'recompute every leaf, root and checkpoint signature; exit 3 naming the first bad entry on tampering',
    )
    .option('--stream <name>', 'only this stream (default: all)')
    .option(
      '--public-key <verifierKey>',
      'verify against this key (note verifier format) instead of the local key file',
    )
    .option('--public-key-file <file>', 'read the verifier key from a file')
    .addOption(formatOption())
    .addOption(jsonOption())
    .action(async (opts, command: Command) => {
      const publicKey = await verifierKey(command, opts);
      await withStore(command, async (store) => {
        const results: ({ stream: string } & LedgerVerification)[] = [];
        for (const stream of opts.stream ? [opts.stream as string] : STREAMS) {
          results.push({ stream, ...(await verifyLedger(store, stream, { publicKey })) });
        }
        printRecord(formatFrom(opts), results, () => {
          for (const r of results) {
            const line = r.ok
              ? `ok       ${r.stream}: ${r.entries} entries, ${r.checkpoints} signed checkpoints verified`
              : `TAMPERED ${r.stream}: first bad entry seq ${r.firstBad?.seq}: ${r.firstBad?.reason}`;
            process.stdout.write(`${line}\n`);
          }
        });
        if (results.some((r) => !r.ok)) process.exitCode = ExitCodes.VERIFICATION_FAILED;
      });
    });

  ledger
    .command('checkpoint')
    .description('print the latest signed checkpoint of a stream')
    .option('--stream <name>', 'stream', 'inference')
    .action(async (opts, command: Command) =>
      withStore(command, async (store) => {
        const checkpoint = await getCheckpoint(store, opts.stream);
        if (!checkpoint)
          throw new AppError('NOT_FOUND', `stream ${opts.stream} has no checkpoint yet`);
        process.stdout.write(
          checkpoint.note.endsWith('\n') ? checkpoint.note : `${checkpoint.note}\n`,
        );
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
        process.stdout.write(`${key.pem.trimEnd()}\n${key.verifierKey}\n`),
      );
    });

  ledger
    .command('export-checkpoints <file>')
    .description('append checkpoints not yet in FILE to it (a witness file to keep elsewhere)')
    .option('--stream <name>', 'stream', 'inference')
    .action(async (file: string, opts, command: Command) =>
      withStore(command, async (store) => {
        const result = await exportCheckpoints(store, opts.stream, file);
        process.stdout.write(`${JSON.stringify(result)}\n`);
      }),
    );
}

async function withStore(command: Command, body: (store: Store) => Promise<void>): Promise<void> {
  const store = await createStore(configFrom(command).store);
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

async function verifierKey(
  command: Command,
  opts: { publicKey?: string; publicKeyFile?: string },
): Promise<string> {
  if (opts.publicKey) return opts.publicKey;
  if (opts.publicKeyFile)
    return (await readFile(readableFile(opts.publicKeyFile, '--public-key-file'), 'utf8'))
      .trim()
      .split('\n')
      .pop()!
      .trim();
  return exportPublicKey(await loadLedgerKey(configFrom(command).ledger.keyFile)).verifierKey;
}

function whole(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new AppError('CLI_USAGE', `expected a whole number, got "${value}"`);
  return n;
}

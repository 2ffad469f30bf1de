import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../core/index.js';
import {
  createLedgerKey,
  createWitness,
  formatCosignerKey,
  loadLedgerKey,
  serveWitness,
  type WitnessedLog,
} from '../../ledger/index.js';
import { configFrom } from '../context.js';
import { writeOut } from '../output.js';

interface WitnessOptions {
  listen: string;
  state: string;
  key: string;
  name: string;
  log: string[];
}

/** `aisoc ledger witness`: a small witness that cosigns checkpoints it can prove consistent. */
export function registerLedgerWitness(ledger: Command): void {
  ledger
    .command('witness')
    .description(
      'run a witness: keep the last checkpoint per log, cosign a new one only after a consistency proof (run it on another machine)',
    )
    .requiredOption('--listen <host:port>', 'address to listen on, e.g. 127.0.0.1:7380')
    .requiredOption('--state <file>', 'JSON file with the last checkpoint seen per origin')
    .requiredOption('--key <file>', "the witness's signing key (created, mode 0600, if missing)")
    .option('--name <name>', 'key name when the key is created', 'aisoc-witness')
    .option(
      '--log <origin=key>',
      "a log to witness: its origin prefix and its verifier key (repeatable; default: this config's ledger.origin and ledger.publicKey)",
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .action(async (opts: WitnessOptions, command: Command) => {
      const [host, port] = listenAddress(opts.listen);
      const logs = opts.log.map(parseLog);
      if (logs.length === 0) {
        const config = configFrom(command);
        if (!config.ledger.publicKey)
          throw new AppError('CLI_USAGE', 'give --log ORIGIN=KEY, or set ledger.publicKey');
        logs.push({ origin: config.ledger.origin, publicKey: config.ledger.publicKey });
      }
      const key = existsSync(opts.key)
        ? await loadLedgerKey(opts.key)
        : await createLedgerKey(dirname(opts.key), opts.name, basename(opts.key));
      const witness = await createWitness({ key, logs, statePath: opts.state });
      const server = await serveWitness(witness, { host, port });
      writeOut(
        `witness listening on ${server.url}\nverifier key: ${formatCosignerKey(key.name, key.publicKey)}\nwitnessing: ${logs.map((l) => l.origin).join(', ')}\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}

function parseLog(value: string): WitnessedLog {
  const at = value.indexOf('=');
  if (at <= 0) throw new AppError('CLI_USAGE', `--log expects ORIGIN=KEY, got "${value}"`);
  return { origin: value.slice(0, at), publicKey: value.slice(at + 1) };
}

function listenAddress(value: string): [string, number] {
  const match = /^(.+):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535)
    throw new AppError('CLI_USAGE', `--listen expects HOST:PORT, got "${value}"`);
  return [match[1]!, port];
}

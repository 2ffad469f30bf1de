import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { AisocConfig } from '../../config/index.js';
import { AppError } from '../../core/index.js';
import {
  exportPublicKey,
  fetchWitnessCheckpoints,
  loadLedgerKey,
  parseCosignerKey,
  openKnownLeaves,
  splitWitnessFile,
  verifyLedger,
  type LedgerVerification,
} from '../../ledger/index.js';
import type { Store } from '../../store/index.js';
import { configFrom } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { printJson, writeOut } from '../output.js';

interface VerifyOptions {
  stream?: string;
  publicKey?: string;
  publicKeyFile?: string;
  witness: string[];
  allowUnsignedTail?: boolean;
  knownLeaves?: string;
  json?: boolean;
}

/** `aisoc ledger verify`: registered by registerLedgerCommands. */
export function registerLedgerVerify(
  ledger: Command,
  streams: readonly string[],
  withStore: (command: Command, body: (store: Store) => Promise<void>) => Promise<void>,
): void {
  ledger
    .command('verify')
    .description(
      'recompute every leaf, root and checkpoint signature and compare with witnessed checkpoints; exit 3 naming the first bad entry',
    )
    .option('--stream <name>', 'only this stream (default: all)')
    .option(
      '--public-key <key>',
      'pin the signer: a verifier key string, or a file holding one or a PEM key (default: ledger.publicKey, else the local key file)',
    )
    .option('--public-key-file <file>', 'read the pinned verifier key from a file')
    .option(
      '--witness <file>',
      'checkpoints kept elsewhere (export-checkpoints output, a witness): the database must extend each (repeatable)',
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .option('--allow-unsigned-tail', 'accept entries no checkpoint covers yet (a live writer)')
    .option(
      '--known-leaves <dir>',
      'keep the verified leaf hashes in DIR/<stream>.leaves and compare later runs entry by entry',
    )
    .option('--json', 'print JSON')
    .action(async (opts: VerifyOptions, command: Command) => {
      const config = configFrom(command);
      const { publicKey, pinned } = await pinnedKey(config, opts);
      const witnesses = await witnessNotes(config, opts.witness);
      if (opts.knownLeaves) await mkdir(opts.knownLeaves, { recursive: true, mode: 0o700 });
      await withStore(command, async (store) => {
        const results: (LedgerVerification & { stream: string })[] = [];
        for (const stream of opts.stream ? [opts.stream] : streams) {
          const knownLeaves = opts.knownLeaves
            ? await openKnownLeaves(join(opts.knownLeaves, `${stream}.leaves`))
            : undefined;
          try {
            const result = await verifyLedger(store, stream, {
              publicKey,
              origin: config.ledger.origin,
              allowUnsignedTail: opts.allowUnsignedTail ?? false,
              ...(witnesses.length > 0 ? { witnesses } : {}),
              ...(knownLeaves ? { knownLeaves } : {}),
            });
            results.push({ stream, ...result });
          } finally {
            await knownLeaves?.close();
          }
        }
        if (opts.json) printJson(results.map((r) => ({ ...r, pinned })));
        else for (const r of results) writeOut(`${line(r)}\n`);
        if (!pinned && !opts.json)
          process.stderr.write(
            'note: the key was read from the local ledger.key; pin it with --public-key or ledger.publicKey\n',
          );
        if (results.some((r) => !r.ok)) process.exitCode = ExitCodes.VERIFICATION_FAILED;
      });
    });
}

function line(r: LedgerVerification & { stream: string }): string {
  if (!r.ok)
    return `TAMPERED ${r.stream}: first bad entry seq ${r.firstBad?.seq}: ${r.firstBad?.reason} (${r.code})`;
  const witnessed = r.witnessed === undefined ? '' : `, ${r.witnessed} witnessed`;
  const unsigned = r.unsigned ? `, ${r.unsigned} not yet signed` : '';
  const pruned = r.pruned
    ? `; pruned (not tampered): ${r.pruned.ranges.map((p) => `${p.from}..${p.to - 1} before ${p.before}`).join(', ')}, leaf hashes checked against the signed roots`
    : '';
  return `ok       ${r.stream}: ${r.entries} entries, ${r.checkpoints} signed checkpoints verified${witnessed}${unsigned}${pruned}`;
}

/** The key checkpoints must be signed by: the flag, then `ledger.publicKey`, then ledger.key. */
async function pinnedKey(
  config: Readonly<AisocConfig>,
  opts: VerifyOptions,
): Promise<{ publicKey: string; pinned: boolean }> {
  const fromFile = async (file: string) => {
    const text = (await readFile(file, 'utf8')).trim();
    return text.startsWith('-----BEGIN') ? text : text.split('\n').pop()!.trim();
  };
  if (opts.publicKey) {
    const isFile = !opts.publicKey.includes('+') && existsSync(opts.publicKey);
    return { publicKey: isFile ? await fromFile(opts.publicKey) : opts.publicKey, pinned: true };
  }
  if (opts.publicKeyFile) return { publicKey: await fromFile(opts.publicKeyFile), pinned: true };
  if (config.ledger.publicKey) return { publicKey: config.ledger.publicKey, pinned: true };
  const key = await loadLedgerKey(config.ledger.keyFile);
  return { publicKey: exportPublicKey(key).verifierKey, pinned: false };
}

/** Notes from each --witness file and from each configured witness's latest checkpoints. */
async function witnessNotes(config: Readonly<AisocConfig>, files: string[]): Promise<string[]> {
  const notes: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new AppError('CLI_USAGE', `cannot read witness file ${file}`, { cause });
    }
    notes.push(...splitWitnessFile(text.endsWith('\n\n') ? text : `${text}\n`, file));
  }
  // A configured witness's checkpoints count only with its own cosignature.
  for (const witness of config.ledger.witnesses)
    notes.push(
      ...(await fetchWitnessCheckpoints(witness.url, parseCosignerKey(witness.publicKey))),
    );
  return notes;
}

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../core/index.js';
import { parseS3AccessLog } from '../../registry/index.js';
import { adminClientFrom } from '../context.js';
import { writeOut } from '../output.js';
import { registryPath } from './registry-args.js';

const BATCH_BYTES = 512 * 1024; // under the admin API's 1 MiB body limit, with JSON escaping

/** Splits the log into batches of whole lines, each at most BATCH_BYTES. */
function batches(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (Buffer.byteLength(line) > BATCH_BYTES)
      throw new AppError('REGISTRY_ACCESS_LOG_INVALID', 'a log line is longer than 512 KiB');
    if (current && Buffer.byteLength(current) + Buffer.byteLength(line) + 1 > BATCH_BYTES) {
      out.push(current);
      current = '';
    }
    current += `${line}\n`;
  }
  if (current) out.push(current);
  return out;
}

/** `aisoc registry access-log ingest FILE --format s3` (docs/artifact-access.md). */
export function registerAccessLogCommands(registry: Command): void {
  registry
    .command('access-log')
    .description('object-store access logs of model artifacts, into the audit ledger')
    .command('ingest <file>')
    .description(
      'ingest S3 server access log lines: each object read becomes a registry.artifact.store-read audit entry (the whole file is checked first)',
    )
    .option('--format <format>', 'log format: s3 (S3 server access logs)', 's3')
    .action(async (file: string, opts: { format: string }, command: Command) => {
      if (opts.format !== 's3')
        throw new AppError('CLI_USAGE', `--format ${opts.format}: only "s3" is supported`);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new AppError('CLI_USAGE', `cannot read ${file}: ${(e as Error).message}`);
      }
      parseS3AccessLog(text); // names every bad line (with its number in FILE) before sending any
      const client = adminClientFrom(command);
      let ingested = 0;
      let skipped = 0;
      for (const batch of batches(text)) {
        const r = await client.post<{ ingested: number; skipped: number }>(
          registryPath('access-log'),
          { format: 's3', text: batch },
        );
        ingested += r.ingested;
        skipped += r.skipped;
      }
      writeOut(
        `ingested ${ingested} object read(s) from ${file}; skipped ${skipped} other operation(s)\n`,
      );
    });
}

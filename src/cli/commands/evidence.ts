import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../core/index.js';
import { verifyEvidenceBundle } from '../../forensics/index.js';
import { adminClientFrom } from '../context.js';
import { printJson } from '../output.js';

const path = (id: string) => encodeURIComponent(id);

interface BuiltBundle {
  manifestDigest: string;
  files: Record<string, string>;
  items: { file: string; digest: string }[];
}

/** `aisoc evidence add|export|verify` (issue 12), beside `evidence list` in respond.ts. */
export function registerEvidenceBundleCommands(evidence: Command): void {
  evidence
    .command('add <incident> <file>')
    .description(
      'attach any file to an incident as evidence (stored by digest, custody in the ledger)',
    )
    .requiredOption('--label <text>', 'what the file is')
    .option('--kind <kind>', 'a short kind, e.g. audit_report, model_snapshot', 'attachment')
    .option('--media-type <type>', 'the media type', 'application/octet-stream')
    .action(
      async (
        incident: string,
        file: string,
        opts: { label: string; kind: string; mediaType: string },
        command: Command,
      ) => {
        const bytes = await readFile(file).catch((cause: unknown) => {
          throw new AppError('CLI_USAGE', `cannot read ${file}: ${(cause as Error).message}`);
        });
        const query = new URLSearchParams({
          label: opts.label,
          kind: opts.kind,
          mediaType: opts.mediaType,
        });
        const item = await adminClientFrom(command).postBytes<{ digest: string; id: string }>(
          `/api/v1/incidents/${path(incident)}/evidence?${query}`,
          bytes,
        );
        process.stdout.write(
          `attached ${basename(file)} to ${incident} as ${item.id} (${item.digest})\n`,
        );
      },
    );
  evidence
    .command('export <incident>')
    .description(
      'write a self-contained bundle for a recipient: items, signed manifest, custody entries with inclusion proofs, public key',
    )
    .requiredOption('--out <dir>', 'folder to write (must be empty or absent)')
    .requiredOption('--recipient <name>', 'who receives the bundle (recorded in the ledger)')
    .action(
      async (incident: string, opts: { out: string; recipient: string }, command: Command) => {
        const existing = await readdir(opts.out).catch(() => []);
        if (existing.length > 0) throw new AppError('CLI_USAGE', `${opts.out} is not empty`);
        const client = adminClientFrom(command);
        const bundle = await client.post<BuiltBundle>(
          `/api/v1/incidents/${path(incident)}/evidence/bundle`,
          {
            recipient: opts.recipient,
          },
        );
        for (const item of bundle.items) {
          const bytes = await client.getBytes(
            `/api/v1/evidence/${path(item.digest)}/content?incident=${path(incident)}`,
          );
          const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
          if (actual !== item.digest)
            throw new AppError('RESPOND_EVIDENCE_CORRUPT', `${item.digest} arrived as ${actual}`);
          await put(opts.out, item.file, bytes);
        }
        for (const [file, text] of Object.entries(bundle.files)) await put(opts.out, file, text);
        process.stdout.write(
          `exported ${bundle.items.length} item(s) for ${opts.recipient} to ${opts.out} (manifest ${bundle.manifestDigest})\n`,
        );
      },
    );
  evidence
    .command('verify <dir>')
    .description('check a bundle offline: signature, every file digest, custody inclusion proofs')
    .option(
      '--key <verifier-key>',
      'the ledger verifier key you trust (default: the one in the bundle)',
    )
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, opts: { key?: string; json?: boolean }) => {
      const result = await verifyEvidenceBundle(dir, opts.key ? { expectedKey: opts.key } : {});
      if (opts.json) printJson(result);
      else if (result.ok)
        process.stdout.write(
          `OK: ${result.items} item(s) of ${result.incidentId} for ${result.recipient}, ${result.entries} custody entries proven; signed by ${result.verifierKey}\n`,
        );
      else for (const p of result.problems) process.stdout.write(`FAIL ${p.file}: ${p.problem}\n`);
      if (!result.ok)
        throw new AppError(
          'FORENSICS_BUNDLE_INVALID',
          `the bundle does not verify: ${result.problems.map((p) => p.file).join(', ')}`,
        );
    });
}

async function put(root: string, file: string, data: string | Uint8Array): Promise<void> {
  const target = join(root, file);
  if (!target.startsWith(join(root, '/')) || file.includes('..'))
    throw new AppError('CLI_BAD_RESPONSE', `the server named a file outside the bundle: ${file}`);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, data);
}

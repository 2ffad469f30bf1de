import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../core/index.js';
import { rootDigest, type ArtifactFile } from '../../registry/index.js';
import { adminClientFrom } from '../context.js';
import { writeOut } from '../output.js';
import { registryPath } from './registry-args.js';

interface VersionRow {
  version: string;
  manifestDigest: string;
  location: string | null;
  files: ArtifactFile[];
}

/** Where a manifest path lands under DIR; a path that would leave DIR is refused. */
function target(out: string, path: string, single: string): string {
  if (path === '.') return join(out, single);
  const parts = path.split('/');
  if (path.includes('\\') || path.includes('\0') || parts.some((p) => ['', '.', '..'].includes(p)))
    throw new AppError(
      'CLI_BAD_RESPONSE',
      `the manifest names "${path}", which is not a path inside the version: refused`,
    );
  return join(out, ...parts);
}

const close = (w: WriteStream) =>
  new Promise<void>((ok, fail) => w.end((e?: Error | null) => (e ? fail(e) : ok())));

/**
 * `aisoc registry pull MODEL VERSION --out DIR`: downloads every file of the version through
 * the audited download route and checks each against the registered manifest.
 */
export function registerPullCommand(registry: Command): void {
  registry
    .command('pull <model> <version>')
    .description(
      "download every file of a version through the audited route; each is checked against the registered manifest's SHA-256 (exit 3 on a mismatch)",
    )
    .requiredOption('--out <dir>', 'directory to write the files to (created if missing)')
    .action(async (model: string, version: string, opts: { out: string }, command: Command) => {
      const client = adminClientFrom(command);
      const v = await client.get<VersionRow>(registryPath('models', model, 'versions', version));
      if (v.files.length === 0)
        throw new AppError(
          'CLI_USAGE',
          `${model} ${version} records no files (served remotely): there is nothing to pull`,
        );
      const out = resolve(opts.out);
      const single = v.location ? basename(v.location) : `${model}-${version}`;
      const mismatched: string[] = [];
      for (const file of v.files) {
        const dest = target(out, file.path, single);
        mkdirSync(dirname(dest), { recursive: true });
        const partial = `${dest}.partial`;
        const sink = createWriteStream(partial);
        const hash = createHash('sha256');
        let size = 0;
        try {
          await client.getStream(
            `${registryPath('models', model, 'versions', version, 'file')}?path=${encodeURIComponent(file.path)}`,
            async (chunk) => {
              hash.update(chunk);
              size += chunk.length;
              if (!sink.write(chunk))
                await new Promise<void>((ok) => sink.once('drain', () => ok()));
            },
          );
          await close(sink);
        } catch (error) {
          sink.destroy();
          rmSync(partial, { force: true });
          throw error;
        }
        const digest = hash.digest('hex');
        if (digest !== file.digest || size !== file.size) {
          rmSync(partial, { force: true });
          mismatched.push(
            `${file.path}: got sha256 ${digest} (${size} bytes), manifest says ${file.digest} (${file.size} bytes)`,
          );
          continue;
        }
        renameSync(partial, dest);
        writeOut(`${file.path}  ${digest}  ${size} bytes  ok\n`);
      }
      if (mismatched.length > 0)
        throw new AppError(
          'CLI_DIGEST_MISMATCH',
          `${mismatched.length} of ${v.files.length} file(s) of ${model} ${version} differ from the registered manifest (not written): ${mismatched.join('; ')}`,
          { details: { mismatched } },
        );
      if (rootDigest(v.files) !== v.manifestDigest)
        throw new AppError(
          'CLI_DIGEST_MISMATCH',
          `${model} ${version}: the files listed do not hash to the recorded manifest digest ${v.manifestDigest}`,
        );
      writeOut(`pulled ${v.files.length} file(s) of ${model} ${version} into ${out}\n`);
    });
}

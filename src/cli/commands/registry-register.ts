import { readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { Option, type Command } from 'commander';
import { AppError } from '../../core/index.js';
import { CRITICALITIES, DATA_CLASSIFICATIONS, hashModel } from '../../registry/index.js';
import type { AdminClient } from '../admin-client.js';
import { adminClientFrom } from '../context.js';
import {
  emit,
  existingPath,
  formatOption,
  registryPath,
  usage,
  type OutputFormat,
} from './registry-args.js';
import { writeOut } from '../output.js';

// The server skips a root `model.sig` when it hashes a location; the CLI does the same so the
// manifest digest it computes is the one the server records.
const SERVER_IGNORED = ['model.sig'];
// The name the artifact upload route accepts (src/api/intake-routes.ts).
const UPLOAD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface RegisterOptions {
  signature?: string;
  upstream?: string;
  /** Record a location: true for the absolute PATH, a string from --server-path. */
  location?: string | true | undefined;
  upload?: boolean;
  filename?: string;
  owner?: string;
  criticality?: string;
  classification?: string;
  description?: string;
  format: OutputFormat;
}

interface RegisteredVersion {
  version: string;
  state: string;
  manifestDigest: string;
  files: { path: string; digest: string; size: number }[];
  location: string | null;
  upstream: string | null;
  signature: string | null;
}

/** The signature's path relative to PATH when it lies inside it (then it is not an artifact). */
function insideRoot(root: string, file: string): string | undefined {
  const rel = relative(resolve(root), resolve(file));
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

/** Registers the model first when it is new; an existing model's recorded facts are never edited. */
async function ensureModel(client: AdminClient, model: string, opts: RegisterOptions) {
  let existing: { model: { owner: string; criticality: string; dataClassification: string } };
  try {
    existing = await client.get(registryPath('models', model));
  } catch (error) {
    if ((error as { code?: string }).code !== 'REGISTRY_NOT_FOUND') throw error;
    if (!opts.owner)
      throw usage(`model ${model} is not registered yet; give --owner to register it`);
    await client.post(registryPath('models'), {
      name: model,
      owner: opts.owner,
      ...(opts.criticality ? { criticality: opts.criticality } : {}),
      ...(opts.classification ? { dataClassification: opts.classification } : {}),
      ...(opts.description ? { description: opts.description } : {}),
    });
    return;
  }
  const m = existing.model;
  const differs = (
    [
      ['--owner', opts.owner, m.owner],
      ['--criticality', opts.criticality, m.criticality],
      ['--classification', opts.classification, m.dataClassification],
    ] as const
  ).find(([, given, recorded]) => given !== undefined && given !== recorded);
  if (differs)
    throw usage(
      `${differs[0]}: model ${model} is registered with ${differs[2]}, not ${differs[1]} (registry records are never edited)`,
    );
}

/** `aisoc registry register`: hashes PATH here, then records the version through the admin API. */
export async function registerVersion(
  client: AdminClient,
  model: string,
  version: string,
  path: string | undefined,
  opts: RegisterOptions,
): Promise<RegisteredVersion & { localDigest: string | null }> {
  if (!path && !opts.upstream) throw usage('give PATH (the artifacts), --upstream URL, or both');
  if ((opts.upload || opts.location !== undefined) && !path)
    throw usage(`${opts.upload ? '--upload' : '--location/--server-path'} needs PATH`);
  if (opts.upload && opts.location !== undefined)
    throw usage('--upload and --location/--server-path exclude each other');
  if (opts.upload && opts.signature)
    throw usage(
      '--signature cannot travel with --upload (the upload route takes the file alone); register with --location or without --upload to attach a signature',
    );
  if (opts.upload && opts.upstream)
    throw usage('--upstream cannot travel with --upload (the upload route takes the file alone)');
  if (opts.filename && !opts.upload) throw usage('--filename only applies to --upload');
  const signature = opts.signature
    ? readFileSync(existingPath(opts.signature, '--signature'), 'utf8')
    : undefined;
  if (path) existingPath(path, 'PATH');
  const sigInside = path && opts.signature ? insideRoot(path, opts.signature) : undefined;
  if (sigInside && opts.location !== undefined && sigInside !== 'model.sig')
    throw usage(
      `--signature: ${opts.signature} lies inside PATH; with --location the server hashes every file there but model.sig, so name it model.sig or keep it outside`,
    );
  const manifest = path
    ? await hashModel(path, { ignorePaths: [...SERVER_IGNORED, ...(sigInside ? [sigInside] : [])] })
    : undefined;
  if (opts.upload && (manifest!.files.length !== 1 || !statSync(path!).isFile()))
    throw usage(`--upload sends one file; ${path} is a folder (use --location or no flag)`);
  const filename = opts.filename ?? (path ? basename(resolve(path)) : '');
  if (opts.upload && !UPLOAD_NAME.test(filename))
    throw usage(`--filename: "${filename}" must match ${UPLOAD_NAME} (no folders, no "..")`);

  await ensureModel(client, model, opts);
  let registered: RegisteredVersion;
  if (opts.upload) {
    registered = (
      await client.postBytes<{ version: RegisteredVersion }>(
        `${registryPath('models', model, 'artifacts')}?version=${encodeURIComponent(version)}&filename=${encodeURIComponent(filename)}`,
        readFileSync(path!),
      )
    ).version;
  } else {
    const location = opts.location === true ? resolve(path!) : opts.location;
    registered = await client.post<RegisteredVersion>(registryPath('models', model, 'versions'), {
      version,
      ...(location !== undefined ? { location } : manifest ? { files: manifest.files } : {}),
      ...(opts.upstream ? { upstream: opts.upstream } : {}),
      ...(signature !== undefined ? { signature } : {}),
    });
  }
  if (manifest && registered.manifestDigest !== manifest.rootDigest)
    throw new AppError(
      'CLI_DIGEST_MISMATCH',
      `${model}@${version} was registered, but the server hashed its files to sha256:${registered.manifestDigest} while ${path} hashes here to sha256:${manifest.rootDigest}; the files differ (quarantine or revoke that version)`,
      { details: { server: registered.manifestDigest, local: manifest.rootDigest } },
    );
  return { ...registered, localDigest: manifest?.rootDigest ?? null };
}

export function registerRegisterCommand(registry: Command): void {
  registry
    .command('register <model> <version> [path]')
    .description(
      'record a model version: hashes the files of PATH here and registers them (OMS manifest), with its signature',
    )
    .option('--signature <file>', 'OMS signature bundle of PATH (made by `aisoc sign`)')
    .option(
      '--upstream <url>',
      'http(s) URL of the server answering for this version (remote serving)',
    )
    .option(
      '--location',
      'the files are on the aisoc machine at PATH (absolute): the server hashes them there and can serve them in-process',
    )
    .option('--server-path <path>', 'like --location, where the aisoc machine sees the same files')
    .option('--upload', 'send the single file PATH to the server, stored under <dataDir>/artifacts')
    .option('--filename <name>', 'file name for --upload (default: the name of PATH)')
    .option('--owner <name>', 'owner, to register the model when it is new')
    .addOption(new Option('--criticality <level>', 'for a new model').choices(CRITICALITIES))
    .addOption(
      new Option('--classification <class>', 'data classification, for a new model').choices(
        DATA_CLASSIFICATIONS,
      ),
    )
    .option('--description <text>', 'for a new model')
    .addOption(formatOption())
    .action(
      async (
        model: string,
        version: string,
        path: string | undefined,
        {
          serverPath,
          ...opts
        }: Omit<RegisterOptions, 'location'> & {
          location?: boolean;
          serverPath?: string;
        },
        command: Command,
      ) => {
        const location = serverPath ?? (opts.location ? true : undefined);
        const v = await registerVersion(adminClientFrom(command), model, version, path, {
          ...opts,
          location,
        });
        emit(opts.format, v, () =>
          writeOut(
            `registered ${model}@${version}: ${v.files.length} file(s), manifest sha256:${v.manifestDigest}${v.signature ? ', signed' : ', unsigned'}${v.location ? `, location ${v.location}` : ''}${v.upstream ? `, upstream ${v.upstream}` : ''}\n`,
          ),
        );
      },
    );
}

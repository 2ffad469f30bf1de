import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { AppError, isAppError } from '../../core/index.js';
import {
  loadPublicKey,
  parsePemCertificates,
  signModel,
  verifyModelSignature,
  type TrustAnchor,
} from '../../registry/index.js';
import { readableFile } from '../arguments.js';
import { adminClientFrom } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { formatFrom, formatOption, jsonOption, printRows } from '../output/index.js';
import { writeErr, writeOut } from '../output.js';

export interface ProvenanceIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

// Ignore paths are taken from the current directory, as model-transparency's CLI takes them,
// and made relative to the model root; paths outside the model (the signature file written
// beside it, say) have nothing to ignore and are dropped.
function rootRelative(modelPath: string, paths: readonly string[]): string[] {
  const root = resolve(modelPath);
  return paths.flatMap((p) => {
    const rel = relative(root, resolve(p));
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return [];
    return [rel.split(sep).join('/')];
  });
}

/** `aisoc sign`: writes an OMS signature bundle for a model file or directory. */
export async function runSignCommand(
  modelPath: string,
  opts: {
    privateKey: string;
    certificate?: string;
    chain?: string[];
    output?: string;
    ignorePath?: string[];
  },
  io: ProvenanceIo,
): Promise<number> {
  const output = opts.output ?? 'model.sig';
  existingModel(modelPath);
  readableFile(opts.privateKey, '--private-key');
  if (opts.certificate) readableFile(opts.certificate, '--certificate');
  for (const c of opts.chain ?? []) readableFile(c, '--chain');
  const { bundle, manifest } = await signModel(modelPath, {
    privateKey: readFileSync(opts.privateKey),
    ...(opts.certificate ? { certificate: readFileSync(opts.certificate, 'utf8') } : {}),
    ...(opts.chain ? { chain: opts.chain.map((c) => readFileSync(c, 'utf8')) } : {}),
    ignorePaths: rootRelative(modelPath, [...(opts.ignorePath ?? []), output]),
  });
  writeFileSync(output, `${JSON.stringify(bundle, null, 2)}\n`);
  io.stdout.write(
    `signed ${manifest.files.length} file(s) of ${manifest.name} (sha256 ${manifest.rootDigest}) → ${output}\n`,
  );
  return ExitCodes.OK;
}

/** `aisoc verify`: exit 0 only when the signature is valid and the model matches it exactly. */
export async function runVerifyCommand(
  modelPath: string,
  opts: {
    signature: string;
    publicKey?: string[];
    certificateRoot?: string[];
    sigstoreTrustedRoot?: string;
    identity?: string;
    oidcIssuer?: string;
    ignorePath?: string[];
  },
  io: ProvenanceIo,
): Promise<number> {
  const modes = [opts.publicKey, opts.certificateRoot, opts.sigstoreTrustedRoot].filter(Boolean);
  if (modes.length !== 1) {
    io.stderr.write(
      'aisoc verify: give exactly one of --public-key, --certificate-root or --sigstore-trusted-root\n',
    );
    return ExitCodes.USAGE;
  }
  const keyless = opts.sigstoreTrustedRoot !== undefined;
  if (keyless ? !opts.identity || !opts.oidcIssuer : opts.identity || opts.oidcIssuer) {
    io.stderr.write(
      'aisoc verify: --sigstore-trusted-root needs --identity and --oidc-issuer (the signer the certificate must name), and they go only with it\n',
    );
    return ExitCodes.USAGE;
  }
  // A missing file is a usage error (exit 2), not a bad signature (exit 3).
  existingModel(modelPath);
  readableFile(opts.signature, '--signature');
  for (const k of opts.publicKey ?? []) readableFile(k, '--public-key');
  for (const c of opts.certificateRoot ?? []) readableFile(c, '--certificate-root');
  if (opts.sigstoreTrustedRoot) readableFile(opts.sigstoreTrustedRoot, '--sigstore-trusted-root');
  try {
    const trust: TrustAnchor = opts.publicKey
      ? { kind: 'keys', keys: opts.publicKey.map((k) => loadPublicKey(readFileSync(k))) }
      : opts.sigstoreTrustedRoot
        ? {
            kind: 'sigstore',
            trustedRoot: readTrustedRoot(opts.sigstoreTrustedRoot),
            identities: [{ identity: opts.identity!, issuer: opts.oidcIssuer! }],
          }
        : {
            kind: 'certificates',
            roots: opts.certificateRoot!.flatMap((c) =>
              parsePemCertificates(readFileSync(c, 'utf8'), c),
            ),
          };
    const result = await verifyModelSignature(readFileSync(opts.signature, 'utf8'), trust, {
      modelPath,
      ignorePaths: rootRelative(modelPath, [...(opts.ignorePath ?? []), opts.signature]),
    });
    const by = result.signer.kind === 'sigstore' ? `, signed by ${result.signer.identity}` : '';
    io.stdout.write(
      `Verification succeeded: ${result.files.length} file(s), sha256 ${result.rootDigest}${by}\n`,
    );
    return ExitCodes.OK;
  } catch (error) {
    if (!isAppError(error) || !error.code.startsWith('REGISTRY_')) {
      if ((error as { code?: string }).code === 'ENOENT') {
        io.stderr.write(`Verification failed: ${(error as Error).message}\n`);
        return ExitCodes.VERIFICATION_FAILED;
      }
      throw error;
    }
    io.stderr.write(`Verification failed: ${error.code}: ${error.message}\n`);
    return ExitCodes.VERIFICATION_FAILED;
  }
}

function readTrustedRoot(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AppError(
      'CLI_FILE_UNREADABLE',
      `--sigstore-trusted-root: ${file} is not JSON (${(e as Error).message})`,
    );
  }
}

function existingModel(modelPath: string): void {
  if (!existsSync(modelPath))
    throw new AppError('CLI_FILE_UNREADABLE', `model path: ${modelPath} does not exist`);
}

/** Registers `aisoc sign`, `verify`, `rollback`, `inventory` and `threat-model` (docs/registry.md). */
export function registerProvenanceCommands(program: Command): void {
  registerAdminCommands(program);
  const io = { stdout: { write: writeOut }, stderr: { write: writeErr } };
  program
    .command('sign')
    .description(
      "sign a model file or directory (OpenSSF Model Signing: DSSE + in-toto, every file's SHA-256)",
    )
    .argument('<model-path>')
    .requiredOption('--private-key <pem>', 'ECDSA P-256/P-384/P-521 or Ed25519 private key (PEM)')
    .option('--certificate <pem>', 'signing certificate for that key (certificate-based signing)')
    .option('--chain <pem>', 'intermediate certificate to include (repeatable)', collect)
    .option('--output <file>', 'where to write the signature', 'model.sig')
    .option('--ignore-path <path>', 'file or folder to leave out (repeatable)', collect)
    .action(async (modelPath: string, opts: Parameters<typeof runSignCommand>[1]) => {
      process.exitCode = await runSignCommand(modelPath, opts, io);
    });
  program
    .command('verify')
    .description('verify a model against its OMS signature; exit 0 only when valid, 3 otherwise')
    .argument('<model-path>')
    .requiredOption('--signature <file>', 'the signature bundle (model.sig)')
    .option('--public-key <pem>', 'trusted public key (repeatable)', collect)
    .option(
      '--certificate-root <pem>',
      'trusted root or intermediate certificate(s) (repeatable)',
      collect,
    )
    .option(
      '--sigstore-trusted-root <json>',
      'Sigstore trusted_root.json for keyless signatures (verified offline: Fulcio chain, SCT, Rekor entry)',
    )
    .option('--identity <san>', 'keyless: the identity the signing certificate must name')
    .option('--oidc-issuer <url>', 'keyless: the OIDC issuer the signing certificate must name')
    .option('--ignore-path <path>', 'file or folder to leave out (repeatable)', collect)
    .action(async (modelPath: string, opts: Parameters<typeof runVerifyCommand>[1]) => {
      process.exitCode = await runVerifyCommand(modelPath, opts, io);
    });
}

function registerAdminCommands(program: Command): void {
  program
    .command('rollback <model>')
    .description(
      'pin a model to a known-good version, verified first; recorded in the deployment history and the ledger',
    )
    .requiredOption('--to <version>', 'the approved version to go back to')
    .option('--reason <text>', 'why', 'manual rollback')
    .option('--endpoint <name>', 'endpoint to record (default: the model id)')
    .action(
      async (
        model: string,
        opts: { to: string; reason: string; endpoint?: string },
        command: Command,
      ) => {
        const result = await adminClientFrom(command).post<{
          action: { id: string; appliedAt: string };
          deployment: { at: string } | null;
        }>(`/api/v1/registry/models/${encodeURIComponent(model)}/rollback`, {
          to: opts.to,
          reason: opts.reason,
          ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
        });
        const recorded = result.deployment
          ? `at ${result.deployment.at}`
          : `at ${result.action.appliedAt}; a version of aisoc.yaml, not in the registry`;
        writeOut(`${model} now pinned to ${opts.to} (action ${result.action.id}, ${recorded})\n`);
      },
    );
  program
    .command('inventory')
    .description(
      'list every asset: models, endpoints, datasets, pipelines, owners, criticality, data classification',
    )
    .addOption(formatOption())
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean; format: string }, command: Command) => {
      const { assets } = await adminClientFrom(command).get<{ assets: Record<string, unknown>[] }>(
        '/api/v1/registry/inventory',
      );
      printRows(formatFrom(opts), assets, [
        'kind',
        'id',
        'owner',
        'criticality',
        'dataClassification',
      ]);
    });
  program
    .command('threat-model')
    .description('write the per-asset STRIDE x MITRE ATLAS threat model (Markdown)')
    .option('--output <file>', 'write to a file instead of standard output')
    .action(async (opts: { output?: string }, command: Command) => {
      const { markdown } = await adminClientFrom(command).get<{ markdown: string }>(
        '/api/v1/registry/threat-model',
      );
      if (opts.output) writeFileSync(opts.output, markdown);
      else writeOut(markdown);
    });
}

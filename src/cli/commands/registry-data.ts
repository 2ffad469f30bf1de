import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { AppError } from '../../core/index.js';
import { DATA_CLASSIFICATIONS } from '../../registry/index.js';
import { adminClientFrom, csv } from '../context.js';
import { printTable, writeOut } from '../output.js';
import {
  emit,
  existingPath,
  formatOption,
  isoTime,
  nameAt,
  registryPath,
  usage,
  type OutputFormat,
} from './registry-args.js';
import { snapshotManifest } from './snapshot-manifest.js';

function paramsJson(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw usage(`--params: not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw usage('--params: must be a JSON object, e.g. {"lr":0.01,"epochs":3}');
  return parsed as Record<string, unknown>;
}

function registerDatasetCommands(registry: Command): void {
  const dataset = registry.command('dataset').description('datasets');
  dataset
    .command('add <name>')
    .description('register a dataset')
    .requiredOption('--owner <name>', 'who answers for it')
    .addOption(
      new Option('--classification <class>', 'data classification')
        .choices(DATA_CLASSIFICATIONS)
        .default('internal'),
    )
    .option('--description <text>', 'what it holds')
    .addOption(formatOption())
    .action(
      async (
        name: string,
        opts: { owner: string; classification: string; description?: string; format: OutputFormat },
        command: Command,
      ) => {
        const d = await adminClientFrom(command).post<{ name: string }>(registryPath('datasets'), {
          name,
          owner: opts.owner,
          dataClassification: opts.classification,
          ...(opts.description ? { description: opts.description } : {}),
        });
        emit(opts.format, d, () => writeOut(`registered dataset ${d.name}\n`));
      },
    );
  registry
    .command('datasets')
    .description('list the datasets and their snapshots')
    .addOption(formatOption())
    .action(async (opts: { format: OutputFormat }, command: Command) => {
      const { datasets } = await adminClientFrom(command).get<{
        datasets: (Record<string, unknown> & {
          snapshots: { label: string; rowCount: number }[];
        })[];
      }>(registryPath('datasets'));
      emit(opts.format, datasets, () =>
        printTable(
          datasets.map((d) => ({
            ...d,
            snapshots: d.snapshots.map((s) => `${s.label} (${s.rowCount} rows)`),
          })),
          ['name', 'owner', 'dataClassification', 'snapshots'],
        ),
      );
    });
}

function registerSnapshotCommands(registry: Command): void {
  const snapshot = registry.command('snapshot').description('dataset snapshots');
  snapshot
    .command('add <dataset> <path>')
    .description(
      'register a snapshot: files with SHA-256 digests, row counts and columns, computed here from PATH',
    )
    .requiredOption('--label <label>', 'the snapshot label (e.g. 2026-11 or v3)')
    .option('--location', 'the files are on the aisoc machine at PATH too: record it (absolute)')
    .option('--server-path <path>', 'like --location, where the aisoc machine sees the same files')
    .addOption(formatOption())
    .action(
      async (
        dataset: string,
        path: string,
        opts: { label: string; location?: boolean; serverPath?: string; format: OutputFormat },
        command: Command,
      ) => {
        const manifest = await snapshotManifest(existingPath(path, 'PATH'));
        const location = opts.serverPath ?? (opts.location ? resolve(path) : undefined);
        const s = await adminClientFrom(command).post<{ manifestDigest: string }>(
          registryPath('datasets', dataset, 'snapshots'),
          {
            label: opts.label,
            files: manifest.files,
            rowCount: manifest.rowCount,
            schema: manifest.schema,
            ...(location !== undefined ? { location } : {}),
          },
        );
        if (s.manifestDigest !== manifest.manifestDigest)
          throw new AppError(
            'CLI_DIGEST_MISMATCH',
            `${dataset}@${opts.label} was registered, but the server hashed its files to sha256:${s.manifestDigest} while ${path} hashes here to sha256:${manifest.manifestDigest}`,
          );
        emit(opts.format, s, () =>
          writeOut(
            `registered ${dataset}@${opts.label}: ${manifest.files.length} file(s), ${manifest.rowCount} row(s), manifest sha256:${s.manifestDigest}\n`,
          ),
        );
      },
    );
  for (const verb of ['approve', 'quarantine', 'revoke'] as const)
    snapshot
      .command(`${verb} <dataset> <label>`)
      .description(`${verb} a snapshot (quarantine: suspected poisoning)`)
      .requiredOption('--reason <text>', 'why')
      .addOption(formatOption())
      .action(
        async (
          dataset: string,
          label: string,
          opts: { reason: string; format: OutputFormat },
          command: Command,
        ) => {
          const change = await adminClientFrom(command).post<{ state: string; at: string }>(
            registryPath('datasets', dataset, 'snapshots', label, verb),
            { reason: opts.reason },
          );
          emit(opts.format, change, () =>
            writeOut(`${dataset}@${label} is now ${change.state} (at ${change.at})\n`),
          );
        },
      );
}

function registerRunCommands(registry: Command): void {
  const run = registry.command('run').description('training runs');
  run
    .command('add')
    .description(
      'record a training run: the snapshots it read, its code and parameters, the versions it produced',
    )
    .requiredOption('--code-revision <rev>', 'commit or build of the training code')
    .option('--inputs <list>', 'DATASET@LABEL or base MODEL@VERSION,… it read', (v: string) =>
      csv(v).map((x) => nameAt(x, '--inputs')),
    )
    .option('--outputs <list>', 'MODEL@VERSION,… it produced', (v: string) =>
      csv(v).map((x) => nameAt(x, '--outputs')),
    )
    .option(
      '--base-models <list>',
      'MODEL@VERSION,… it fine-tuned (also accepted in --inputs)',
      (v: string) => csv(v).map((x) => nameAt(x, '--base-models')),
    )
    .option('--params <json>', 'hyper-parameters as a JSON object', paramsJson)
    .option('--started-at <iso>', 'when it started', (v: string) => isoTime(v, '--started-at'))
    .option('--finished-at <iso>', 'when it finished', (v: string) => isoTime(v, '--finished-at'))
    .addOption(formatOption())
    .action(
      async (
        opts: {
          codeRevision: string;
          inputs?: [string, string][];
          outputs?: [string, string][];
          baseModels?: [string, string][];
          params?: Record<string, unknown>;
          startedAt?: string;
          finishedAt?: string;
          format: OutputFormat;
        },
        command: Command,
      ) => {
        const r = await adminClientFrom(command).post<{ id: string }>(registryPath('runs'), {
          codeRevision: opts.codeRevision,
          inputs: (opts.inputs ?? []).map(([dataset, label]) => ({ dataset, label })),
          outputs: (opts.outputs ?? []).map(([model, version]) => ({ model, version })),
          baseModels: (opts.baseModels ?? []).map(([model, version]) => ({ model, version })),
          params: opts.params ?? {},
          ...(opts.startedAt ? { startedAt: opts.startedAt } : {}),
          ...(opts.finishedAt ? { finishedAt: opts.finishedAt } : {}),
        });
        emit(opts.format, r, () => writeOut(`recorded training run ${r.id}\n`));
      },
    );
}

/** `aisoc registry dataset|datasets|snapshot|run …`: the data half of provenance. */
export function registerDataCommands(registry: Command): void {
  registerDatasetCommands(registry);
  registerSnapshotCommands(registry);
  registerRunCommands(registry);
}

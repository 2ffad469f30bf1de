import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../core/index.js';
import type { AdminClient } from '../admin-client.js';
import { adminClientFrom } from '../context.js';
import { printTable, writeOut } from '../output.js';
import { registerDataCommands } from './registry-data.js';
import { registerRegisterCommand } from './registry-register.js';
import { registerDiffCommand } from './registry-diff.js';
import { registerFingerprintCommand } from './registry-fingerprint.js';
import { registerPullCommand } from './registry-pull.js';
import { registerAccessLogCommands } from './registry-access-log.js';
import { registerValidateCommand } from './registry-validate.js';
import {
  emit,
  existingPath,
  formatOption,
  registryPath,
  usage,
  type OutputFormat,
} from './registry-args.js';

interface VersionRow {
  id: string;
  version: string;
  state: string;
  manifestDigest: string;
  files: { path: string }[];
  location: string | null;
  upstream: string | null;
  signature: string | null;
  createdAt: string;
}
type StateChangeRow = {
  state: string;
  at: string;
  actor: string;
  reason: string;
};
interface DeploymentRow {
  endpoint: string;
  modelId: string;
  versionId: string | null;
  at: string;
  until: string | null;
  reason: string;
  actionId: string | null;
}

const short = (digest: string) => `sha256:${digest.slice(0, 12)}`;

/** Where a version's files are: in-process (location), remote (upstream), or only recorded. */
const whereOf = (v: VersionRow) => v.location ?? v.upstream ?? '(files recorded only)';

async function showModel(
  client: AdminClient,
  model: string,
  opts: { version?: string; format: OutputFormat },
): Promise<void> {
  const found = await client.get<{
    model: { id: string; name: string; owner: string; criticality: string };
    versions: VersionRow[];
  }>(registryPath('models', model));
  const versions = opts.version
    ? found.versions.filter((v) => v.version === opts.version)
    : found.versions;
  if (opts.version && versions.length === 0)
    throw new AppError(
      'NOT_FOUND',
      `${model} has no version "${opts.version}" (has: ${found.versions.map((v) => v.version).join(', ') || 'none'})`,
    );
  const detailed = await Promise.all(
    versions.map(async (v) => ({
      ...v,
      history: (
        await client.get<{ history: StateChangeRow[] }>(
          registryPath('models', model, 'versions', v.version),
        )
      ).history,
    })),
  );
  const versionName = new Map(found.versions.map((v) => [v.id, v.version]));
  const deployments = (
    await client.get<{ deployments: DeploymentRow[] }>(registryPath('models', model, 'deployments'))
  ).deployments
    .filter((d) => !opts.version || versionName.get(d.versionId ?? '') === opts.version)
    .map((d) => ({ ...d, version: versionName.get(d.versionId ?? '') ?? null }));
  emit(opts.format, { model: found.model, versions: detailed, deployments }, () => {
    const m = found.model;
    writeOut(`${m.name}  owner ${m.owner}  criticality ${m.criticality}\n\n`);
    printTable(
      detailed.map((v) => ({
        ...v,
        manifest: short(v.manifestDigest),
        files: v.files.length,
        signed: v.signature ? 'yes' : 'no',
        where: whereOf(v),
      })),
      ['version', 'state', 'signed', 'files', 'manifest', 'where', 'createdAt'],
    );
    for (const v of detailed) {
      writeOut(`\nhistory of ${m.name}@${v.version}\n`);
      printTable(v.history, ['at', 'state', 'actor', 'reason']);
    }
    writeOut('\ndeployments\n');
    printTable(deployments, ['endpoint', 'version', 'at', 'until', 'reason', 'actionId']);
  });
}

/** Reads probes for `fingerprint`: one JSON object `{id, input}` a line; errors name the line. */
export function readProbes(file: string): { id: string; input: unknown }[] {
  const probes: { id: string; input: unknown }[] = [];
  const lines = readFileSync(existingPath(file, '--probes'), 'utf8').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw usage(`--probes ${file}:${i + 1}: not JSON (${(error as Error).message})`);
    }
    const p = value as { id?: unknown; input?: unknown };
    if (typeof value !== 'object' || value === null || typeof p.id !== 'string' || !('input' in p))
      throw usage(`--probes ${file}:${i + 1}: expected {"id": "...", "input": <request body>}`);
    probes.push({ id: p.id, input: p.input });
  });
  if (probes.length === 0) throw usage(`--probes ${file}: no probes in the file`);
  return probes;
}

function tolerance(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw usage(`--tolerance: expected a number >= 0, got "${value}"`);
  return n;
}

function registerStateCommands(registry: Command): void {
  const verbs = {
    approve: 'admit a version as known-good: re-hash, scan and verify its signature first',
    quarantine: 'take a version out of service (it returns only through approval)',
    revoke: 'revoke a version for good',
  } as const;
  for (const [verb, description] of Object.entries(verbs))
    registry
      .command(`${verb} <model> <version>`)
      .description(description)
      .requiredOption('--reason <text>', 'why (kept in the history and the audit ledger)')
      .addOption(formatOption())
      .action(
        async (
          model: string,
          version: string,
          opts: { reason: string; format: OutputFormat },
          command: Command,
        ) => {
          const change = await adminClientFrom(command).post<
            StateChangeRow & { lifted?: string[]; serving?: string | null }
          >(registryPath('models', model, 'versions', version, verb), { reason: opts.reason });
          emit(opts.format, change, () => {
            writeOut(`${model}@${version} is now ${change.state} (at ${change.at})\n`);
            if (change.lifted && change.lifted.length > 0)
              writeOut(`lifted the pins and deployments naming it: ${change.lifted.join(', ')}\n`);
            if (change.serving !== undefined)
              writeOut(
                change.serving === null
                  ? `${model} now has no version to serve (requests get 404) until one is deployed\n`
                  : `${model} now serves version ${change.serving}\n`,
              );
          });
        },
      );
  registry
    .command('deploy <model> <version>')
    .description(
      'serve an approved version at every gateway (files and signature checked again, loaded first) and record the deployment',
    )
    .option('--endpoint <name>', 'endpoint it serves (default: the model name)')
    .requiredOption('--reason <text>', 'why')
    .addOption(formatOption())
    .action(
      async (
        model: string,
        version: string,
        opts: { endpoint?: string; reason: string; format: OutputFormat },
        command: Command,
      ) => {
        const d = await adminClientFrom(command).post<DeploymentRow>(
          registryPath('models', model, 'versions', version, 'deploy'),
          { reason: opts.reason, ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) },
        );
        emit(opts.format, d, () =>
          writeOut(
            d.actionId
              ? `${model}@${version} serves ${d.endpoint} from ${d.at} (action ${d.actionId})\n`
              : `${model}@${version} recorded as serving ${d.endpoint} from ${d.at} (not the model's own route: the gateway is unchanged)\n`,
          ),
        );
      },
    );
  registry
    .command('fingerprint <model> <version>')
    .description(
      "record a version's behavioural fingerprint: its answers to probe requests sent through the gateway",
    )
    .requiredOption('--probes <file.jsonl>', 'one {"id", "input"} a line; input is a request body')
    .requiredOption(
      '--tolerance <x>',
      'largest change of any number in an answer (>= 0)',
      tolerance,
    )
    .addOption(formatOption())
    .action(
      async (
        model: string,
        version: string,
        opts: { probes: string; tolerance: number; format: OutputFormat },
        command: Command,
      ) => {
        const probes = readProbes(opts.probes);
        const recorded = await adminClientFrom(command).post<Record<string, unknown>>(
          registryPath('models', model, 'versions', version, 'fingerprint'),
          { probes, tolerance: opts.tolerance },
        );
        emit(opts.format, recorded, () =>
          writeOut(
            `recorded the fingerprint of ${model}@${version}: ${probes.length} probe(s), tolerance ${opts.tolerance}\n`,
          ),
        );
      },
    );
}

/** Registers `aisoc registry …` over the admin API's /api/v1/registry (docs/registry.md). */
export function registerRegistryCommands(program: Command): void {
  const registry = program
    .command('registry')
    .description(
      'models, versions, datasets, snapshots and training runs in the provenance registry',
    );
  registry
    .command('models')
    .description('list the registered models')
    .addOption(formatOption())
    .action(async (opts: { format: OutputFormat }, command: Command) => {
      const { models } = await adminClientFrom(command).get<{
        models: Record<string, unknown>[];
      }>(registryPath('models'));
      emit(opts.format, models, () =>
        printTable(models, ['name', 'owner', 'criticality', 'dataClassification', 'createdAt']),
      );
    });
  registry
    .command('show <model> [version]')
    .description(
      "a model's versions with their states and history, and its deployments (or one version's)",
    )
    .addOption(formatOption())
    .action(
      async (
        model: string,
        version: string | undefined,
        opts: { format: OutputFormat },
        command: Command,
      ) => showModel(adminClientFrom(command), model, { ...opts, ...(version ? { version } : {}) }),
    );
  registerRegisterCommand(registry);
  registerDiffCommand(registry);
  registerFingerprintCommand(registry);
  registerStateCommands(registry);
  registerDataCommands(registry);
  registerValidateCommand(registry);
  registerPullCommand(registry);
  registerAccessLogCommands(registry);
}

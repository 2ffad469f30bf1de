import type { Command } from 'commander';
import type {
  EndpointProvenance,
  ModelDescendants,
  SnapshotLineage,
} from '../../registry/index.js';
import { adminClientFrom } from '../context.js';
import { printTable, writeOut } from '../output.js';
import { emit, formatOption, isoTime, registryPath, type OutputFormat } from './registry-args.js';

const line = (text: string) => writeOut(`${text}\n`);
const digest = (d: string) => `sha256:${d.slice(0, 12)}`;

function printSnapshotLineage(l: SnapshotLineage): void {
  const s = l.snapshot;
  line(
    `${l.dataset.name}@${s.label}  ${l.state}  ${s.rowCount} rows  manifest ${digest(s.manifestDigest)}`,
  );
  line('\ntraining runs that read it');
  printTable(
    l.runs.map((r) => ({ ...r, params: r.params })),
    ['id', 'codeRevision', 'params', 'finishedAt'],
  );
  line('\nmodel versions they produced');
  printTable(
    l.versions.map((v) => ({
      model: v.model,
      version: v.version.version,
      state: v.state,
      liveEndpoints: v.liveEndpoints,
      deployments: v.deployments.length,
    })),
    ['model', 'version', 'state', 'liveEndpoints', 'deployments'],
  );
}

function printEndpointProvenance(p: EndpointProvenance): void {
  if (!p.deployment?.versionId || !p.model || !p.version) {
    line(`${p.endpoint} at ${p.at}: no registered version was deployed there`);
    return;
  }
  const d = p.deployment;
  line(`${p.endpoint} at ${p.at}`);
  line(
    `  served ${p.model.name}@${p.version.version} (${p.stateAt} then), deployed ${d.at}${d.until ? ` until ${d.until}` : ', still serving'}`,
  );
  line(`  reason: ${d.reason}${d.actionId ? ` (action ${d.actionId})` : ''}`);
  line(
    `  manifest ${digest(p.version.manifestDigest)}, ${p.version.files.length} file(s), ${p.version.signature ? 'signed' : 'unsigned'}`,
  );
  line('\ntraining runs that produced it');
  printTable(
    p.runs.map(({ run, inputs, bases }) => ({
      run: run.id,
      codeRevision: run.codeRevision,
      params: run.params,
      inputs: inputs.map(
        (i) => `${i.dataset}@${i.snapshot.label} (${digest(i.snapshot.manifestDigest)})`,
      ),
      'base models': bases,
    })),
    ['run', 'codeRevision', 'params', 'inputs', 'base models'],
  );
}

function printDescendants(d: ModelDescendants): void {
  const r = d.root;
  line(
    `${r.model}@${r.version.version}  ${r.state}  serving ${r.liveEndpoints.join(', ') || 'nowhere'}`,
  );
  line(`\nfine-tuned from it (${d.descendants.length})`);
  printTable(
    d.descendants.map((v) => ({
      version: `${v.model}@${v.version.version}`,
      depth: v.depth,
      base: v.base,
      run: v.run,
      state: v.state,
      liveEndpoints: v.liveEndpoints,
    })),
    ['version', 'depth', 'base', 'run', 'state', 'liveEndpoints'],
  );
  line(`\nendpoints affected now (${d.affectedEndpoints.length})`);
  printTable(d.affectedEndpoints, ['endpoint', 'model', 'version']);
}

/** `aisoc lineage snapshot|endpoint`: the two incident questions, answered from the registry. */
export function registerLineageCommands(program: Command): void {
  const lineage = program
    .command('lineage')
    .description(
      'what was trained on a snapshot, what was fine-tuned from a model, and what produced the model behind an endpoint',
    );
  lineage
    .command('snapshot <dataset> <label>')
    .description('what was trained on this snapshot, and where is it deployed?')
    .addOption(formatOption())
    .action(
      async (dataset: string, label: string, opts: { format: OutputFormat }, command: Command) => {
        const l = await adminClientFrom(command).get<SnapshotLineage>(
          registryPath('lineage', 'snapshots', dataset, label),
        );
        emit(opts.format, l, () => printSnapshotLineage(l));
      },
    );
  lineage
    .command('model <model> <version>')
    .description(
      'every version fine-tuned from this one (a compromised base model) and the endpoints they serve',
    )
    .addOption(formatOption())
    .action(
      async (model: string, version: string, opts: { format: OutputFormat }, command: Command) => {
        const d = await adminClientFrom(command).get<ModelDescendants>(
          registryPath('lineage', 'models', model, version),
        );
        emit(opts.format, d, () => printDescendants(d));
      },
    );
  lineage
    .command('endpoint <endpoint>')
    .description('what data and code produced the model answering this endpoint at a time?')
    .option('--at <iso>', 'the time (ISO 8601; default: now)', (v: string) => isoTime(v, '--at'))
    .addOption(formatOption())
    .action(
      async (endpoint: string, opts: { at?: string; format: OutputFormat }, command: Command) => {
        const query = opts.at ? `?at=${encodeURIComponent(opts.at)}` : '';
        const p = await adminClientFrom(command).get<EndpointProvenance>(
          `${registryPath('lineage', 'endpoints', endpoint)}${query}`,
        );
        emit(opts.format, p, () => printEndpointProvenance(p));
      },
    );
}

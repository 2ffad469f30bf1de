import type { Command } from 'commander';
import { AppError } from '../../core/index.js';
import {
  IMPACT_FORMATS,
  parseTime,
  runImpact,
  runImpactMany,
  snapshotTargets,
  syncEventIndex,
  versionsServed,
  type ImpactFormat,
  type ImpactTarget,
  type ManyImpactSummary,
  type SnapshotLineageView,
} from '../../forensics/index.js';
import { erasedSubjects } from '../../privacy/index.js';
import { createStore } from '../../store/index.js';
import { adminClientFrom, configFrom, positiveNumber } from '../context.js';
import { printJson } from '../output.js';
import { createProgressBar } from '../progress.js';

interface ImpactOpts {
  model?: string;
  modelVersion?: string;
  good?: string;
  goodOnnx?: string;
  goodUpstream?: string;
  snapshot?: string;
  progress?: boolean;
  from?: string;
  to?: string;
  incident?: string;
  out: string;
  format: string;
  concurrency?: number;
  attach?: boolean;
  json?: boolean;
}

interface IncidentDetail {
  incident: { assets: string[]; firstSeen: string; lastSeen: string };
  alerts: { evidence?: Record<string, unknown> }[];
}

/** `aisoc impact`: the decisions a suspect version served, re-scored on the known-good one. */
export function registerImpactCommand(program: Command): void {
  program
    .command('impact')
    .description('re-score the decisions a suspect model version served on its known-good version')
    .option('--model <id>', 'the model (default with --incident: its first asset)')
    .option(
      '--model-version <v>',
      'the suspect version (default with --incident: the one that served most in its window)',
    )
    .option(
      '--good <v>',
      "the known-good version (default: the alert's known-good, else the active one)",
    )
    .option('--good-onnx <file>', 'ONNX file of the known-good version, when aisoc.yaml names none')
    .option(
      '--good-upstream <url>',
      'upstream (KServe V2) of the known-good version, when aisoc.yaml names none; used when it has no ONNX',
    )
    .option(
      '--snapshot <dataset@label>',
      'every version trained on this dataset snapshot (and fine-tuned from those), in the windows it served',
    )
    .option('--progress', 'draw the progress bar on stderr even when it is not a terminal')
    .option('--from <time>', 'window start, ISO 8601 (default with --incident: first seen)')
    .option('--to <time>', 'window end, ISO 8601 (default with --incident: now)')
    .option(
      '--incident <id>',
      'take model, window and known-good version from the incident, and attach the result to it',
    )
    .option('--no-attach', 'with --incident, do not attach the result as evidence')
    .requiredOption('--out <file>', 'where to write every decision')
    .option('--format <format>', `${IMPACT_FORMATS.join(' or ')}`, 'jsonl')
    .option('--concurrency <n>', 'batches re-scored at once (default 8)', positiveNumber)
    .option('--json', 'print the summary as JSON')
    .action(async (opts: ImpactOpts, command: Command) => {
      if (!(IMPACT_FORMATS as readonly string[]).includes(opts.format))
        throw new AppError('CLI_USAGE', `--format must be one of ${IMPACT_FORMATS.join(', ')}`);
      const config = configFrom(command);
      let model = opts.model;
      let good = opts.good;
      let from = opts.from === undefined ? undefined : parseTime('from', opts.from);
      const to = opts.to === undefined ? undefined : parseTime('to', opts.to);
      if (opts.incident !== undefined) {
        const detail = await adminClientFrom(command).get<IncidentDetail>(
          `/api/v1/incidents/${encodeURIComponent(opts.incident)}`,
        );
        model ??= detail.incident.assets[0];
        from ??= detail.incident.firstSeen;
        good ??= detail.alerts
          .map((a) => a.evidence?.knownGoodVersion)
          .find((v): v is string => typeof v === 'string');
      }
      const concurrency = Math.round(opts.concurrency ?? 8);
      const showProgress = process.stderr.isTTY === true || opts.progress === true;
      const goodSource = {
        models: config.models,
        ...(opts.goodOnnx === undefined ? {} : { goodOnnx: opts.goodOnnx }),
        ...(opts.goodUpstream === undefined ? {} : { goodUpstream: opts.goodUpstream }),
        upstreamTimeoutMs: config.gateway.upstreamTimeoutMs,
      };
      if (opts.snapshot !== undefined) {
        if (opts.incident !== undefined || opts.modelVersion !== undefined)
          throw new AppError(
            'CLI_USAGE',
            '--snapshot finds its versions through lineage: drop --incident and --model-version',
          );
        const targets = await snapshotImpactTargets(command, opts.snapshot, from, to);
        const store = await createStore(config.store);
        try {
          await store.migrate();
          await syncEventIndex(store);
          const bars = new Map<ImpactTarget, ReturnType<typeof createProgressBar>>();
          const summary = await runImpactMany(store, {
            ...goodSource,
            ...(opts.good === undefined ? {} : { goodVersion: opts.good }),
            targets: targets.filter((t) => opts.model === undefined || t.model === opts.model),
            out: opts.out,
            format: opts.format as ImpactFormat,
            concurrency,
            ...(showProgress
              ? {
                  onProgress: (t: ImpactTarget, done: number, total: number) => {
                    if (!bars.has(t))
                      bars.set(t, createProgressBar(`re-scoring ${t.model}@${t.version}`));
                    bars.get(t)!.update(done, total);
                  },
                }
              : {}),
            erasedSubjects: (refs) => erasedSubjects(store.db, refs),
          });
          for (const [t, bar] of bars) {
            const s = summary.versions.find((v) => v.model === t.model && v.version === t.version);
            bar.done(s?.decisions ?? 0, s?.decisions ?? 0);
          }
          const result = { snapshot: opts.snapshot, targets, ...summary };
          if (opts.json) return printJson(result);
          printSnapshotSummary(result);
        } finally {
          await store.close();
        }
        return;
      }
      if (model === undefined)
        throw new AppError('CLI_USAGE', 'name the model: --model, --incident or --snapshot');
      const store = await createStore(config.store);
      try {
        await store.migrate();
        await syncEventIndex(store);
        let version = opts.modelVersion;
        if (version === undefined) {
          const served = await versionsServed(store, {
            models: [model],
            ...(from === undefined ? {} : { from }),
            ...(to === undefined ? {} : { to }),
          });
          version = served.find((s) => s.version !== good)?.version;
          if (version === undefined)
            throw new AppError(
              'CLI_USAGE',
              `no version of ${model} other than the known-good one served in that window; pass --model-version`,
            );
        }
        const bar = createProgressBar(`re-scoring ${model}@${version}`);
        const summary = await runImpact(store, {
          ...goodSource,
          model,
          version,
          ...(good === undefined ? {} : { goodVersion: good }),
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
          out: opts.out,
          format: opts.format as ImpactFormat,
          concurrency,
          ...(showProgress ? { onProgress: (done, total) => bar.update(done, total) } : {}),
          erasedSubjects: (refs) => erasedSubjects(store.db, refs),
        });
        if (showProgress) bar.done(summary.decisions, summary.decisions);
        let evidence: unknown = null;
        if (opts.incident !== undefined && opts.attach !== false) {
          const { readFile } = await import('node:fs/promises');
          const query = new URLSearchParams({
            kind: 'impact',
            label: `impact of ${model}@${version} re-scored on ${summary.goodVersion}: ${summary.flips} of ${summary.decisions} decisions flip`,
            mediaType: opts.format === 'csv' ? 'text/csv' : 'application/x-ndjson',
          });
          const summaryQuery = new URLSearchParams({
            kind: 'impact_summary',
            label: `impact summary of ${model}@${version} (for reports)`,
            mediaType: 'application/json',
          });
          await adminClientFrom(command).postBytes(
            `/api/v1/incidents/${encodeURIComponent(opts.incident)}/evidence?${summaryQuery}`,
            Buffer.from(JSON.stringify(summary)),
          );
          evidence = await adminClientFrom(command).postBytes(
            `/api/v1/incidents/${encodeURIComponent(opts.incident)}/evidence?${query}`,
            await readFile(opts.out),
          );
        }
        if (opts.json) return printJson({ ...summary, evidence });
        printSummary(summary, evidence);
      } finally {
        await store.close();
      }
    });
}

function printSummary(s: Awaited<ReturnType<typeof runImpact>>, evidence: unknown): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`${s.model}@${s.version} re-scored on ${s.goodVersion} (${s.goodDigest})`);
  const windows = s.windows ?? [{ from: s.from ?? undefined, to: s.to ?? undefined }];
  for (const w of windows) out(`window     ${w.from ?? 'start'} .. ${w.to ?? 'now'}`);
  const sealed = s.sealed
    ? `; ${s.sealed} sealed by privacy policy, of which ${s.erased} erased (subject's key destroyed, fields unreadable)`
    : '';
  out(`events     ${s.events} (${s.unscorable} without features or answers${sealed})`);
  out(
    `decisions  ${s.decisions}, flipped ${s.flips}${s.errors ? `, ${s.errors} not re-scored (error)` : ''}`,
  );
  out(`subjects   ${s.subjects}`);
  out(`by principal`);
  for (const [p, t] of Object.entries(s.byPrincipal))
    out(`  ${p}  ${t.decisions} decisions, ${t.flips} flipped`);
  out(`by class answered`);
  for (const [c, t] of Object.entries(s.byClass))
    out(`  ${c}  ${t.decisions} decisions, ${t.flips} flipped`);
  out(`written to ${s.file}`);
  if (evidence) out(`attached as evidence ${(evidence as { digest?: string }).digest ?? ''}`);
}

interface SnapshotLineageAnswer extends SnapshotLineageView {
  versions: (SnapshotLineageView['versions'][number] & { model: string })[];
}

/**
 * The versions trained on DATASET@LABEL (lineage), and those fine-tuned from them, each with
 * the windows its deployments served.
 */
async function snapshotImpactTargets(
  command: Command,
  snapshot: string,
  from: string | undefined,
  to: string | undefined,
): Promise<ImpactTarget[]> {
  const at = snapshot.lastIndexOf('@');
  if (at <= 0 || at === snapshot.length - 1)
    throw new AppError('CLI_USAGE', `--snapshot must be DATASET@LABEL, got "${snapshot}"`);
  const client = adminClientFrom(command);
  const base = '/api/v1/registry/lineage';
  const lineage = await client.get<SnapshotLineageAnswer>(
    `${base}/snapshots/${encodeURIComponent(snapshot.slice(0, at))}/${encodeURIComponent(snapshot.slice(at + 1))}`,
  );
  const versions = [...lineage.versions];
  const seen = new Set(versions.map((v) => `${v.model}@${v.version.version}`));
  for (const v of lineage.versions) {
    const family = await client.get<{ descendants: SnapshotLineageAnswer['versions'] }>(
      `${base}/models/${encodeURIComponent(v.model)}/${encodeURIComponent(v.version.version)}`,
    );
    for (const d of family.descendants) {
      const id = `${d.model}@${d.version.version}`;
      if (!seen.has(id)) {
        seen.add(id);
        versions.push(d);
      }
    }
  }
  return snapshotTargets({ versions }, from, to);
}

function printSnapshotSummary(
  r: ManyImpactSummary & { snapshot: string; targets: ImpactTarget[] },
): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(
    `trained on ${r.snapshot}: ${r.targets.map((t) => `${t.model}@${t.version}`).join(', ') || 'no versions'}`,
  );
  for (const t of r.targets)
    if (t.windows.length === 0)
      out(`${t.model}@${t.version}: no deployment in the window, skipped`);
  for (const s of r.versions) {
    out('');
    printSummary({ ...s, file: r.file }, null);
  }
  out('');
  out(
    `total      ${r.decisions} decisions, flipped ${r.flips}${r.errors ? `, ${r.errors} not re-scored` : ''}`,
  );
}

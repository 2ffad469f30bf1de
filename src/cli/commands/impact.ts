import type { Command } from 'commander';
import { AppError } from '../../core/index.js';
import {
  IMPACT_FORMATS,
  parseTime,
  runImpact,
  syncEventIndex,
  versionsServed,
  type ImpactFormat,
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
    .option('--from <time>', 'window start, ISO 8601 (default with --incident: first seen)')
    .option('--to <time>', 'window end, ISO 8601 (default with --incident: now)')
    .option(
      '--incident <id>',
      'take model, window and known-good version from the incident, and attach the result to it',
    )
    .option('--no-attach', 'with --incident, do not attach the result as evidence')
    .requiredOption('--out <file>', 'where to write every decision')
    .option('--format <format>', `${IMPACT_FORMATS.join(' or ')}`, 'jsonl')
    .option('--concurrency <n>', 'batches re-scored at once', positiveNumber)
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
      if (model === undefined)
        throw new AppError('CLI_USAGE', 'name the model: --model or --incident');
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
          models: config.models,
          model,
          version,
          ...(good === undefined ? {} : { goodVersion: good }),
          ...(opts.goodOnnx === undefined ? {} : { goodOnnx: opts.goodOnnx }),
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
          out: opts.out,
          format: opts.format as ImpactFormat,
          ...(opts.concurrency === undefined ? {} : { concurrency: Math.round(opts.concurrency) }),
          onProgress: (done, total) => bar.update(done, total),
          erasedSubjects: (refs) => erasedSubjects(store.db, refs),
        });
        bar.done(summary.decisions, summary.decisions);
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
  out(`window     ${s.from ?? 'start'} .. ${s.to ?? 'now'}`);
  const sealed = s.sealed
    ? `; ${s.sealed} sealed by privacy policy, of which ${s.erased} erased (subject's key destroyed, fields unreadable)`
    : '';
  out(`events     ${s.events} (${s.unscorable} without features or answers${sealed})`);
  out(`decisions  ${s.decisions}, flipped ${s.flips}`);
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

import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../core/index.js';
import {
  diffVersionArtifacts,
  type ArtifactFile,
  type ModelFileDiff,
  type VersionDiff,
} from '../../registry/index.js';
import { adminClientFrom } from '../context.js';
import { printTable, writeOut } from '../output.js';
import { emit, formatOption, registryPath, usage, type OutputFormat } from './registry-args.js';

interface VersionRow {
  version: string;
  location: string | null;
  upstream: string | null;
  files: ArtifactFile[];
}

const fixed = (v: number | null | undefined, digits = 4) =>
  v === undefined || v === null ? '-' : Number.isFinite(v) ? v.toPrecision(digits) : String(v);

function localArtifacts(model: string, v: VersionRow | undefined, name: string) {
  if (!v) throw new AppError('NOT_FOUND', `${model} has no version "${name}"`);
  if (v.location === null)
    throw new AppError(
      'CLI_USAGE',
      `${model} ${name} has no local artifacts (${v.upstream ? `served remotely by ${v.upstream}` : 'files recorded only'}): its weights cannot be compared`,
    );
  if (!existsSync(v.location))
    throw new AppError(
      'CLI_USAGE',
      `${model} ${name}: its artifacts at ${v.location} are not readable from this machine; run the diff where the registry's files are`,
    );
  return { location: v.location, files: v.files };
}

function printModelDiff(m: ModelFileDiff, all: boolean): void {
  const c = m.counts;
  writeOut(
    `\n${m.format} ${m.after}\n  tensors: ${c.changed} changed, ${c.unchanged} unchanged, ${c.added} added, ${c.removed} removed, ${c.reshaped} reshaped${c.uncompared ? `, ${c.uncompared} not compared` : ''}\n`,
  );
  if (m.graph) {
    const g = m.graph;
    const ops = Object.entries(g.operatorCounts).map(([op, [a, b]]) => `${op} ${a}→${b}`);
    writeOut(
      `  graph: ${g.addedNodes.length} nodes added, ${g.removedNodes.length} removed, ${g.rewiredNodes.length} rewired${ops.length ? `; operators ${ops.join(', ')}` : ''}\n`,
    );
    for (const n of g.addedNodes) writeOut(`    + ${n}\n`);
    for (const n of g.removedNodes) writeOut(`    - ${n}\n`);
    for (const n of g.rewiredNodes) writeOut(`    ~ ${n}\n`);
  }
  const rows = m.tensors
    .filter((t) => all || t.change !== 'unchanged')
    .map((t) => ({
      tensor: t.name,
      change: t.change,
      shape: `${t.previous ? `[${t.previous.shape.join('x')}]→` : ''}[${t.shape.join('x')}] ${t.dtype}`,
      'rel-l2': fixed(t.relativeChange),
      'l2-diff': fixed(t.l2Diff),
      'max-abs': fixed(t.maxAbsDiff),
      'elems-changed': t.changedElements === undefined ? '-' : `${t.changedElements}/${t.elements}`,
    }));
  if (rows.length)
    printTable(rows, [
      'tensor',
      'change',
      'shape',
      'rel-l2',
      'l2-diff',
      'max-abs',
      'elems-changed',
    ]);
}

interface Behaviour {
  id: string;
  rows: number;
  candidate: { accuracy: number; perClass: Record<string, { f1: number; support: number }> };
  knownGood: { accuracy: number; perClass: Record<string, { f1: number; support: number }> };
  differing: { count: number; rows: number[] };
}

function printBehaviour(b: Behaviour, data: string, from: string, to: string): void {
  writeOut(
    `\nbehaviour on ${data}: ${b.differing.count} of ${b.rows} decisions differ` +
      (b.differing.count > 0 ? ` (rows ${b.differing.rows.slice(0, 10).join(', ')}…)` : '') +
      `; accuracy ${fixed(b.knownGood.accuracy)} → ${fixed(b.candidate.accuracy)}\n`,
  );
  printTable(
    Object.entries(b.knownGood.perClass).map(([c, m]) => ({
      class: c,
      support: String(m.support),
      [`${from} f1`]: fixed(m.f1),
      [`${to} f1`]: fixed(b.candidate.perClass[c]?.f1),
    })),
    ['class', 'support', `${from} f1`, `${to} f1`],
  );
  writeOut(`(recorded as validation ${b.id} of ${to} against ${from})\n`);
}

/** `aisoc registry diff MODEL V1 V2`: what changed in the files, tensors and graph. */
export function registerDiffCommand(registry: Command): void {
  registry
    .command('diff <model> <from> <to>')
    .description(
      'compare two versions: files by digest, then each ONNX or safetensors file tensor by tensor (norms of the change) and operator by operator',
    )
    .option('--all', 'list unchanged tensors too')
    .option(
      '--data <dataset@label>',
      'also compare behaviour: both versions score this registered snapshot through the serving path; the decisions that differ and per-class changes (recorded as a validation of TO against FROM)',
    )
    .addOption(formatOption())
    .action(
      async (
        model: string,
        from: string,
        to: string,
        opts: { format: OutputFormat; all?: boolean; data?: string },
        command: Command,
      ) => {
        if (opts.data !== undefined && !/^[^@]+@[^@]+$/.test(opts.data))
          throw usage(`--data: expected DATASET@LABEL, got "${opts.data}"`);
        const client = adminClientFrom(command);
        const { versions } = await client.get<{ versions: VersionRow[] }>(
          registryPath('models', model),
        );
        const pick = (name: string) =>
          localArtifacts(
            model,
            versions.find((v) => v.version === name),
            name,
          );
        // With --data the behaviour can be compared even where the weights cannot (a version
        // served by an upstream): the reason is shown instead of the weights.
        let diff: VersionDiff | undefined;
        let weightsSkipped: string | undefined;
        try {
          diff = diffVersionArtifacts(pick(from), pick(to));
        } catch (e) {
          if (opts.data === undefined || !(e instanceof AppError) || e.code !== 'CLI_USAGE')
            throw e;
          weightsSkipped = e.message;
        }
        const behaviour =
          opts.data === undefined
            ? undefined
            : await client.post<Behaviour>(
                registryPath('models', model, 'versions', to, 'validate'),
                { against: from, data: opts.data },
              );
        const out = {
          model,
          from,
          to,
          ...(diff ?? { weightsSkipped }),
          ...(behaviour ? { behaviour } : {}),
        };
        emit(opts.format, out, () => {
          writeOut(`${model} ${from} → ${to}\n`);
          if (diff) {
            printTable(
              diff.files.map((f) => ({ file: f.path, change: f.change })),
              ['file', 'change'],
            );
            for (const m of diff.models) printModelDiff(m, opts.all === true);
            if (diff.models.length === 0 && diff.files.every((f) => f.change === 'same'))
              writeOut('\nthe two versions hold the same files\n');
          } else writeOut(`weights not compared: ${weightsSkipped}\n`);
          if (behaviour) printBehaviour(behaviour, opts.data!, from, to);
        });
      },
    );
}

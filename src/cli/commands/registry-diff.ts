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
import { emit, formatOption, registryPath, type OutputFormat } from './registry-args.js';

interface VersionRow {
  version: string;
  location: string | null;
  upstream: string | null;
  files: ArtifactFile[];
}

const fixed = (v: number | undefined, digits = 4) =>
  v === undefined ? '-' : Number.isFinite(v) ? v.toPrecision(digits) : String(v);

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

/** `aisoc registry diff MODEL V1 V2`: what changed in the files, tensors and graph. */
export function registerDiffCommand(registry: Command): void {
  registry
    .command('diff <model> <from> <to>')
    .description(
      'compare two versions: files by digest, then each ONNX or safetensors file tensor by tensor (norms of the change) and operator by operator',
    )
    .option('--all', 'list unchanged tensors too')
    .addOption(formatOption())
    .action(
      async (
        model: string,
        from: string,
        to: string,
        opts: { format: OutputFormat; all?: boolean },
        command: Command,
      ) => {
        const { versions } = await adminClientFrom(command).get<{ versions: VersionRow[] }>(
          registryPath('models', model),
        );
        const pick = (name: string) =>
          localArtifacts(
            model,
            versions.find((v) => v.version === name),
            name,
          );
        const diff: VersionDiff = diffVersionArtifacts(pick(from), pick(to));
        emit(opts.format, { model, from, to, ...diff }, () => {
          writeOut(`${model} ${from} → ${to}\n`);
          printTable(
            diff.files.map((f) => ({ file: f.path, change: f.change })),
            ['file', 'change'],
          );
          for (const m of diff.models) printModelDiff(m, opts.all === true);
          if (diff.models.length === 0 && diff.files.every((f) => f.change === 'same'))
            writeOut('\nthe two versions hold the same files\n');
        });
      },
    );
}

import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { canonicalJson, createId, type AuditEntry } from '../core/index.js';
import type { Registry } from './create-registry.js';
import { registryError } from './errors.js';
import { compareFiles, describeProblems, hashModel } from './oms/model-manifest.js';
import type { RegistryDatabase } from './schema.js';
import {
  compareFairness,
  compareVersions,
  type Comparison,
  type FairnessComparison,
} from './validation-metrics.js';
import { DEPLOYABLE_STATES } from './version-states.js';

export interface ValidationInput {
  model: string;
  version: string;
  /** The known-good version to compare with. */
  against: string;
  dataset: string;
  label: string;
  /** Default: `registry.validationTolerance`. */
  tolerance?: number;
  /** A column of the snapshot naming each row's group; default `registry.fairnessGroup`. */
  group?: string;
  /** Largest demographic parity or equalised-odds gap; default `registry.fairnessTolerance`. */
  fairnessTolerance?: number;
}

/** One validation as recorded in the registry (and the audit ledger). */
export interface ValidationRecord extends Comparison {
  id: string;
  model: string;
  version: string;
  against: string;
  snapshot: { dataset: string; label: string; id: string; manifestDigest: string };
  at: string;
  actor: string;
  /** Per-group figures of both versions, when the snapshot has a group column. */
  fairness?: FairnessComparison;
}

export interface ValidationDeps<DB extends RegistryDatabase = RegistryDatabase> {
  registry: Registry;
  /** The store's database seen with the registry's tables: `store.db.withTables<RegistryDatabase>()`. */
  db: Kysely<DB>;
  audit: (entry: AuditEntry) => Promise<void>;
  /** Class probabilities model@version gives for each row (through the serving path). */
  infer: (model: string, version: string, rows: number[][]) => Promise<number[][]>;
  tolerance: number;
  /** `registry.fairnessTolerance` and `registry.fairnessGroup`. */
  fairness?: { tolerance: number; group?: string | undefined };
}

const MAX_ROWS = 100_000;

const gapsOf = (r: FairnessComparison['candidate']) => ({
  accuracyGap: r.accuracyGap,
  demographicParityDifference: r.demographicParityDifference,
  equalisedOddsDifference: r.equalisedOddsDifference,
});

/**
 * Reads a snapshot's CSV files: numeric features, the `label` column (else the last one), and
 * the group column when one is named (any text; it is not a feature).
 */
async function readLabelledRows(root: string, files: { path: string }[], groupColumn?: string) {
  const csv = files.filter((f) => f.path.toLowerCase().endsWith('.csv'));
  if (csv.length === 0)
    throw registryError('REGISTRY_INPUT_INVALID', 'the snapshot holds no .csv file to score');
  const rows: number[][] = [];
  const labels: number[] = [];
  const groups: string[] = [];
  for (const f of csv) {
    const text = await readFile(f.path === '.' ? root : `${root}/${f.path}`, 'utf8');
    const [head, ...lines] = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    const columns = (head ?? '').split(',').map((c) => c.trim());
    const at = columns.includes('label') ? columns.indexOf('label') : columns.length - 1;
    const g = groupColumn === undefined ? -1 : columns.indexOf(groupColumn);
    if (groupColumn !== undefined && (g < 0 || g === at))
      throw registryError(
        'REGISTRY_INPUT_INVALID',
        `${f.path}: no group column "${groupColumn}" (columns: ${columns.join(', ')})`,
      );
    for (const [n, line] of lines.entries()) {
      const text = line.split(',');
      if (g >= 0) {
        const group = text[g]?.trim() ?? '';
        if (group === '' || group.length > 64)
          throw registryError(
            'REGISTRY_INPUT_INVALID',
            `${f.path} line ${n + 2}: group "${group}" must be 1 to 64 characters`,
          );
        groups.push(group);
      }
      const cells = text.map((c, i) => (i === g ? 0 : Number(c)));
      if (cells.length !== columns.length || cells.some((c) => !Number.isFinite(c)))
        throw registryError(
          'REGISTRY_INPUT_INVALID',
          `${f.path} line ${n + 2}: expected ${columns.length} numbers`,
        );
      const label = cells[at]!;
      if (!Number.isInteger(label) || label < 0)
        throw registryError(
          'REGISTRY_INPUT_INVALID',
          `${f.path} line ${n + 2}: label ${label} is not a class index`,
        );
      labels.push(label);
      rows.push(cells.filter((_, i) => i !== at && i !== g));
      if (rows.length > MAX_ROWS)
        throw registryError('REGISTRY_INPUT_INVALID', `more than ${MAX_ROWS} rows to score`);
    }
  }
  return { rows, labels, groups };
}

/**
 * The gate before a redeploy: scores a candidate and a known-good version on the same
 * registered evaluation snapshot (its files re-hashed against the registry first), through the
 * serving path, compares accuracy, precision, recall, F1, AUC and per-class figures, lists the
 * decisions that differ, and fails when any metric drops beyond the tolerance. Every result
 * is a new registry row and an audit ledger entry.
 */
export function createValidation<DB extends RegistryDatabase>(deps: ValidationDeps<DB>) {
  const { registry } = deps;
  const db = deps.db as unknown as Kysely<RegistryDatabase>;

  async function snapshotOf(dataset: string, label: string) {
    const ds = await registry.repository.dataset({ name: dataset });
    const s = ds && (await registry.repository.snapshotByLabel(ds.id, label));
    if (!s)
      throw registryError('REGISTRY_NOT_FOUND', `snapshot ${dataset}@${label} is not registered`);
    const state = (await registry.repository.stateHistory(s.id)).at(-1)?.state ?? 'registered';
    if (state === 'quarantined' || state === 'revoked')
      throw registryError(
        'REGISTRY_TRANSITION_REFUSED',
        `snapshot ${dataset}@${label} is ${state}; validate on a trusted snapshot`,
        { details: { state } },
      );
    if (s.location === null)
      throw registryError(
        'REGISTRY_INPUT_INVALID',
        `snapshot ${dataset}@${label} has no files on this machine (location)`,
      );
    const problems = compareFiles(s.files, (await hashModel(s.location)).files);
    if (problems.length > 0)
      throw registryError(
        'REGISTRY_ARTIFACT_MISMATCH',
        `snapshot ${dataset}@${label}: files differ from the registered manifest: ${describeProblems(problems)}`,
        { details: { problems } },
      );
    return s;
  }

  return {
    async validate(input: ValidationInput, actor: string): Promise<ValidationRecord> {
      const candidate = await registry.version(input.model, input.version);
      const good = await registry.version(input.model, input.against);
      if (!DEPLOYABLE_STATES.includes(good.state))
        throw registryError(
          'REGISTRY_TRANSITION_REFUSED',
          `${input.model}@${input.against} is ${good.state}; compare with a known-good (approved) version`,
          { details: { state: good.state } },
        );
      const tolerance = input.tolerance ?? deps.tolerance;
      if (!(tolerance >= 0 && tolerance <= 1))
        throw registryError('REGISTRY_INPUT_INVALID', `tolerance ${tolerance} is not in [0, 1]`);
      const groupColumn = input.group ?? deps.fairness?.group;
      const fairnessTolerance = input.fairnessTolerance ?? deps.fairness?.tolerance ?? 0.1;
      if (!(fairnessTolerance >= 0 && fairnessTolerance <= 1))
        throw registryError(
          'REGISTRY_INPUT_INVALID',
          `fairness tolerance ${fairnessTolerance} is not in [0, 1]`,
        );
      const snapshot = await snapshotOf(input.dataset, input.label);
      const { rows, labels, groups } = await readLabelledRows(
        snapshot.location!,
        snapshot.files,
        groupColumn,
      );
      const candidateScores = await deps.infer(input.model, input.version, rows);
      const goodScores = await deps.infer(input.model, input.against, rows);
      const comparison = compareVersions({
        labels,
        candidate: candidateScores,
        knownGood: goodScores,
        tolerance,
      });
      const fairness =
        groupColumn === undefined
          ? undefined
          : compareFairness({
              column: groupColumn,
              labels,
              groups,
              candidate: candidateScores,
              knownGood: goodScores,
              tolerance: fairnessTolerance,
            });
      if (fairness && fairness.failed.length > 0) comparison.passed = false;
      const record: ValidationRecord = {
        id: createId('val'),
        model: input.model,
        version: input.version,
        against: input.against,
        snapshot: {
          dataset: input.dataset,
          label: input.label,
          id: snapshot.id,
          manifestDigest: snapshot.manifestDigest,
        },
        ...comparison,
        at: new Date().toISOString(),
        actor,
        ...(fairness ? { fairness } : {}),
      };
      await db
        .insertInto('registry_validations')
        .values({
          id: record.id,
          version_id: candidate.id,
          against_version_id: good.id,
          snapshot_id: snapshot.id,
          passed: record.passed ? 1 : 0,
          report: canonicalJson(record),
          at: record.at,
          actor,
        })
        .execute();
      const { perClass: _c, ...candidateTotals } = record.candidate;
      const { perClass: _g, ...goodTotals } = record.knownGood;
      await deps.audit({
        type: 'registry.validation.recorded',
        actor,
        at: record.at,
        validationId: record.id,
        model: record.model,
        version: record.version,
        against: record.against,
        snapshot: record.snapshot,
        passed: record.passed,
        failed: record.failed,
        tolerance,
        candidate: candidateTotals,
        knownGood: goodTotals,
        differing: record.differing.count,
        ...(fairness
          ? {
              fairness: {
                column: fairness.column,
                tolerance: fairness.tolerance,
                failed: fairness.failed,
                candidate: gapsOf(fairness.candidate),
                knownGood: gapsOf(fairness.knownGood),
              },
            }
          : {}),
      });
      return record;
    },
    /** The latest validation of model@version, or null. */
    async latest(model: string, version: string): Promise<ValidationRecord | null> {
      const v = await registry.version(model, version);
      const row = await db
        .selectFrom('registry_validations')
        .select('report')
        .where('version_id', '=', v.id)
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return row ? (JSON.parse(row.report) as ValidationRecord) : null;
    },
  };
}
export type Validation = ReturnType<typeof createValidation>;

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditFormat, IntakeServices } from '../api/index.js';
import type { AisocConfig } from '../config/index.js';
import {
  ATLAS,
  OWASP,
  AppError,
  createId,
  sha256Hex,
  type Alert,
  type AuditEntry,
} from '../core/index.js';
import {
  auditDataset,
  formatFromPath,
  parseParquet,
  parseTable,
  type DataTable,
} from '../detect/index.js';
import type { Registry } from '../registry/index.js';
import { AppErrorCodes } from './errors.js';

/** Share of suspect rows past which a batch is refused as poisoned (below: rows listed only). */
const POISON_SHARE = 0.02;

const intakeError = (code: keyof typeof AppErrorCodes, message: string, status: number) =>
  new AppError(AppErrorCodes[code], message, { status });

async function loadTable(path: string): Promise<DataTable> {
  const format = formatFromPath(path);
  return format === 'parquet'
    ? parseParquet(await readFile(path))
    : parseTable(await readFile(path, 'utf8'), format);
}

/** Line numbers (1-based) of the batch's data rows: non-empty lines, after the CSV header. */
function rowLines(text: string, format: AuditFormat): number[] {
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((l, i) => l.trim() !== '' && lines.push(i + 1));
  return format === 'csv' ? lines.slice(1) : lines;
}

/** The batch's columns must be the baseline's, with numbers where the baseline has numbers. */
function checkBatch(
  baseline: DataTable,
  batch: DataTable,
  lines: number[],
  extra: readonly string[],
): void {
  const missing = baseline.columns.filter((c) => !batch.columns.includes(c));
  if (missing.length > 0)
    throw intakeError(
      'INTAKE_BATCH_INVALID',
      `batch: column "${missing[0]}" of the baseline is missing (batch has: ${batch.columns.slice(0, 8).join(', ')}${batch.columns.length > 8 ? ', …' : ''})`,
      400,
    );
  const unknown = batch.columns.find((c) => !baseline.columns.includes(c) && !extra.includes(c));
  if (unknown !== undefined)
    throw intakeError(
      'INTAKE_BATCH_INVALID',
      `batch: column "${unknown}" is not in the baseline`,
      400,
    );
  baseline.columns.forEach((name, b) => {
    if (!baseline.data[b]!.some((v) => typeof v === 'number')) return;
    const col = batch.data[batch.columns.indexOf(name)]!;
    const row = col.findIndex((v) => v !== null && typeof v !== 'number');
    if (row >= 0)
      throw intakeError(
        'INTAKE_BATCH_INVALID',
        `batch line ${lines[row] ?? row + 1}, column "${name}": ${JSON.stringify(String(col[row])).slice(0, 40)} is not a number`,
        400,
      );
  });
}

// ATLAS AML.T0020 Poison Training Data; OWASP ML02:2023 Data Poisoning.
function poisoningAlert(model: string, actor: string, evidence: Record<string, unknown>): Alert {
  const now = Date.now();
  return {
    id: createId('alr', now),
    time: new Date(now).toISOString(),
    detector: 'data.audit',
    kind: 'poisoning',
    model,
    principal: actor,
    sourceAddress: null,
    severity: 'high',
    confidence: 0.8,
    title: `Training batch for ${model} holds ${String(evidence.quarantined)} suspect row(s) (data poisoning?); batch refused and kept in quarantine`,
    atlasTechniques: [ATLAS.poisonTrainingData],
    owasp: [OWASP.dataPoisoning],
    evidence,
    eventIds: [],
  };
}

// ATLAS AML.T0011.000 Unsafe AI Artifacts, AML.T0010.003 supply chain (model); OWASP ML06:2023.
function maliciousFileAlert(
  model: string,
  version: string,
  actor: string,
  evidence: Record<string, unknown>,
): Alert {
  const now = Date.now();
  return {
    id: createId('alr', now),
    time: new Date(now).toISOString(),
    detector: 'registry.admission',
    kind: 'malicious_file',
    model,
    principal: actor,
    sourceAddress: null,
    severity: 'critical',
    confidence: 1,
    title: `Model file of ${model}@${version} refused by the scanner (${String(evidence.verdict)}); version quarantined`,
    atlasTechniques: [ATLAS.unsafeAiArtifacts, ATLAS.supplyChainModel],
    owasp: [OWASP.supplyChain],
    evidence: { version, ...evidence },
    eventIds: [],
  };
}

/**
 * The data audit and model-file intake behind the admin API: batches are audited against the
 * model's baseline (refused ones kept under `<dataDir>/quarantine/batches`), uploaded files are
 * stored content-addressed under `<dataDir>/artifacts` (never executed) and registered.
 */
export function createIntake(deps: {
  config: Readonly<AisocConfig>;
  registry: Registry;
  audit: (entry: AuditEntry) => Promise<void>;
  raise: (alert: Alert) => void;
}): IntakeServices & {
  onApprovalRefused(model: string, version: string, error: unknown, actor: string): Promise<void>;
} {
  const { config, registry } = deps;
  const baselines = new Map<string, Promise<DataTable>>();
  const baselineOf = (model: string): Promise<DataTable> => {
    const m = config.models.find((x) => x.id === model);
    if (!m) throw new AppError('NOT_FOUND', `no model "${model.slice(0, 64)}"`, { status: 404 });
    if (!m.baseline)
      throw intakeError(
        'INTAKE_BASELINE_MISSING',
        `model "${model}" has no baseline in the configuration to audit a batch against`,
        409,
      );
    let table = baselines.get(model);
    if (!table) baselines.set(model, (table = loadTable(m.baseline)));
    return table;
  };

  return {
    async auditBatch(input, actor) {
      const baseline = await baselineOf(input.model);
      let batch: DataTable;
      try {
        batch = parseTable(input.text, input.format);
      } catch (error) {
        throw intakeError('INTAKE_BATCH_INVALID', `batch: ${(error as Error).message}`, 400);
      }
      const labelColumn = input.label ?? (baseline.columns.includes('label') ? 'label' : undefined);
      checkBatch(baseline, batch, rowLines(input.text, input.format), input.id ? [input.id] : []);
      const report = auditDataset({
        baseline,
        candidate: batch,
        ...(labelColumn ? { labelColumn } : {}),
        ...(input.id ? { idColumn: input.id } : {}),
      });
      const digest = sha256Hex(new TextEncoder().encode(input.text));
      // A clean batch has the odd natural label-flip suspect: those rows are listed for
      // removal, but the batch is refused (and alerted on) only past a share or on a cluster.
      const suspicious =
        report.outlierClusters.length > 0 ||
        report.quarantine.length >= Math.max(3, Math.ceil(report.candidateRows * POISON_SHARE));
      const verdict = suspicious ? 'refused' : 'accepted';
      let alertId: string | null = null;
      if (suspicious) {
        const dir = join(config.dataDir, 'quarantine', 'batches');
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, `${digest}.${input.format}`), input.text);
        await writeFile(join(dir, `${digest}.audit.json`), JSON.stringify(report));
        const alert = poisoningAlert(input.model, actor, {
          batchDigest: `sha256:${digest}`,
          rows: report.candidateRows,
          quarantined: report.quarantine.length,
          findings: report.findings.slice(0, 10),
        });
        alertId = alert.id;
        deps.raise(alert);
      }
      await deps.audit({
        type: 'data.audit',
        actor,
        model: input.model,
        batchDigest: `sha256:${digest}`,
        rows: report.candidateRows,
        quarantined: report.quarantine.length,
        verdict,
      });
      return {
        model: input.model,
        verdict,
        batchDigest: `sha256:${digest}`,
        rows: report.candidateRows,
        quarantine: report.quarantine,
        alertId,
        report,
      };
    },

    async uploadArtifact(input, actor) {
      const digest = sha256Hex(input.bytes);
      const dir = join(config.dataDir, 'artifacts', digest);
      const path = join(dir, input.fileName);
      await mkdir(dir, { recursive: true });
      // Written read-only via a temporary name, so a half-written file is never registered.
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, input.bytes, { mode: 0o444 });
      await rename(tmp, path);
      const version = await registry.registerVersion(
        { model: input.model, version: input.version, location: path },
        actor,
      );
      await deps.audit({
        type: 'registry.artifact.uploaded',
        actor,
        model: input.model,
        version: input.version,
        digest: `sha256:${digest}`,
        size: input.bytes.byteLength,
      });
      return { digest: `sha256:${digest}`, size: input.bytes.byteLength, version };
    },

    async onApprovalRefused(model, version, error, actor) {
      const details = (
        error as { details?: { verdict?: unknown; file?: unknown; findings?: unknown[] } }
      ).details;
      if (typeof details?.verdict !== 'string') return; // unsigned or mismatched: no payload seen
      // A version already quarantined (approval asked again) stays so; the alert is raised anyway.
      await registry
        .quarantine(
          model,
          version,
          actor,
          `admission: the scanner called ${String(details.file)} ${details.verdict}`,
        )
        .catch(() => undefined);
      deps.raise(
        maliciousFileAlert(model, version, actor, {
          file: details.file,
          verdict: details.verdict,
          findings: (details.findings ?? []).slice(0, 5),
        }),
      );
    },
  };
}

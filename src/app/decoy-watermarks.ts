import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AppError,
  CoreErrorCodes,
  createDecoyWatermark,
  type DecoyWatermark,
} from '../core/index.js';
import type { ModelConfig } from '../config/index.js';
import { parseTable } from '../detect/index.js';

/** The deployment's watermark secret: `<dataDir>/decoy-watermark.key`, made on first use. */
export function readWatermarkSecret(dataDir: string): Buffer {
  const file = join(dataDir, 'decoy-watermark.key');
  if (!existsSync(file))
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  const hex = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex))
    throw new AppError(
      CoreErrorCodes.DECOY_WATERMARK_INVALID,
      `${file}: expected 64 hex digits (32 bytes); move it aside to make a new one (copies marked with the old one are then no longer recognised)`,
      { status: 400 },
    );
  return Buffer.from(hex, 'hex');
}

/** Numeric rows of a CSV or JSON Lines baseline, without its `label` column. */
export function readReferenceRows(path: string): number[][] {
  const format = path.endsWith('.jsonl') || path.endsWith('.ndjson') ? 'jsonl' : 'csv';
  const table = parseTable(readFileSync(path, 'utf8'), format);
  const keep = table.columns.map((c, i) => (c === 'label' ? -1 : i)).filter((i) => i >= 0);
  return Array.from({ length: table.rowCount }, (_, r) =>
    keep.map((c) => Number(table.data[c]![r])),
  );
}

/**
 * One watermark per decoy configured with `watermark`. A decoy needs an in-process version (the
 * class count comes from it) and a CSV or JSON Lines baseline (it fixes the key's basis).
 */
export function createDecoyWatermarks(
  models: readonly ModelConfig[],
  dataDir: string,
  classCountOf: (model: ModelConfig) => number | undefined,
): Map<string, DecoyWatermark> {
  const out = new Map<string, DecoyWatermark>();
  const wanted = models.filter((m) => m.watermark);
  if (wanted.length === 0) return out;
  const secret = readWatermarkSecret(dataDir);
  for (const model of wanted) {
    const problem = !model.decoy
      ? 'is not a decoy (`decoy: true`)'
      : !model.baseline || model.baseline.endsWith('.parquet')
        ? 'has no CSV or JSON Lines `baseline` to fix the key on'
        : classCountOf(model) === undefined
          ? 'has no in-process ONNX version (the watermark needs its class count)'
          : undefined;
    if (problem)
      throw new AppError(
        'CONFIG_INVALID',
        `models[${model.id}].watermark: the model ${problem} (docs/decoys.md)`,
        { status: 400, details: { model: model.id } },
      );
    out.set(
      model.id,
      createDecoyWatermark({
        secret,
        model: model.id,
        reference: readReferenceRows(model.baseline!),
        classCount: classCountOf(model)!,
        ...model.watermark,
      }),
    );
  }
  return out;
}

import { existsSync, readFileSync } from 'node:fs';
import { AppError } from '../../core/index.js';
import { buildModelBaseline, type ModelBaseline } from './baseline.js';

/** Codes for reading a reference data file into an extraction baseline. */
export const ReferenceBaselineErrorCodes = {
  REFERENCE_MISSING: 'DETECT_REFERENCE_MISSING',
  REFERENCE_INVALID: 'DETECT_REFERENCE_INVALID',
} as const;

/** Reads `data/<model>/reference.csv` (feature columns, then `label`) into a baseline. */
export function loadReferenceBaseline(path: string, model: string): ModelBaseline {
  if (!existsSync(path)) {
    throw new AppError(
      ReferenceBaselineErrorCodes.REFERENCE_MISSING,
      `no reference data at ${path} (pass --reference)`,
      { status: 404 },
    );
  }
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const rows: number[][] = [];
  let classCount = 0;
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(',').map(Number);
    if (cells.some((v) => !Number.isFinite(v))) {
      throw new AppError(
        ReferenceBaselineErrorCodes.REFERENCE_INVALID,
        `${path}:${i + 2}: not a numeric row`,
        { status: 400 },
      );
    }
    classCount = Math.max(classCount, cells.pop()! + 1);
    rows.push(cells);
  });
  return buildModelBaseline(rows, { model, classCount });
}

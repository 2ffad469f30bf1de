import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Scorecard } from './scorecard.js';
import type { TabletopRecord } from './tabletop/results.js';

/** A technical drill's scorecard or a tabletop exercise's results, as kept in the history. */
export type DrillHistoryEntry =
  | (Scorecard & { readonly kind?: 'query' | 'pipeline'; readonly recordedAt: string })
  | TabletopRecord;

/** Appends to a JSON Lines history file (one entry a line; created with its folder). */
export function appendDrillHistory(file: string, entry: DrillHistoryEntry): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
}

/** The history, oldest first; a line that is not JSON (a torn write) is skipped. */
export function readDrillHistory(file: string): DrillHistoryEntry[] {
  if (!existsSync(file)) return [];
  const out: DrillHistoryEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as DrillHistoryEntry);
    } catch {
      // A crash mid-append leaves a partial last line; the rest stays readable.
    }
  }
  return out;
}

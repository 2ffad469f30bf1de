// Turning raw values (a window of events, or a whole table) into the window side of a
// comparison: finite numbers sorted, missing and infinite counted, categories tallied.
import type { BaselineProfile, FeatureProfile } from '../baseline/baseline-profile.js';
import type { Cell, DataTable } from '../baseline/read-table.js';
import type { WindowColumn } from './compare-to-baseline.js';

/** Builds a window column from cells, shaped by the baseline feature it is compared with. */
export function windowColumn(profile: FeatureProfile, cells: ArrayLike<Cell>): WindowColumn {
  const finite: number[] = [];
  let missing = 0;
  let infinite = 0;
  const categorical = profile.type === 'categorical';
  const categories = categorical ? new Map<string, number>() : undefined;
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i]!;
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) missing++;
    else if (categories) categories.set(String(v), (categories.get(String(v)) ?? 0) + 1);
    else if (typeof v === 'string')
      missing++; // text in a numeric column: mixed, read as missing
    else if (Number.isFinite(v)) finite.push(v);
    else infinite++;
  }
  const column: WindowColumn = {
    name: profile.name,
    sorted: Float64Array.from(finite).sort(),
    missing,
    infinite,
  };
  if (categories) column.categories = categories;
  return column;
}

/** Window columns for every baseline feature, matched to the table's columns by name. */
export function windowColumnsFromTable(
  baseline: BaselineProfile,
  table: DataTable,
): WindowColumn[] {
  return baseline.features.map((p) => {
    const c = table.columns.indexOf(p.name);
    const cells: Cell[] = c < 0 ? new Array<Cell>(table.rowCount).fill(null) : table.data[c]!;
    return windowColumn(p, cells);
  });
}

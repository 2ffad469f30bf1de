/** The one output layer of the CLI: formats, tables that fit the terminal, colour, escaping. */
export {
  OUTPUT_FORMATS,
  formatFrom,
  formatOption,
  jsonOption,
  type OutputFormat,
} from './format.js';
export {
  printJson,
  printLine,
  printRecord,
  printRows,
  printTable,
  terminalWidth,
} from './print.js';
export { renderTable, headerFor, cellText, type TableOptions } from './table.js';
export { renderCsv } from './csv.js';
export { escapeControl, safeJson } from './escape.js';
export { colourEnabled, paint, styleFor, type Style } from './style.js';
export { exitQuietlyOnClosedPipe } from './pipe.js';

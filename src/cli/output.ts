/** Kept so that commands importing `../output.js` share the one output layer in `output/`. */
export { printJson, printTable } from './output/index.js';
export { escapeTerminal, writeOut, writeErr } from './terminal-text.js';

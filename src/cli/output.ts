/** Kept so that commands importing `../output.js` share the one output layer in `output/`. */
export { printJson, printTable } from './output/index.js';

/** The `aisoc` command line. */
export { buildProgram, runCli } from './program.js';
export { ExitCodes, exitCodeFor } from './exit-codes.js';

import { Command, CommanderError } from 'commander';
import { isAppError } from '../core/index.js';
import { registerAlertCommands } from './commands/alerts.js';
import { registerDetectCommands } from './commands/detect.js';
import { registerDriftCommands } from './commands/drift.js';
import { registerDrillCommand } from './commands/drill.js';
import { registerEventsCommand } from './commands/events.js';
import { registerImpactCommand } from './commands/impact.js';
import { registerExportCommands, registerReportCommands } from './commands/report.js';
import { registerKeysCommands } from './commands/keys.js';
import { registerLineageCommands } from './commands/lineage.js';
import { registerLedgerCommands } from './commands/ledger.js';
import { registerPolicyCommands } from './commands/policy.js';
import { registerRespondCommands } from './commands/respond.js';
import { registerProvenanceCommands } from './commands/provenance.js';
import { registerRegistryCommands } from './commands/registry.js';
import { registerScanCommand } from './commands/scan.js';
import { registerServeCommands } from './commands/serve.js';
import { registerUsersCommands } from './commands/users.js';
import { registerPrivacyCommands } from './commands/privacy.js';
import { ExitCodes, exitCodeFor } from './exit-codes.js';
import { writeErr } from './terminal-text.js';

/** Builds the `aisoc` command with every subcommand registered. */
export function buildProgram(): Command {
  const program = new Command('aisoc')
    .description('aisoc: a security operations center for machine-learning systems')
    .version('0.1.0')
    .option('-c, --config <file>', 'aisoc.yaml to use (default: ./aisoc.yaml when present)')
    .option('--url <url>', 'admin API of a running aisoc (default: from the config)')
    .option('--token-file <file>', 'admin token file (default: from the config)')
    .showHelpAfterError()
    .exitOverride();
  registerServeCommands(program);
  registerKeysCommands(program);
  registerPolicyCommands(program);
  registerLedgerCommands(program);
  registerEventsCommand(program);
  registerScanCommand(program);
  registerDriftCommands(program);
  registerDetectCommands(program);
  registerAlertCommands(program);
  registerRespondCommands(program);
  registerProvenanceCommands(program);
  registerRegistryCommands(program);
  registerLineageCommands(program);
  registerDrillCommand(program);
  registerUsersCommands(program);
  registerImpactCommand(program); // forensics (issue 12)
  registerReportCommands(program); // report (issue 12)
  registerExportCommands(program); // report (issue 12)
  registerPrivacyCommands(program); // privacy (issue 19)
  return program;
}

/** Runs the CLI; sets process.exitCode from the error, if any (see exit-codes.ts). */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? ExitCodes.OK : ExitCodes.USAGE;
      return;
    }
    const code = isAppError(error) ? error.code : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    writeErr(`aisoc: ${code}: ${message}\n`);
    // A stack helps whoever fixes aisoc, not whoever runs it: only on request.
    if (!isAppError(error) && error instanceof Error && error.stack && process.env.AISOC_DEBUG)
      process.stderr.write(`${error.stack}\n`);
    process.exitCode = exitCodeFor(error);
  }
}

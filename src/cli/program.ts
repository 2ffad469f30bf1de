import { Command, CommanderError } from 'commander';
import { ExitCodes } from './exit-code-values.js';
import { writeErr } from './terminal-text.js';

type Register = (program: Command) => void;

/**
 * Every top-level command, with the module that registers it (options, descriptions, actions).
 * A module is imported only when its command runs, so `aisoc scan FILE` never loads the ONNX
 * runtime, pg or NATS (test/e2e/cli-start.test.ts). Several commands may share one module.
 * Keep the order: it is the order of `aisoc --help`.
 */
const COMMANDS: readonly { names: readonly string[]; load: () => Promise<Register> }[] = [
  {
    names: ['init', 'serve'],
    load: async () => (await import('./commands/serve.js')).registerServeCommands,
  },
  { names: ['keys'], load: async () => (await import('./commands/keys.js')).registerKeysCommands },
  {
    names: ['policy'],
    load: async () => (await import('./commands/policy.js')).registerPolicyCommands,
  },
  {
    names: ['ledger'],
    load: async () => (await import('./commands/ledger.js')).registerLedgerCommands,
  },
  {
    names: ['events'],
    load: async () => (await import('./commands/events.js')).registerEventsCommand,
  },
  { names: ['scan'], load: async () => (await import('./commands/scan.js')).registerScanCommand },
  {
    names: ['drift', 'data'],
    load: async () => (await import('./commands/drift.js')).registerDriftCommands,
  },
  {
    names: ['detect'],
    load: async () => (await import('./commands/detect.js')).registerDetectCommands,
  },
  {
    names: ['alerts', 'detectors'],
    load: async () => (await import('./commands/alerts.js')).registerAlertCommands,
  },
  {
    names: ['incidents', 'suppressions', 'actions', 'approvals', 'tasks', 'playbooks', 'evidence'],
    load: async () => (await import('./commands/respond.js')).registerRespondCommands,
  },
  {
    names: ['rollback', 'inventory', 'threat-model', 'sign', 'verify'],
    load: async () => (await import('./commands/provenance.js')).registerProvenanceCommands,
  },
  {
    names: ['registry'],
    load: async () => (await import('./commands/registry.js')).registerRegistryCommands,
  },
  {
    names: ['lineage'],
    load: async () => (await import('./commands/lineage.js')).registerLineageCommands,
  },
  {
    names: ['drill'],
    load: async () => (await import('./commands/drill.js')).registerDrillCommand,
  },
  {
    names: ['whoami', 'users'],
    load: async () => (await import('./commands/users.js')).registerUsersCommands,
  },
  {
    names: ['impact'],
    load: async () => (await import('./commands/impact.js')).registerImpactCommand,
  }, // forensics (issue 12)
  {
    names: ['report'],
    load: async () => (await import('./commands/report.js')).registerReportCommands,
  }, // report (issue 12)
  {
    names: ['export'],
    load: async () => (await import('./commands/report.js')).registerExportCommands,
  }, // report (issue 12)
  {
    names: ['privacy'],
    load: async () => (await import('./commands/privacy.js')).registerPrivacyCommands,
  }, // privacy (issue 19)
];

/** The top-level command names, in `aisoc --help` order (checked against the modules by a test). */
export function commandNames(): string[] {
  return COMMANDS.flatMap((entry) => entry.names);
}

// Global options that take a value: the word after them is not the command name.
const GLOBAL_VALUE_OPTIONS = new Set(['-c', '--config', '--url', '--token-file']);

function bareProgram(): Command {
  return new Command('aisoc')
    .description('aisoc: a security operations center for machine-learning systems')
    .version('0.1.0')
    .option('-c, --config <file>', 'aisoc.yaml to use (default: ./aisoc.yaml when present)')
    .option('--url <url>', 'admin API of a running aisoc (default: from the config)')
    .option('--token-file <file>', 'admin token file (default: from the config)')
    .showHelpAfterError()
    .exitOverride();
}

/** Builds the `aisoc` command with every subcommand registered (loads every command module). */
export async function buildProgram(): Promise<Command> {
  const program = bareProgram();
  const registers = await Promise.all(COMMANDS.map((entry) => entry.load()));
  for (const register of registers) register(program);
  return program;
}

/**
 * The first word of argv that is not an option nor an option's value: the command to run.
 * Undefined when argv names none (`aisoc --version`, `aisoc --help`, bare `aisoc`).
 */
export function commandWord(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '--') return args[i + 1];
    if (!arg.startsWith('-')) return arg;
    if (GLOBAL_VALUE_OPTIONS.has(arg)) i += 1;
  }
  return undefined;
}

// Only what argv needs: the one module of the named command; none for `--version`; all of them
// for help, a bare `aisoc` or an unknown word (so help and "did you mean" read as before).
async function programFor(args: readonly string[]): Promise<Command> {
  const word = commandWord(args);
  const entry = word === undefined ? undefined : COMMANDS.find((c) => c.names.includes(word));
  if (entry) {
    const program = bareProgram();
    (await entry.load())(program);
    return program;
  }
  const versionOnly =
    word === undefined && args.length === 1 && (args[0] === '--version' || args[0] === '-V');
  return versionOnly ? bareProgram() : buildProgram();
}

/** Runs the CLI; sets process.exitCode from the error, if any (see exit-codes.ts). */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await (await programFor(argv.slice(2))).parseAsync(argv);
  } catch (error) {
    // --version, --help and usage errors end here too: they must not load core (zod).
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? ExitCodes.OK : ExitCodes.USAGE;
      return;
    }
    const [{ isAppError }, { exitCodeFor }] = await Promise.all([
      import('../core/index.js'),
      import('./exit-codes.js'),
    ]);
    const code = isAppError(error) ? error.code : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    writeErr(`aisoc: ${code}: ${message}\n`);
    // A stack helps whoever fixes aisoc, not whoever runs it: only on request.
    if (!isAppError(error) && error instanceof Error && error.stack && process.env.AISOC_DEBUG)
      process.stderr.write(`${error.stack}\n`);
    process.exitCode = exitCodeFor(error);
  }
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { demoModels, packageRoot, startAisoc } from '../../app/index.js';
import { parseConfig } from '../../config/index.js';
import { AppError } from '../../core/index.js';
import {
  appendDrillHistory,
  formatScorecard,
  loadDrillData,
  runDrill,
  SCENARIOS,
  SCORECARD_FORMATS,
  scenarioNamed,
  type Scorecard,
  type ScorecardFormat,
} from '../../drill/index.js';
import type { GlobalOptions } from '../context.js';
import { createProgressBar, type ProgressBar } from '../progress-bar.js';
import { ExitCodes } from '../exit-codes.js';
import { EMBEDDED_RUNS, embeddedImpact, startDrillFixture } from './drill-fixture.js';
import { verifyEvidenceBundle } from '../../forensics/index.js';
import { drillHistoryFile, registerTabletopCommands } from './drill-tabletop.js';
import { writeOut } from '../output.js';

interface DrillCommandOptions {
  target?: string;
  admin?: string;
  model?: string;
  attack?: string;
  format: string;
  data?: string;
  budget?: string;
  seed?: string;
  artifactFile?: string;
}

/** `aisoc drill SCENARIO --target URL …` and `aisoc drill all` (throw-away embedded aisoc). */
export function registerDrillCommand(program: Command): void {
  const drill = program.command('drill');
  registerTabletopCommands(drill);
  drill
    .description(
      `run an attack drill and print its scorecard; SCENARIO is ${SCENARIOS.join(', ')} or all`,
    )
    .argument('<scenario>', `${SCENARIOS.join(' | ')} | all`)
    .option('--target <url>', 'gateway of the aisoc to drill (not with all)')
    .option('--admin <url>', 'admin API of that aisoc (default: --url)')
    .option('--model <id>', 'model to attack (default: breast-cancer; all: one per scenario)')
    .option(
      '--attack <name>',
      'which attack of the scenario (see docs/drills.md; default its first)',
    )
    .option('--format <format>', SCORECARD_FORMATS.join(' | '), 'table')
    .option('--data <dir>', 'folder with <model>/train.csv and holdout.csv (default: bundled)')
    .option('--budget <n>', 'attack queries (evasion: per input)')
    .option('--seed <n>', 'seed of the attack and the benign traffic', '7')
    .option(
      '--artifact-file <path>',
      'tampering (tampered-artifact): the model file the target serves for --model; its bytes are flipped, then restored',
    )
    .action(async (scenario: string, opts: DrillCommandOptions, command: Command) => {
      const format = formatOf(opts.format);
      const bar = createProgressBar(process.stderr, '[drill] ');
      const cards = await (
        scenario === 'all'
          ? drillEmbedded(opts, bar)
          : drillRemote(scenario, opts, command, bar).then((card) => [card])
      ).finally(() => bar.stop());
      writeOut(formatScorecard(cards, format));
      const history = drillHistoryFile(command);
      const recordedAt = new Date().toISOString();
      for (const card of cards) appendDrillHistory(history, { ...card, recordedAt });
      if (cards.some((c) => !c.passed)) process.exitCode = ExitCodes.FAILURE;
    });
}

function formatOf(value: string): ScorecardFormat {
  if (!(SCORECARD_FORMATS as readonly string[]).includes(value))
    throw new AppError(
      'CLI_USAGE',
      `--format must be ${SCORECARD_FORMATS.join(', ')}, got "${value}"`,
    );
  return value as ScorecardFormat;
}

function intOf(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new AppError('CLI_USAGE', `${name} must be a positive integer, got "${value}"`);
  return n;
}

async function drillRemote(
  scenario: string,
  opts: DrillCommandOptions,
  command: Command,
  bar: ProgressBar,
): Promise<Scorecard> {
  scenarioNamed(scenario);
  const globals = command.optsWithGlobals<GlobalOptions>();
  const admin = opts.admin ?? globals.url;
  if (!opts.target || !admin || !globals.tokenFile)
    throw new AppError(
      'CLI_USAGE',
      'a drill against a running aisoc needs --target URL, --admin URL and --token-file FILE (or use `aisoc drill all`)',
    );
  let token: string;
  try {
    token = readFileSync(globals.tokenFile, 'utf8').trim();
  } catch (cause) {
    throw new AppError(
      'CLI_TOKEN_UNREADABLE',
      `cannot read the admin token at ${globals.tokenFile}`,
      { cause },
    );
  }
  const model = opts.model ?? 'breast-cancer';
  // A file to tamper with means the tampered-artifact attack unless another is named.
  const attack =
    opts.attack ??
    (scenario === 'tampering' && opts.artifactFile ? 'tampered-artifact' : undefined);
  return runDrill(scenario, {
    gatewayUrl: opts.target,
    adminUrl: admin,
    adminToken: token,
    model,
    ...(attack ? { attack } : {}),
    data: loadDrillData(opts.data ?? join(packageRoot(), 'data'), model),
    seed: intOf('--seed', opts.seed),
    budget: intOf('--budget', opts.budget),
    onProgress: (line) => bar.log(line),
    onTick: (done, total, label) => bar.update(label, done, total),
    control: {
      ...(opts.artifactFile ? { artifactFile: opts.artifactFile } : {}),
      // A remote target's database is out of reach: impact is left to `aisoc impact` there.
      ...(attack === 'poisoned-version'
        ? { poisonedRelease: { version: '2', goodVersion: '1' } }
        : {}),
      verifyBundle: (dir: string) => verifyEvidenceBundle(dir),
    },
  });
}

/** Starts a throw-away aisoc (temp folder, SQLite, free ports, demo models) and drills it. */
async function drillEmbedded(opts: DrillCommandOptions, bar: ProgressBar): Promise<Scorecard[]> {
  if (opts.attack)
    throw new AppError(
      'CLI_USAGE',
      "--attack names one scenario's attack: use it with a scenario, not all",
    );
  const dir = mkdtempSync(join(tmpdir(), 'aisoc-drill-'));
  const fixture = await startDrillFixture(dir);
  const config = parseConfig(
    {
      dataDir: dir,
      store: { driver: 'sqlite', path: join(dir, 'aisoc.db') },
      ledger: { keyFile: join(dir, 'ledger.key') },
      admin: { port: 0, tokenFile: join(dir, 'admin.token') },
      gateway: { port: 0 },
      // The tampering drill waits for the integrity monitor: check every second.
      registry: { integrityIntervalMs: 1000 },
      respond: fixture.respond,
      models: [...demoModels(), ...fixture.models],
    },
    dir,
  );
  const aisoc = await startAisoc(config).catch(async (e: unknown) => {
    await fixture.close();
    throw e;
  });
  bar.log(`throw-away aisoc: gateway ${aisoc.gatewayUrl}, admin ${aisoc.adminUrl}`);
  try {
    const token = readFileSync(config.admin.tokenFile, 'utf8').trim();
    const cards: Scorecard[] = [];
    for (const [i, r] of EMBEDDED_RUNS.entries()) {
      const of = `(${i + 1}/${EMBEDDED_RUNS.length})`;
      // The tampering and poisoned-version runs drill the models the fixture controls,
      // whatever --model says.
      const fixed = r.scenario === 'tampering' || r.attack === 'poisoned-version';
      const model = fixed ? r.model : (opts.model ?? r.model);
      cards.push(
        await runDrill(r.scenario, {
          gatewayUrl: aisoc.gatewayUrl,
          adminUrl: aisoc.adminUrl,
          adminToken: token,
          model,
          ...(r.attack ? { attack: r.attack } : {}),
          data: loadDrillData(
            opts.data ?? join(packageRoot(), 'data'),
            fixed ? r.data : (opts.model ?? r.data),
          ),
          seed: intOf('--seed', opts.seed),
          budget: intOf('--budget', opts.budget),
          onProgress: (line) => bar.log(line),
          onTick: (done, total, label) => bar.update(`${of} ${label}`, done, total),
          control: {
            ...fixture.control,
            impact: embeddedImpact(config, () => aisoc.ledger.flush()),
          },
        }),
      );
    }
    const notes = fixture.soc.received();
    bar.log(
      `SOC webhook: ${notes.filter((n) => n.verified).length} signed notifications received, ${notes.filter((n) => !n.verified).length} failed verification`,
    );
    return cards;
  } finally {
    await aisoc.close();
    await fixture.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import {
  consoleDir,
  demoModels,
  packageRoot,
  parseRoles,
  prepareDataDir,
  startAisoc,
  type Role,
} from '../../app/index.js';
import { AppError } from '../../core/index.js';
import { loadConfig, type AisocConfig } from '../../config/index.js';
import type { GlobalOptions } from '../context.js';
import { demoInstructions } from './demo-instructions.js';
import { writeOut, writeErr } from '../output.js';

/** `aisoc init` and `aisoc serve`. */
export function registerServeCommands(program: Command): void {
  program
    .command('init')
    .description('create the data folder, the admin token and the ledger signing key (0600)')
    .option('--demo', 'use the embedded demo defaults')
    .action(async (opts: { demo?: boolean }, command: Command) => {
      const config = resolveConfig(command, opts.demo ?? false);
      const secrets = await prepareDataDir(config);
      for (const file of secrets.created) writeOut(`created ${file}\n`);
      if (secrets.created.length === 0) writeOut(`nothing to do: ${config.dataDir} is ready\n`);
    });

  program
    .command('serve')
    .description(
      'start aisoc: by default every role in one process (gateway, detect, respond, admin)',
    )
    .option(
      '--demo',
      'serve the bundled demo models and print a ready demo key (first start only) and curl',
    )
    .option('--port <port>', 'gateway port (overrides gateway.port; 0 picks a free one)', port)
    .option('--admin-port <port>', 'admin API port (overrides admin.port)', port)
    .option(
      '--role <roles>',
      'run only these roles, comma-separated: gateway, detect, respond, admin (default: all)',
      roleList,
    )
    .action(async (opts: ServeOptions, command: Command) => {
      const config = resolveConfig(command, opts.demo ?? false, {
        ...(opts.port === undefined ? {} : { gateway: { port: opts.port } }),
        ...(opts.adminPort === undefined ? {} : { admin: { port: opts.adminPort } }),
      });
      const running = await startAisoc(config, {
        log: (line) => writeErr(`${line}\n`),
        ...(opts.role ? { roles: opts.role } : {}),
      });
      const lines = [
        `aisoc is up (store: ${config.store.driver}, bus: ${config.bus.driver}, durability: ${config.gateway.durability})`,
        `  roles      ${running.roles.join(', ')}`,
        ...(running.gatewayUrl ? [`  gateway    ${running.gatewayUrl}`] : []),
        ...(running.adminUrl
          ? [`  admin API  ${running.adminUrl} (token in ${config.admin.tokenFile})`]
          : []),
        `  models     ${config.models.map((m) => m.id).join(', ') || '(none configured)'}`,
        consoleDir(packageRoot())
          ? `  console    ${running.adminUrl}/ (open it in a browser; sign in with the admin token)`
          : `  console    not built (run npm run build to serve it at ${running.adminUrl}/)`,
      ];
      if (opts.demo && running.gatewayUrl && running.adminUrl)
        lines.push(...(await demoInstructions(config, running.gatewayUrl, running.adminUrl)));
      writeOut(lines.join('\n') + '\n');
      const stop = async (signal: string) => {
        writeErr(`${signal}: shutting down\n`);
        await running.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}

interface ServeOptions {
  demo?: boolean;
  role?: Role[];
  port?: number;
  adminPort?: number;
}

function roleList(value: string): Role[] {
  try {
    return parseRoles(value);
  } catch (error) {
    throw new AppError('CLI_USAGE', `--role: ${(error as Error).message}`);
  }
}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535)
    throw new AppError('CLI_USAGE', `expected a port number 0-65535, got "${value}"`);
  return n;
}

/** The config file (if any) with the demo models added when --demo is given, and port flags. */
function resolveConfig(
  command: Command,
  demo: boolean,
  ports: Record<string, unknown> = {},
): Readonly<AisocConfig> {
  const { config: file } = command.optsWithGlobals<GlobalOptions>();
  const chosen = file ?? (existsSync('aisoc.yaml') ? 'aisoc.yaml' : undefined);
  const overrides = { ...(demo ? { models: demoModels() } : {}), ...ports };
  return loadConfig({ ...(chosen ? { file: chosen } : {}), overrides });
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../core/index.js';
import { demoModels, packageRoot, prepareDataDir, startAisoc } from '../../app/index.js';
import { loadConfig, type AisocConfig } from '../../config/index.js';
import { createAdminClient } from '../admin-client.js';
import type { GlobalOptions } from '../context.js';
import { existsSync } from 'node:fs';
import { writeSecret } from '../../app/data-dir.js';

/** `aisoc init` and `aisoc serve`. */
export function registerServeCommands(program: Command): void {
  program
    .command('init')
    .description('create the data folder, the admin token and the ledger signing key (0600)')
    .option('--demo', 'use the embedded demo defaults')
    .action(async (opts: { demo?: boolean }, command: Command) => {
      const config = resolveConfig(command, opts.demo ?? false);
      const secrets = await prepareDataDir(config);
      for (const file of secrets.created) process.stdout.write(`created ${file}\n`);
      if (secrets.created.length === 0)
        process.stdout.write(`nothing to do: ${config.dataDir} is ready\n`);
    });

  program
    .command('serve')
    .description('start the gateway and the admin API')
    .option('--demo', 'serve the bundled demo models and print a ready demo key and curl')
    .option('--port <port>', 'gateway port (overrides gateway.port; 0 picks a free one)', port)
    .option('--admin-port <port>', 'admin API port (overrides admin.port)', port)
    .action(async (opts: ServeOptions, command: Command) => {
      const config = resolveConfig(command, opts.demo ?? false, {
        ...(opts.port === undefined ? {} : { gateway: { port: opts.port } }),
        ...(opts.adminPort === undefined ? {} : { admin: { port: opts.adminPort } }),
      });
      const running = await startAisoc(config, {
        log: (line) => process.stderr.write(`${line}\n`),
      });
      const lines = [
        `aisoc is up (store: ${config.store.driver}, bus: ${config.bus.driver}, durability: ${config.gateway.durability})`,
        `  gateway    ${running.gatewayUrl}`,
        `  admin API  ${running.adminUrl} (token in ${config.admin.tokenFile})`,
        `  models     ${config.models.map((m) => m.id).join(', ') || '(none configured)'}`,
      ];
      if (opts.demo)
        lines.push(...(await demoInstructions(config, running.gatewayUrl, running.adminUrl)));
      process.stdout.write(lines.join('\n') + '\n');
      const stop = async (signal: string) => {
        process.stderr.write(`${signal}: shutting down\n`);
        await running.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}

interface ServeOptions {
  demo?: boolean;
  port?: number;
  adminPort?: number;
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

/** Makes (once) a demo key saved under the data folder, and prints a curl that uses it. */
async function demoInstructions(
  config: Readonly<AisocConfig>,
  gatewayUrl: string,
  adminUrl: string,
): Promise<string[]> {
  const keyFile = join(config.dataDir, 'demo.key');
  let secret: string;
  if (existsSync(keyFile)) {
    secret = (await readFile(keyFile, 'utf8')).trim();
  } else {
    const token = (await readFile(config.admin.tokenFile, 'utf8')).trim();
    const created = await createAdminClient(adminUrl, token).post<{ secret: string }>(
      '/api/v1/keys',
      {
        principal: 'demo',
        description: 'created by aisoc serve --demo',
      },
    );
    secret = created.secret;
    await writeSecret(keyFile, `${secret}\n`);
  }
  const row = (await readFile(join(packageRoot(), 'data', 'breast-cancer', 'holdout.csv'), 'utf8'))
    .split('\n')[1]!
    .split(',')
    .slice(0, -1)
    .map(Number);
  const body = JSON.stringify({
    inputs: [{ name: 'input', shape: [1, row.length], datatype: 'FP32', data: row }],
  });
  return [
    `  demo key   ${secret} (saved in ${keyFile})`,
    '',
    'Try it:',
    `  curl -s ${gatewayUrl}/v2/models/breast-cancer/infer -H 'authorization: Bearer ${secret}' -H 'content-type: application/json' -d '${body}'`,
    '',
    'Then: npx aisoc events --limit 5   ·   npx aisoc ledger verify   ·   npx aisoc --help',
  ];
}

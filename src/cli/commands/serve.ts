import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { demoModels, prepareDataDir, startAisoc } from '../../app/index.js';
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
    .description('start the gateway and the admin API')
    .option(
      '--demo',
      'serve the bundled demo models and print a ready demo key (first start only) and curl',
    )
    .action(async (opts: { demo?: boolean }, command: Command) => {
      const config = resolveConfig(command, opts.demo ?? false);
      const running = await startAisoc(config, {
        log: (line) => writeErr(`${line}\n`),
      });
      const lines = [
        `aisoc is up (store: ${config.store.driver}, bus: ${config.bus.driver}, durability: ${config.gateway.durability})`,
        `  gateway    ${running.gatewayUrl}`,
        `  admin API  ${running.adminUrl} (token in ${config.admin.tokenFile})`,
        `  models     ${config.models.map((m) => m.id).join(', ') || '(none configured)'}`,
      ];
      if (opts.demo)
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

/** The config file (if any) with the demo models added when --demo is given. */
function resolveConfig(command: Command, demo: boolean): Readonly<AisocConfig> {
  const { config: file } = command.optsWithGlobals<GlobalOptions>();
  const chosen = file ?? (existsSync('aisoc.yaml') ? 'aisoc.yaml' : undefined);
  const overrides = demo ? { models: demoModels() } : {};
  return loadConfig({ ...(chosen ? { file: chosen } : {}), overrides });
}

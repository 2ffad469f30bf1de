import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig, type AisocConfig } from '../config/index.js';
import { AppError } from '../core/index.js';
import { createAdminClient, type AdminClient } from './admin-client.js';
import { adminUrl } from './arguments.js';

export interface GlobalOptions {
  config?: string;
  url?: string;
  tokenFile?: string;
}

/** The validated config named by --config, else ./aisoc.yaml when present, else defaults. */
export function configFrom(command: Command): Readonly<AisocConfig> {
  const { config } = command.optsWithGlobals<GlobalOptions>();
  const file = config ?? (existsSync('aisoc.yaml') ? 'aisoc.yaml' : undefined);
  return loadConfig(file ? { file } : {});
}

/** A client for the running server's admin API, from --url/--token-file or the config. */
export function adminClientFrom(command: Command): AdminClient {
  const options = command.optsWithGlobals<GlobalOptions>();
  const config = configFrom(command);
  const url = options.url
    ? adminUrl(options.url)
    : adminUrl(`http://${config.admin.host}:${config.admin.port}`, 'admin.host/admin.port');
  const tokenFile = options.tokenFile ?? config.admin.tokenFile;
  let token: string;
  try {
    token = readFileSync(tokenFile, 'utf8').trim();
  } catch (cause) {
    throw new AppError(
      'CLI_TOKEN_UNREADABLE',
      `cannot read the admin token at ${tokenFile}; run \`aisoc init\` or pass --token-file`,
      { cause },
    );
  }
  return createAdminClient(url, token, { tokenFile });
}

export function csv(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new AppError('CLI_USAGE', `expected a positive number, got "${value}"`);
  return n;
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AisocConfig } from '../config/index.js';
import { AppError } from '../core/index.js';
import { createAlertSinks, type AlertSink, type AlertSinks } from '../report/index.js';
import { packageRoot } from './demo.js';
import { AppErrorCodes } from './errors.js';
import { assertPrivate } from './secret-modes.js';

/** aisoc's own version, as SIEMs see it in CEF headers. */
export async function aisocVersion(): Promise<string> {
  const text = await readFile(join(packageRoot(), 'package.json'), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

async function readSinkFile(sink: string, field: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new AppError(
      AppErrorCodes.APP_SINK_FILE_UNREADABLE,
      `respond.sinks.${sink}.${field}: cannot read ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/** The alert sinks of `respond.sinks`, with their API keys and CA files read. */
export async function startAlertSinks(
  config: Readonly<AisocConfig>,
  log: (line: string) => void,
  version: string,
): Promise<AlertSinks> {
  const sinks: AlertSink[] = [];
  for (const [name, s] of Object.entries(config.respond.sinks)) {
    if (s.kind === 'thehive') {
      await assertPrivate(s.apiKeyFile, 'file');
      const apiKey = (await readSinkFile(name, 'apiKeyFile', s.apiKeyFile)).trim();
      sinks.push({
        name,
        kind: 'thehive',
        url: s.url,
        apiKey,
        minSeverity: s.minSeverity,
        ...(s.organisation ? { organisation: s.organisation } : {}),
      });
    } else {
      sinks.push({
        name,
        kind: 'syslog',
        url: s.url,
        facility: s.facility,
        minSeverity: s.minSeverity,
        ...(s.caFile ? { ca: await readSinkFile(name, 'caFile', s.caFile) } : {}),
      });
    }
  }
  return createAlertSinks(sinks, { version, log });
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoModels, startAisoc, type RunningAisoc } from '../../src/app/index.js';
import { parseConfig, type AisocConfig } from '../../src/config/index.js';

/** A throw-away aisoc on SQLite in a tmp folder with the demo models, on free ports. */
export async function startTestAisoc(overrides: Record<string, unknown> = {}): Promise<{
  aisoc: RunningAisoc;
  config: Readonly<AisocConfig>;
  dir: string;
  admin: (path: string, init?: { method?: string; body?: unknown; token?: string }) => Promise<{ status: number; json: any }>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'aisoc-e2e-'));
  const { gateway, ledger, ...rest } = overrides as { gateway?: object; ledger?: object };
  const config = parseConfig(
    {
      dataDir: dir,
      store: { driver: 'sqlite', path: join(dir, 'aisoc.db') },
      ledger: { keyFile: join(dir, 'ledger.key'), ...ledger },
      admin: { port: 0, tokenFile: join(dir, 'admin.token') },
      gateway: { port: 0, ...gateway },
      models: demoModels(),
      ...rest,
    },
    dir,
  );
  const aisoc = await startAisoc(config);
  const { readFileSync } = await import('node:fs');
  const token = readFileSync(config.admin.tokenFile, 'utf8').trim();
  const admin = async (path: string, init: { method?: string; body?: unknown; token?: string } = {}) => {
    const res = await fetch(aisoc.adminUrl + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { authorization: `Bearer ${init.token ?? token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: res.status, json: await res.json() };
  };
  return { aisoc, config, dir, admin };
}

/** A KServe V2 body for rows of features. */
export function kserveBody(rows: number[][]): string {
  return JSON.stringify({ inputs: [{ name: 'input', shape: [rows.length, rows[0]!.length], datatype: 'FP32', data: rows.flat() }] });
}

/** The first rows of a demo data split, without the label column. */
export async function demoRows(model: string, split: string, count: number): Promise<number[][]> {
  const { readFileSync } = await import('node:fs');
  const { packageRoot } = await import('../../src/app/index.js');
  const lines = readFileSync(join(packageRoot(), 'data', model, `${split}.csv`), 'utf8').trim().split('\n').slice(1, count + 1);
  return lines.map((l) => l.split(',').slice(0, -1).map(Number));
}

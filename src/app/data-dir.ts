import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AisocConfig } from '../config/index.js';
import { AppError } from '../core/index.js';
import { createLedgerKey, loadLedgerKey, type LedgerKey } from '../ledger/index.js';
import { assertPrivate } from './secret-modes.js';

/** Where `aisoc serve --demo` keeps the demo API key (0600). */
export function demoKeyFile(config: Readonly<AisocConfig>): string {
  return join(config.dataDir, 'demo.key');
}

/** The secrets aisoc keeps on disk: the admin API token and the ledger signing key. */
export interface Secrets {
  adminToken: string;
  ledgerKey: LedgerKey;
  created: string[];
}

/**
 * Creates the data folder (0700), the admin token (0600) and the ledger signing key (0600)
 * where they are missing, and loads them. Existing files are never overwritten; existing
 * ones that group or others can reach are refused (APP_SECRET_MODE_LOOSE names the chmod).
 */
export async function prepareDataDir(config: Readonly<AisocConfig>): Promise<Secrets> {
  const created: string[] = [];
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  await assertPrivate(config.dataDir, 'folder');
  for (const file of [config.admin.tokenFile, config.ledger.keyFile, demoKeyFile(config)])
    await assertPrivate(file, 'file');
  await mkdir(dirname(config.admin.tokenFile), { recursive: true, mode: 0o700 });
  await mkdir(dirname(config.ledger.keyFile), { recursive: true, mode: 0o700 });
  if (config.store.driver === 'sqlite' && config.store.path !== ':memory:') {
    await mkdir(dirname(config.store.path), { recursive: true, mode: 0o700 });
  }
  if (!(await exists(config.admin.tokenFile))) {
    await writeSecret(config.admin.tokenFile, randomBytes(32).toString('base64url') + '\n');
    created.push(config.admin.tokenFile);
  }
  const adminToken = (await readFile(config.admin.tokenFile, 'utf8')).trim();
  if (adminToken.length < 16) {
    throw new AppError(
      'APP_SECRET_INVALID',
      `${config.admin.tokenFile} holds a token shorter than 16 characters`,
    );
  }
  if (!(await exists(config.ledger.keyFile))) {
    const key = await createLedgerKey(
      dirname(config.ledger.keyFile),
      keyName(config.ledger.origin),
    );
    if (key.path !== config.ledger.keyFile) await rename(key.path, config.ledger.keyFile);
    created.push(config.ledger.keyFile);
  }
  const ledgerKey = await loadLedgerKey(config.ledger.keyFile);
  return { adminToken, ledgerKey, created };
}

/** A signed-note key name may not hold spaces or '+'; derive one from the log origin. */
function keyName(origin: string): string {
  return origin.replace(/[\s+]/g, '-');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes a file that only its owner may read; refuses to replace one. */
export async function writeSecret(path: string, text: string): Promise<void> {
  const file = await open(path, 'wx', 0o600);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  await chmod(path, 0o600);
}

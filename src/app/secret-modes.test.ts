import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { prepareDataDir } from './data-dir.js';

const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisoc-modes-'));
  return { dir, config: parseConfig({ dataDir: join(dir, 'data') }, dir) };
};

describe('secret files and the data folder (finding 16)', () => {
  it('creates the data folder 0700 and the admin token and ledger key 0600', async () => {
    const { config } = fresh();
    await prepareDataDir(config);
    expect(statSync(config.dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(config.admin.tokenFile).mode & 0o777).toBe(0o600);
    expect(statSync(config.ledger.keyFile).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['admin.token', 0o644, 'file', '600'],
    ['ledger.key', 0o640, 'file', '600'],
    ['demo.key', 0o604, 'file', '600'],
    ['.', 0o755, 'folder', '700'],
  ])('refuses a %s with mode %o, naming it and the chmod', async (name, mode, _kind, fix) => {
    const { config } = fresh();
    await prepareDataDir(config);
    const path = name === '.' ? config.dataDir : join(config.dataDir, name);
    if (name === 'demo.key') {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(path, 'k\n');
    }
    chmodSync(path, mode);
    const error = await prepareDataDir(config).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'APP_SECRET_MODE_LOOSE' });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain(`chmod ${fix} ${path}`);
    chmodSync(path, name === '.' ? 0o700 : 0o600);
    await expect(prepareDataDir(config)).resolves.toMatchObject({ created: [] });
  });
});

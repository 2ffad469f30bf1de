import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import type { Store } from '../store/index.js';
import { fileKeyWrapper } from './key-files.js';
import { createKeyring } from './keyring.js';

/** One body of keyring tests for every store (SQLite and PostgreSQL). */
export function runKeyringContract(open: () => Promise<Store>): void {
  let store: Store | undefined;
  afterEach(async () => store?.close());

  const ring = async () => {
    store = await open();
    const wrapper = fileKeyWrapper(randomBytes(32));
    return {
      keyring: createKeyring({ db: store.db, driver: store.driver, wrapper, cacheMs: 60_000 }),
      wrapper,
    };
  };

  it('creates one key per subject, even when asked concurrently', async () => {
    const { keyring } = await ring();
    const [a, b] = await Promise.all([keyring.ensure('ps_a'), keyring.ensure('ps_a')]);
    expect(a.equals(b)).toBe(true);
    expect(keyring.cached('ps_a')?.equals(a)).toBe(true);
    expect((await keyring.stats()).keys).toBe(1);
  });

  it('forgets an erased key: no row, no cache, marked erased', async () => {
    const { keyring } = await ring();
    await keyring.ensure('ps_gone');
    await keyring.ensure('ps_kept');
    const outcome = await keyring.erase('ps_gone');
    expect(outcome.keyDestroyed).toBe(true);
    expect(keyring.cached('ps_gone')).toBeUndefined();
    expect(await keyring.get('ps_gone')).toBeUndefined();
    expect(await keyring.get('ps_kept')).toBeDefined();
    expect([...(await keyring.erased(['ps_gone', 'ps_kept']))]).toEqual(['ps_gone']);
    expect((await keyring.erase('ps_gone')).keyDestroyed).toBe(false);
  });

  it('re-wraps every key under a new KEK; the old KEK then opens nothing', async () => {
    const { keyring, wrapper } = await ring();
    const key = await keyring.ensure('ps_r');
    const next = fileKeyWrapper(randomBytes(32));
    expect(await keyring.rotate(next)).toBe(1);
    const fresh = createKeyring({
      db: store!.db,
      driver: store!.driver,
      wrapper: next,
      cacheMs: 0,
    });
    expect((await fresh.get('ps_r'))!.equals(key)).toBe(true);
    const stale = createKeyring({ db: store!.db, driver: store!.driver, wrapper, cacheMs: 0 });
    await expect(stale.get('ps_r')).rejects.toMatchObject({ code: 'PRIVACY_KEY_UNWRAP_FAILED' });
  });
}

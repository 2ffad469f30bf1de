import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { createStore } from '../store/index.js';
import { runKeyringContract } from './keyring.contract.js';

describe('privacy keyring on SQLite', () => {
  runKeyringContract(async () => {
    const store = await createStore({
      driver: 'sqlite',
      path: join(mkdtempSync(join(tmpdir(), 'aisoc-keyring-')), 'aisoc.db'),
    });
    await store.migrate();
    return store;
  });
});

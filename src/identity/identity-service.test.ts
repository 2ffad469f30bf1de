import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { createStore } from '../store/index.js';
import { runIdentityContract } from './identity-service.contract.js';

describe('identities on SQLite', () => {
  runIdentityContract(() =>
    createStore({
      driver: 'sqlite',
      path: join(mkdtempSync(join(tmpdir(), 'aisoc-identity-')), 'aisoc.db'),
    }),
  );
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import { createStore } from '../store/index.js';
import { runRegistryContract } from './registry.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'aisoc-registry-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('registry on SQLite', () => {
  runRegistryContract({
    open: () => createStore({ driver: 'sqlite', path: join(dir, 'registry.db') }),
  });
});

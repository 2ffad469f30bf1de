import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../store/index.js';
import { incidentServiceContract } from './incident-service.contract.js';

incidentServiceContract('incident service on SQLite', async () => {
  const store = await createStore({
    driver: 'sqlite',
    path: join(mkdtempSync(join(tmpdir(), 'aisoc-inc-')), 'a.db'),
  });
  await store.migrate();
  return store;
});

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { describeWithService, serviceUrls } from '../../test/support/services.js';
import { createStore } from '../store/index.js';
import { runRegistryContract } from './registry.contract.js';

const url = serviceUrls.postgres;
const schema = `aisoc_registry_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

await describeWithService('postgres', 'registry on PostgreSQL', () => {
  afterAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`drop schema if exists "${schema}" cascade`);
    } finally {
      await client.end();
    }
  });
  runRegistryContract({
    open: () => createStore({ driver: 'postgres', url, schema, poolSize: 4 }),
  });
});

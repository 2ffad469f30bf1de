import { afterAll } from 'vitest';
import { createTestSchemas } from '../../test/support/postgres-schemas.js';
import { describeWithService, serviceUrls } from '../../test/support/services.js';
import { createStore } from '../store/index.js';
import { runRegistryContract } from './registry.contract.js';

const url = serviceUrls.postgres;
const schemas = createTestSchemas('aisoc_registry');
const schema = schemas.name('main');

await describeWithService('postgres', 'registry on PostgreSQL', () => {
  afterAll(schemas.dropAll);
  runRegistryContract({
    open: () => createStore({ driver: 'postgres', url, schema, poolSize: 4 }),
  });
});

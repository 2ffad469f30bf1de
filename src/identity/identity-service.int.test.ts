import { afterAll } from 'vitest';
import { createTestSchemas } from '../../test/support/postgres-schemas.js';
import { describeWithService, serviceUrls } from '../../test/support/services.js';
import { createStore } from '../store/index.js';
import { runIdentityContract } from './identity-service.contract.js';

const schemas = createTestSchemas('aisoc_identity');

await describeWithService('postgres', 'identities on PostgreSQL', () => {
  afterAll(() => schemas.dropAll());
  runIdentityContract(() =>
    createStore({
      driver: 'postgres',
      url: serviceUrls.postgres,
      schema: schemas.name('ids'),
      poolSize: 4,
    }),
  );
});

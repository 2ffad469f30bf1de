import { afterAll, describe } from 'vitest';
import { createTestSchemas } from '../../test/support/postgres-schemas.js';
import { describeWithService, serviceUrls } from '../../test/support/services.js';
import { createStore } from '../store/index.js';
import { runKeyringContract } from './keyring.contract.js';

const schemas = createTestSchemas('aisoc_privacy');
let n = 0;

await describeWithService('postgres', 'privacy keyring on PostgreSQL', () => {
  afterAll(schemas.dropAll);
  describe('contract', () => {
    runKeyringContract(async () => {
      const store = await createStore({
        driver: 'postgres',
        url: serviceUrls.postgres,
        schema: schemas.name(`keys${++n}`),
        poolSize: 4,
      });
      await store.migrate();
      return store;
    });
  });
});

import { afterAll, describe } from 'vitest';
import { createTestSchemas } from '../../test/support/postgres-schemas.js';
import { describeWithService, serviceUrls } from '../../test/support/services.js';
import { createStore, type StoreConfig } from '../store/index.js';
import { runEventsContract } from './events.contract.js';

const schemas = createTestSchemas('aisoc_events');

await describeWithService('postgres', 'event queries on PostgreSQL', () => {
  afterAll(schemas.dropAll);
  describe('contract', () => {
    runEventsContract(async () => {
      const config: StoreConfig = {
        driver: 'postgres',
        url: serviceUrls.postgres,
        schema: schemas.name('events'),
        poolSize: 4,
      };
      const store = await createStore(config);
      await store.migrate();
      await store.close();
      return config;
    });
  });
});

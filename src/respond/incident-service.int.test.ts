import { randomBytes } from 'node:crypto';
import { describeWithService, serviceUrls } from '../../test/support/services.js';
import { createStore } from '../store/index.js';
import { incidentServiceContract } from './incident-service.contract.js';

await describeWithService('postgres', 'respond on PostgreSQL', () => {
  incidentServiceContract('incident service on PostgreSQL', async () => {
    const schema = `aisoc_respond_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    const store = await createStore({
      driver: 'postgres',
      url: serviceUrls.postgres,
      schema,
      poolSize: 2,
    });
    await store.migrate();
    return store;
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startRespondRig, testAlert } from '../../test/support/respond.js';
import { describeWithService, serviceUrls } from '../../test/support/services.js';
import { createNatsBus, createNatsPolicyChannel, Subjects } from '../bus/index.js';
import { deleteNatsStream } from '../bus/nats-bus.js';
import { deleteNatsPolicyBucket } from '../bus/nats-policy-channel.js';
import { loadPlaybookDir } from './index.js';

const servers = serviceUrls.nats;
const run = `r${Date.now().toString(36)}${process.pid}`;
const stream = `AISOC_RESPOND_${run}`;
const bucket = `aisoc-respond-${run}`;

await describeWithService(
  'nats',
  'responder over NATS JetStream and the key-value policy channel',
  () => {
    let rig: Awaited<ReturnType<typeof startRespondRig>>;
    beforeAll(async () => {
      const bus = await createNatsBus({
        servers,
        stream,
        subjectPrefix: run,
        storage: 'memory',
        name: 'respond-test',
      });
      const channel = await createNatsPolicyChannel({ servers, bucket, storage: 'memory' });
      // The gateway watches and acks over its own connection, as a separate process would.
      const gatewayChannel = await createNatsPolicyChannel({ servers, bucket, storage: 'memory' });
      const playbooks = (await loadPlaybookDir('playbooks', ['soc'])).filter(
        (p) => p.id === 'model-extraction',
      );
      rig = await startRespondRig({ playbooks, transport: { bus, channel, gatewayChannel } });
    });
    afterAll(async () => {
      await rig.close();
      await deleteNatsStream({ servers, stream });
      await deleteNatsPolicyBucket({ servers, bucket });
    });

    it('contains an alert published on JetStream once the gateway acknowledged over NATS', async () => {
      expect(await rig.infer()).toBe(200);
      await rig.bus.publish(Subjects.alertRaised, testAlert({}, rig.keyId));
      const incident = await eventually(async () => {
        const [i] = await rig.responder.incidents.list();
        return i?.timeToContainMs != null ? i : undefined;
      }, 10_000);
      process.stdout.write(`time-to-contain over NATS: ${incident.timeToContainMs} ms\n`);
      expect(incident.timeToContainMs).toBeLessThan(1000);
      expect(rig.policy().rateLimits.get(rig.keyId)).toBeDefined();
      expect([await rig.infer(), await rig.infer()]).toContain(429);
    });
  },
);

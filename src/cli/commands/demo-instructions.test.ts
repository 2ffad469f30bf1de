import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAisoc } from '../../../test/support/aisoc.js';
import { demoInstructions } from './demo-instructions.js';

describe('the demo key (finding 17)', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  beforeAll(async () => {
    t = await startTestAisoc();
  });
  afterAll(async () => t.aisoc.close());

  it('is saved 0600 in <dataDir>/demo.key and printed on the first start only', async () => {
    const first = (await demoInstructions(t.config, t.aisoc.gatewayUrl, t.aisoc.adminUrl)).join(
      '\n',
    );
    const file = join(t.config.dataDir, 'demo.key');
    const secret = readFileSync(file, 'utf8').trim();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first).toContain(secret);

    const again = (await demoInstructions(t.config, t.aisoc.gatewayUrl, t.aisoc.adminUrl)).join(
      '\n',
    );
    expect(again).not.toContain(secret);
    expect(again).toContain(`saved in ${file}`);
    expect(again).toContain(`$(cat ${file})`);
    expect(readFileSync(file, 'utf8').trim()).toBe(secret); // the same key, not a new one
    expect((await t.admin('/api/v1/keys')).json.keys).toHaveLength(1);
  });
});

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoKeyFile, packageRoot, writeSecret } from '../../app/index.js';
import type { AisocConfig } from '../../config/index.js';
import { createAdminClient } from '../admin-client.js';

/**
 * The demo key and a curl that uses it. The key is made once and saved (0600) in
 * `<dataDir>/demo.key`; it is printed on that first start only, so that it does not end up
 * in every log. Later starts name the file and read it in the curl.
 */
export async function demoInstructions(
  config: Readonly<AisocConfig>,
  gatewayUrl: string,
  adminUrl: string,
): Promise<string[]> {
  const keyFile = demoKeyFile(config);
  let shown: string;
  let bearer: string;
  if (existsSync(keyFile)) {
    shown = `saved in ${keyFile} (printed on the first start only)`;
    bearer = `$(cat ${keyFile})`;
  } else {
    const token = (await readFile(config.admin.tokenFile, 'utf8')).trim();
    const created = await createAdminClient(adminUrl, token).post<{ secret: string }>(
      '/api/v1/keys',
      { principal: 'demo', description: 'created by aisoc serve --demo' },
    );
    await writeSecret(keyFile, `${created.secret}\n`);
    shown = `${created.secret} (saved in ${keyFile}; it will not be printed again)`;
    bearer = created.secret;
  }
  const row = (await readFile(join(packageRoot(), 'data', 'breast-cancer', 'holdout.csv'), 'utf8'))
    .split('\n')[1]!
    .split(',')
    .slice(0, -1)
    .map(Number);
  const body = JSON.stringify({
    inputs: [{ name: 'input', shape: [1, row.length], datatype: 'FP32', data: row }],
  });
  return [
    `  demo key   ${shown}`,
    '',
    'Try it:',
    `  curl -s ${gatewayUrl}/v2/models/breast-cancer/infer -H "authorization: Bearer ${bearer}" -H 'content-type: application/json' -d '${body}'`,
    '',
    'Then: npx aisoc events --limit 5   ·   npx aisoc ledger verify   ·   npx aisoc --help',
  ];
}

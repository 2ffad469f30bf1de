/**
 * Serves the demo models over HTTP (KServe V2, TF Serving REST, generic JSON), each checked
 * against the digest in its model.json. Run from the repository root:
 * `npx tsx scripts/serve-demo-models.ts [--host 127.0.0.1] [--port 8081]`. Stops on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startModelServer } from '../src/serve/index.js';

const MODEL_IDS = ['breast-cancer', 'digits'];

function demoEntries(root: string) {
  return MODEL_IDS.map((id) => {
    const card = JSON.parse(readFileSync(`${root}/models/${id}/model.json`, 'utf8')) as {
      version: string;
      onnx: { sha256: string };
    };
    return {
      id,
      version: card.version,
      path: `${root}/models/${id}/model.onnx`,
      digest: card.onnx.sha256,
    };
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8081' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port ${values.port} is not a port`);
  const server = await startModelServer({
    models: demoEntries(process.cwd()),
    host: values.host,
    port,
  });
  console.log(`model server on ${server.url}`);
  console.log(
    `try: curl -s -H 'content-type: application/json' -d '{"features": [[${new Array(64).fill(0).join(',')}]]}' ${server.url}/generic/digits`,
  );
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { packageRoot } from '../../app/index.js';
import {
  startSwapProxy,
  startWebhookSink,
  type DrillControl,
  type WebhookSink,
} from '../../drill/index.js';
import { startModelServer } from '../../serve/index.js';

/** The model fronted as a remote upstream, and the one served from a copy in the data dir. */
export const REMOTE_MODEL = 'drill-remote';
export const LOCAL_MODEL = 'drill-local';

/** What `drill all` runs, in order: scenario, attack, model drilled, data it draws on. */
export const EMBEDDED_RUNS: readonly {
  scenario: string;
  attack?: string;
  model: string;
  data: string;
}[] = [
  { scenario: 'extraction', model: 'breast-cancer', data: 'breast-cancer' },
  { scenario: 'evasion', model: 'digits', data: 'digits' },
  { scenario: 'poisoning', model: 'breast-cancer', data: 'breast-cancer' },
  { scenario: 'malicious-file', model: 'breast-cancer', data: 'breast-cancer' },
  { scenario: 'tampering', attack: 'swapped-upstream', model: REMOTE_MODEL, data: 'breast-cancer' },
  { scenario: 'tampering', attack: 'tampered-artifact', model: LOCAL_MODEL, data: 'breast-cancer' },
];

export interface DrillFixture {
  /** Config entries of the two models to add to the throw-away aisoc. */
  readonly models: Record<string, unknown>[];
  readonly control: DrillControl;
  /** The `respond` config section: the SOC webhook points at the drill's sink. */
  readonly respond: Record<string, unknown>;
  /** The SOC channel: every notification the playbooks sent, with its signature checked. */
  readonly soc: WebhookSink;
  close(): Promise<void>;
}

/**
 * What the drill controls beside the throw-away aisoc: a model server (the breast-cancer
 * demo model) behind a proxy it can swap, and a copy of that model's ONNX in `dir`.
 */
export async function startDrillFixture(dir: string): Promise<DrillFixture> {
  const root = packageRoot();
  const onnx = join(root, 'models', 'breast-cancer', 'model.onnx');
  const card = JSON.parse(
    readFileSync(join(root, 'models', 'breast-cancer', 'model.json'), 'utf8'),
  ) as {
    features: string[];
  };
  const server = await startModelServer({
    models: [{ id: REMOTE_MODEL, version: '1', path: onnx }],
  });
  const proxy = await startSwapProxy(server.url);
  const soc = await startWebhookSink();
  const secretFile = join(dir, 'soc-webhook.secret');
  writeFileSync(secretFile, soc.secret, { mode: 0o600 });
  const copies = join(dir, 'drill-artifacts');
  mkdirSync(copies, { recursive: true });
  const copy = join(copies, 'model.onnx');
  copyFileSync(onnx, copy);
  const digest = createHash('sha256').update(readFileSync(copy)).digest('hex');
  const entry = (id: string, version: Record<string, unknown>) => ({
    id,
    protocol: 'kserve-v2',
    featureCount: card.features.length,
    criticality: 'high',
    versions: [version],
  });
  return {
    models: [
      entry(REMOTE_MODEL, { version: '1', upstream: proxy.url }),
      entry(LOCAL_MODEL, { version: '1', onnx: copy, digest }),
    ],
    control: {
      swapUpstream: () => proxy.swap(),
      restoreUpstream: () => proxy.restore(),
      upstreamUrl: proxy.url,
      remoteVersion: '1',
      artifactFile: copy,
    },
    respond: { webhooks: { soc: { url: soc.url, secretFile } } },
    soc,
    async close() {
      await soc.close();
      await proxy.close();
      await server.close();
    },
  };
}

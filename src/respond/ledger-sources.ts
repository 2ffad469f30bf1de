import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { canonicalJson } from '../core/index.js';
import { countEntries, readEntries } from '../ledger/index.js';
import type { Store } from '../store/index.js';
import type { EvidenceSources } from './step-adapters.js';

/** The parts of a model's config evidence snapshots need. */
export interface ModelSource {
  id: string;
  activeVersion?: string | undefined;
  versions: readonly {
    version: string;
    onnx?: string | undefined;
    upstream?: string | undefined;
    digest?: string | undefined;
  }[];
}

const PAGE = 2000;
const MAX_EVENTS = 100_000;

/**
 * Evidence sources over the running system: the served artifact (ONNX file of the active
 * version), inference events of a time window read back from the `inference` ledger (newest
 * pages first, stopping before the window), and the model's configuration.
 */
export function createLedgerEvidenceSources(options: {
  store: Store;
  models: readonly ModelSource[];
  detectorState?: (model: string) => Promise<unknown>;
}): EvidenceSources {
  const model = (id: string) => options.models.find((m) => m.id === id);
  return {
    async artifact(id) {
      const m = model(id);
      const version =
        m && (m.versions.find((v) => v.version === m.activeVersion) ?? m.versions.at(-1));
      if (!version?.onnx) return null;
      return {
        bytes: await readFile(version.onnx),
        name: `${basename(version.onnx)} (version ${version.version})`,
      };
    },
    async events(id, from, to) {
      const out: unknown[] = [];
      for (
        let end = await countEntries(options.store, 'inference');
        end > 0 && out.length < MAX_EVENTS;
        end -= PAGE
      ) {
        const start = Math.max(0, end - PAGE);
        const page = await readEntries(options.store, 'inference', {
          fromSeq: start,
          limit: end - start,
        });
        const events = page.map((e) => JSON.parse(e.payload) as { model?: string; time?: string });
        out.unshift(
          ...events.filter(
            (e) => e.model === id && e.time !== undefined && e.time >= from && e.time <= to,
          ),
        );
        if (page.length > 0 && (events[0]?.time ?? '') < from) break;
      }
      return out;
    },
    detectorState: async (id) => (options.detectorState ? options.detectorState(id) : null),
    config: async (id) => JSON.parse(canonicalJson(model(id) ?? null)) as unknown,
  };
}

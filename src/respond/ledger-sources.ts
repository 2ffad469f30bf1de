import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { canonicalJson, sha256Hex } from '../core/index.js';
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
    // The version that actually served (issue 12): the newest answered event of the model in
    // the ledger names it and the digest of the file it ran; the configured active version is
    // only the fallback before any request. A file whose bytes are not that digest is refused.
    async artifact(id) {
      const m = model(id);
      if (!m) return null;
      const served = await lastServed(options.store, id);
      const version = served
        ? m.versions.find((v) => v.version === served.version)
        : (m.versions.find((v) => v.version === m.activeVersion) ?? m.versions.at(-1));
      if (!version?.onnx) return null;
      const bytes = await readFile(version.onnx);
      const digest = sha256Hex(bytes);
      const mismatch =
        served?.digest && served.digest.replace(/^sha256:/, '') !== digest
          ? `; WARNING: the file's sha256 ${digest} is not the ${served.digest} that served`
          : '';
      const how = served ? `served at ${served.time}` : 'configured, no request served yet';
      return {
        bytes,
        name: `${basename(version.onnx)} (version ${version.version}, ${how}${mismatch})`,
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

/** The version and artifact digest of the model's newest answered request, from the ledger. */
async function lastServed(
  store: Store,
  model: string,
): Promise<{ version: string; digest: string | null; time: string } | null> {
  const last = await countEntries(store, 'inference');
  // Bounded: a model not answered in the last MAX_EVENTS entries falls back to the config.
  for (let end = last; end > 0 && last - end < MAX_EVENTS; end -= PAGE) {
    const start = Math.max(0, end - PAGE);
    const page = await readEntries(store, 'inference', { fromSeq: start, limit: end - start });
    for (let i = page.length - 1; i >= 0; i--) {
      const e = JSON.parse(page[i]!.payload) as {
        model?: string;
        modelVersion?: string | null;
        artifactDigest?: string | null;
        outcome?: string;
        time: string;
      };
      if (e.model === model && e.outcome === 'ok' && e.modelVersion)
        return { version: e.modelVersion, digest: e.artifactDigest ?? null, time: e.time };
    }
  }
  return null;
}

import type { Store } from '../../store/index.js';
import { parseNote } from '../signed-note.js';
import { createMerkleFrontier, type MerkleFrontier } from '../merkle-frontier.js';
import { getCheckpoint } from '../read-ledger.js';
import { parseCosignerKey, verifyCosignature } from './cosignature.js';
import { extendWithProof, storedFrontier, storedLeaves } from './incremental-proof.js';
import { addCheckpoint } from './witness-client.js';

// Pushes each stream's latest checkpoint to every configured witness from a timer, beside
// the writer (never on the append path), and remembers how far behind each witness is.

export interface WitnessTarget {
  readonly url: string;
  /** The witness's key (cosigner vkey, note vkey or PEM): its cosignatures are checked before they count. */
  readonly publicKey: string;
}

/** How far one witness is behind one stream's latest local checkpoint. */
export interface WitnessLag {
  readonly url: string;
  readonly stream: string;
  /** The size the witness cosigned last (null: not known yet). */
  readonly witnessedSize: number | null;
  readonly latestSize: number;
  readonly entriesBehind: number;
  /** Seconds since the witness was last up to date with this stream (0 when it is). */
  readonly secondsBehind: number;
  readonly lastError?: string;
}

export interface WitnessPusher {
  /** One round now (also run by the timer); resolves when every push of the round settled. */
  pushNow(): Promise<void>;
  lag(): WitnessLag[];
  close(): Promise<void>;
}

export interface WitnessPusherOptions {
  readonly store: Store;
  readonly streams: readonly string[];
  readonly witnesses: readonly WitnessTarget[];
  readonly intervalMs: number;
  readonly now?: () => number;
}

interface Track {
  witnessed: number | null;
  /** The compact range at `witnessed`, so a push reads only the leaves added since. */
  frontier?: MerkleFrontier;
  latest: number;
  upToDateAt: number;
  failures: number;
  retryAt: number;
  lastError?: string;
}

const MAX_BACKOFF_MS = 300_000;

/** Starts pushing; the first round runs at once. */
export function createWitnessPusher(options: WitnessPusherOptions): WitnessPusher {
  const now = options.now ?? Date.now;
  const started = now();
  const witnesses = options.witnesses.map((w) => ({ ...w, key: parseCosignerKey(w.publicKey) }));
  const tracks = new Map<string, Track>();
  const track = (url: string, stream: string): Track => {
    const id = `${url}\n${stream}`;
    let t = tracks.get(id);
    if (!t)
      tracks.set(
        id,
        (t = { witnessed: null, latest: 0, upToDateAt: started, failures: 0, retryAt: 0 }),
      );
    return t;
  };

  async function pushOne(w: (typeof witnesses)[number], stream: string): Promise<void> {
    const t = track(w.url, stream);
    const latest = await getCheckpoint(options.store, stream);
    if (!latest) return;
    t.latest = latest.treeSize;
    if (t.witnessed === latest.treeSize) {
      t.upToDateAt = now();
      return;
    }
    if (now() < t.retryAt) return;
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const old = t.witnessed ?? 0;
        if (old > latest.treeSize) throw new Error(`the witness holds size ${old}, beyond ours`);
        if (t.frontier?.size !== old)
          t.frontier =
            old === 0 ? createMerkleFrontier() : await storedFrontier(options.store, stream, old);
        const leaves = await storedLeaves(options.store, stream, old, latest.treeSize);
        const { proof, frontier } = extendWithProof(t.frontier, leaves);
        if (frontier.root().toString('hex') !== latest.rootHash)
          throw new Error(`the stored entries do not hash to the checkpoint at ${latest.treeSize}`);
        const result = await addCheckpoint(
          w.url,
          old,
          old === 0 ? [] : proof.map((h) => h.toString('hex')),
          latest.note,
        );
        if (result.t === 'conflict') {
          t.witnessed = result.size; // learn the witness's size, then prove from it
          continue;
        }
        if (result.t === 'refused') throw new Error(`HTTP ${result.status}: ${result.message}`);
        const text = parseNote(latest.note).text;
        if (verifyCosignature(`${text}\n${result.cosignature}`, w.key) === null)
          throw new Error('the cosignature does not verify with the witness key');
        t.witnessed = latest.treeSize;
        t.frontier = frontier;
        t.upToDateAt = now();
        t.failures = 0;
        delete t.lastError;
        return;
      }
      throw new Error('the witness keeps changing its size');
    } catch (e) {
      t.failures += 1;
      t.lastError = (e as Error).message;
      t.retryAt = now() + Math.min(MAX_BACKOFF_MS, options.intervalMs * 2 ** t.failures);
    }
  }

  let round: Promise<void> | undefined;
  const pushNow = (): Promise<void> => {
    round ??= (async () => {
      for (const stream of options.streams)
        await Promise.all(witnesses.map((w) => pushOne(w, stream).catch(() => undefined)));
    })().finally(() => (round = undefined));
    return round;
  };
  const timer = setInterval(() => void pushNow(), options.intervalMs);
  timer.unref();
  void pushNow();

  return {
    pushNow,
    lag() {
      const out: WitnessLag[] = [];
      for (const w of witnesses) {
        for (const stream of options.streams) {
          const t = track(w.url, stream);
          const behind = Math.max(0, t.latest - (t.witnessed ?? 0));
          out.push({
            url: w.url,
            stream,
            witnessedSize: t.witnessed,
            latestSize: t.latest,
            entriesBehind: behind,
            secondsBehind: behind === 0 ? 0 : Math.round((now() - t.upToDateAt) / 1000),
            ...(t.lastError ? { lastError: t.lastError } : {}),
          });
        }
      }
      return out;
    },
    async close() {
      clearInterval(timer);
      await round;
    },
  };
}

import { canonicalJson } from '../core/index.js';
import {
  getCheckpoint,
  parseCheckpoint,
  parseNote,
  proveInclusion,
  readEntries,
  signNote,
  type LedgerKey,
} from '../ledger/index.js';
import type { Store } from '../store/index.js';
import {
  BUNDLE_FILES,
  BUNDLE_FORMAT,
  digestOf,
  itemFile,
  signedText,
  type BundleEntry,
  type BundleItem,
  type BundleManifest,
} from './bundle-format.js';
import { ForensicsErrorCodes, forensicsError } from './errors.js';

/** An incident's evidence item as the responder stores it. */
export interface EvidenceRecord {
  id: string;
  incidentId: string;
  digest: string;
  kind: string;
  size: number;
  mediaType: string;
  description: string;
  collectedBy: string;
  createdAt: string;
}

export interface BuildBundleOptions {
  incidentId: string;
  recipient: string;
  actor: string;
  items: readonly EvidenceRecord[];
  key: LedgerKey;
  now: string;
  /** The audit stream, where custody entries are. */
  stream?: string;
}

/** Everything of a bundle but the item bytes, which the caller copies in (`items/<file>`). */
export interface BuiltBundle {
  manifest: BundleManifest;
  manifestDigest: string;
  /** Relative path → exact text, including manifest.json and manifest.sig. */
  files: Record<string, string>;
  items: { file: string; digest: string }[];
}

async function custodyEntries(store: Store, stream: string, incidentId: string, size: number) {
  const found = new Map<string, { seq: number; leafHash: string; payload: string }>();
  for (let from = 0; from < size;) {
    const page = await readEntries(store, stream, {
      fromSeq: from,
      limit: Math.min(5000, size - from),
    });
    if (page.length === 0) break;
    for (const e of page) {
      // Cheap text test first: most audit entries are about something else.
      if (!e.payload.includes('respond.evidence.collected')) continue;
      const p = JSON.parse(e.payload) as {
        type?: string;
        incidentId?: string;
        evidenceId?: string;
      };
      if (p.type === 'respond.evidence.collected' && p.incidentId === incidentId && p.evidenceId)
        found.set(p.evidenceId, { seq: e.seq, leafHash: e.leafHash, payload: e.payload });
    }
    from = page.at(-1)!.seq + 1;
  }
  return found;
}

/**
 * Builds the signed part of an evidence bundle: the manifest (signed with the ledger key), the
 * custody entry of every item with its inclusion proof against the stream's latest signed
 * checkpoint, and the public key, so `verifyEvidenceBundle` can check it with no database.
 * Flush the ledger first, so the checkpoint covers the latest custody entries.
 */
export async function buildEvidenceBundle(
  store: Store,
  options: BuildBundleOptions,
): Promise<BuiltBundle> {
  const stream = options.stream ?? 'audit';
  const stored = await getCheckpoint(store, stream);
  if (!stored)
    throw forensicsError(
      ForensicsErrorCodes.FORENSICS_BUNDLE_INVALID,
      `the ${stream} ledger has no signed checkpoint yet`,
    );
  const checkpoint = parseCheckpoint(parseNote(stored.note).text);
  const custody = await custodyEntries(store, stream, options.incidentId, stored.treeSize);
  const entries: BundleEntry[] = [];
  const items: BundleItem[] = options.items.map((item) => {
    const cited = custody.get(item.id);
    return {
      evidenceId: item.id,
      digest: item.digest,
      file: itemFile(item.digest),
      size: item.size,
      kind: item.kind,
      mediaType: item.mediaType,
      description: item.description,
      collectedBy: item.collectedBy,
      createdAt: item.createdAt,
      custodySeq: cited?.seq ?? null,
    };
  });
  for (const cited of [...custody.values()].sort((a, b) => a.seq - b.seq)) {
    const proof = await proveInclusion(store, stream, cited.seq, stored.treeSize);
    entries.push({
      seq: cited.seq,
      leafHash: cited.leafHash,
      payload: cited.payload,
      proof: proof.proof,
    });
  }
  const files: Record<string, string> = {
    [BUNDLE_FILES.publicKey]: `${options.key.verifierKey}\n`,
    [BUNDLE_FILES.checkpoint]: stored.note,
    [BUNDLE_FILES.entries]: entries.map((e) => `${canonicalJson(e)}\n`).join(''),
  };
  const fileDigests: Record<string, string> = {};
  for (const [path, text] of Object.entries(files)) fileDigests[path] = digestOf(text);
  for (const item of items) fileDigests[item.file] = item.digest;
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    incidentId: options.incidentId,
    recipient: options.recipient,
    exportedBy: options.actor,
    exportedAt: options.now,
    items,
    ledger: {
      stream,
      origin: checkpoint.origin,
      treeSize: checkpoint.size,
      rootHash: checkpoint.root.toString('hex'),
    },
    files: fileDigests,
  };
  const manifestText = `${canonicalJson(manifest)}\n`;
  const manifestDigest = digestOf(manifestText);
  files[BUNDLE_FILES.manifest] = manifestText;
  files[BUNDLE_FILES.signature] = signNote(
    signedText(options.incidentId, manifestDigest),
    options.key,
  );
  return {
    manifest,
    manifestDigest,
    files,
    items: items.map((i) => ({ file: i.file, digest: i.digest })),
  };
}

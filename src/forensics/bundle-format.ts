import { sha256Hex } from '../core/index.js';

/** The bundle format this code writes and verifies. */
export const BUNDLE_FORMAT = 'aisoc-evidence-bundle/1';

export const BUNDLE_FILES = {
  manifest: 'manifest.json',
  signature: 'manifest.sig',
  publicKey: 'public-key.txt',
  checkpoint: 'ledger/checkpoint.txt',
  entries: 'ledger/entries.jsonl',
} as const;

/** One evidence item as the manifest lists it. */
export interface BundleItem {
  evidenceId: string;
  digest: string;
  file: string;
  size: number;
  kind: string;
  mediaType: string;
  description: string;
  collectedBy: string;
  createdAt: string;
  /** Seq of the `respond.evidence.collected` audit entry that recorded it. */
  custodySeq: number | null;
}

/** manifest.json: what the bundle holds, with the SHA-256 of every other file in it. */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  incidentId: string;
  recipient: string;
  exportedBy: string;
  exportedAt: string;
  items: BundleItem[];
  ledger: { stream: string; origin: string; treeSize: number; rootHash: string };
  /** Relative path → `sha256:<hex>` for every file but manifest.json and manifest.sig. */
  files: Record<string, string>;
}

/** One line of ledger/entries.jsonl: a cited entry with its inclusion proof. */
export interface BundleEntry {
  seq: number;
  leafHash: string;
  payload: string;
  proof: string[];
}

export const itemFile = (digest: string) => `items/${digest.replace(':', '-')}`;
export const digestOf = (bytes: Uint8Array | string) => `sha256:${sha256Hex(bytes)}`;

/** The text manifest.sig signs (a C2SP signed note): format, incident and manifest digest. */
export function signedText(incidentId: string, manifestDigest: string): string {
  return `${BUNDLE_FORMAT}\n${incidentId}\n${manifestDigest}\n`;
}

import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import {
  hashLeaf,
  openNote,
  parseVerifierKey,
  verifyCheckpoint,
  verifyInclusion,
  type NoteVerifierKey,
} from '../ledger/index.js';
import {
  BUNDLE_FILES,
  BUNDLE_FORMAT,
  digestOf,
  signedText,
  type BundleEntry,
  type BundleManifest,
} from './bundle-format.js';

/** One thing wrong with a bundle, and the file it is in. */
export interface BundleProblem {
  file: string;
  problem: string;
}

export interface BundleVerification {
  ok: boolean;
  incidentId: string | null;
  recipient: string | null;
  items: number;
  entries: number;
  /** The key id the bundle is signed with; compare it with one obtained out of band. */
  verifierKey: string | null;
  problems: BundleProblem[];
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
  return out.sort();
}

/**
 * Checks an evidence bundle with nothing but its files: the manifest's signature by the key in
 * public-key.txt (or `expectedKey`, when the recipient has it from elsewhere), the digest of
 * every file, the signed checkpoint, and each custody entry's inclusion proof against it. Any
 * changed byte fails, naming the file.
 */
export async function verifyEvidenceBundle(
  dir: string,
  options: { expectedKey?: string } = {},
): Promise<BundleVerification> {
  const problems: BundleProblem[] = [];
  const result: BundleVerification = {
    ok: false,
    incidentId: null,
    recipient: null,
    items: 0,
    entries: 0,
    verifierKey: null,
    problems,
  };
  const fail = (file: string, problem: string) => {
    problems.push({ file, problem });
    return result;
  };
  const read = (file: string) => readFile(join(dir, file)).catch(() => null);

  const keyText = (await read(BUNDLE_FILES.publicKey))?.toString('utf8').trim();
  if (!keyText) return fail(BUNDLE_FILES.publicKey, 'missing');
  let key: NoteVerifierKey;
  try {
    key = parseVerifierKey(options.expectedKey ?? keyText);
  } catch (e) {
    return fail(BUNDLE_FILES.publicKey, (e as Error).message);
  }
  result.verifierKey = options.expectedKey ?? keyText;
  if (options.expectedKey !== undefined && options.expectedKey !== keyText)
    fail(BUNDLE_FILES.publicKey, 'is not the key you expected');

  const manifestBytes = await read(BUNDLE_FILES.manifest);
  const sig = (await read(BUNDLE_FILES.signature))?.toString('utf8');
  if (!manifestBytes) return fail(BUNDLE_FILES.manifest, 'missing');
  if (sig === undefined) return fail(BUNDLE_FILES.signature, 'missing');
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as BundleManifest;
  } catch {
    return fail(BUNDLE_FILES.manifest, 'is not JSON');
  }
  result.incidentId = manifest.incidentId ?? null;
  result.recipient = manifest.recipient ?? null;
  if (manifest.format !== BUNDLE_FORMAT)
    return fail(BUNDLE_FILES.manifest, `format is not ${BUNDLE_FORMAT}`);
  let signed: string | null;
  try {
    signed = openNote(sig, key);
  } catch (e) {
    return fail(BUNDLE_FILES.signature, (e as Error).message);
  }
  if (signed === null) fail(BUNDLE_FILES.signature, 'no signature by the bundle key verifies');
  else if (signed !== signedText(manifest.incidentId, digestOf(manifestBytes)))
    fail(BUNDLE_FILES.manifest, 'changed: its digest is not the one manifest.sig signs');

  const listed = new Set([
    BUNDLE_FILES.manifest,
    BUNDLE_FILES.signature,
    ...Object.keys(manifest.files ?? {}),
  ]);
  for (const file of await listFiles(dir))
    if (!listed.has(file)) fail(file, 'not listed in the manifest');
  for (const [file, digest] of Object.entries(manifest.files ?? {})) {
    const bytes = await read(file);
    if (!bytes) fail(file, 'missing');
    else if (digestOf(bytes) !== digest)
      fail(file, `changed: sha256 is ${digestOf(bytes)}, the manifest says ${digest}`);
  }
  result.items = manifest.items?.length ?? 0;

  const note = (await read(BUNDLE_FILES.checkpoint))?.toString('utf8');
  let checkpoint = null;
  try {
    checkpoint = note ? verifyCheckpoint(note, key) : null;
  } catch (e) {
    fail(BUNDLE_FILES.checkpoint, (e as Error).message);
  }
  if (!checkpoint)
    return done(fail(BUNDLE_FILES.checkpoint, 'no checkpoint signed by the bundle key'));
  if (
    checkpoint.size !== manifest.ledger.treeSize ||
    checkpoint.root.toString('hex') !== manifest.ledger.rootHash
  )
    fail(BUNDLE_FILES.checkpoint, 'is not the tree head the manifest names');

  const cited = new Map<number, Record<string, unknown>>();
  const lines = ((await read(BUNDLE_FILES.entries))?.toString('utf8') ?? '')
    .split('\n')
    .filter(Boolean);
  for (const [i, line] of lines.entries()) {
    const where = `${BUNDLE_FILES.entries}`;
    let e: BundleEntry;
    try {
      e = JSON.parse(line) as BundleEntry;
    } catch {
      fail(where, `line ${i + 1} is not JSON`);
      continue;
    }
    const leaf = hashLeaf(Buffer.from(e.payload));
    if (leaf.toString('hex') !== e.leafHash)
      fail(where, `entry ${e.seq}: payload does not hash to its leaf hash`);
    const proof = e.proof.map((h) => Buffer.from(h, 'hex'));
    if (!verifyInclusion(leaf, e.seq, checkpoint.size, proof, checkpoint.root))
      fail(where, `entry ${e.seq}: inclusion proof does not verify against the checkpoint`);
    cited.set(e.seq, JSON.parse(e.payload) as Record<string, unknown>);
  }
  result.entries = cited.size;
  for (const item of manifest.items ?? []) {
    const entry = item.custodySeq === null ? undefined : cited.get(item.custodySeq);
    if (!entry) {
      fail(
        BUNDLE_FILES.manifest,
        `item ${item.evidenceId} cites no custody entry in ${BUNDLE_FILES.entries}`,
      );
      continue;
    }
    if (
      entry.incidentId !== manifest.incidentId ||
      entry.digest !== item.digest ||
      entry.evidenceId !== item.evidenceId
    )
      fail(
        BUNDLE_FILES.entries,
        `entry ${item.custodySeq} does not record item ${item.evidenceId} of ${manifest.incidentId}`,
      );
  }
  return done(result);

  function done(r: BundleVerification) {
    r.ok = problems.length === 0;
    return r;
  }
}

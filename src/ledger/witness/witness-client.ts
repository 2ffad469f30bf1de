import { ledgerError, LedgerErrorCodes } from '../errors.js';
import { splitWitnessFile } from '../export-checkpoints.js';
import { parseNote } from '../signed-note.js';
import { verifyCosignature, type CosignerKey } from './cosignature.js';

// The log's side of the witness protocol, over fetch.

const TIMEOUT_MS = 10_000;

/** What a witness answered to add-checkpoint. */
export type AddResult =
  | { readonly t: 'cosigned'; readonly cosignature: string }
  | { readonly t: 'conflict'; readonly size: number }
  | { readonly t: 'refused'; readonly status: number; readonly message: string };

/** Sends a checkpoint with its consistency proof from `old` (the size the witness holds). */
export async function addCheckpoint(
  url: string,
  old: number,
  proof: readonly string[],
  note: string,
): Promise<AddResult> {
  const lines = proof.map((hex) => Buffer.from(hex, 'hex').toString('base64'));
  const body = [`old ${old}`, ...lines, '', note].join('\n');
  const res = await fetch(new URL('add-checkpoint', withSlash(url)), {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  if (res.status === 200) return { t: 'cosigned', cosignature: text };
  if (res.status === 409 && /^\d+\n?$/.test(text)) return { t: 'conflict', size: Number(text) };
  return { t: 'refused', status: res.status, message: text.slice(0, 500) };
}

/**
 * The latest cosigned checkpoints a witness holds (its GET /checkpoints), as notes. With the
 * witness's key, each must carry its cosignature (v1, or the plain line earlier versions wrote),
 * else LEDGER_WITNESS_UNTRUSTED: a stand-in at the witness's URL cannot vouch for anything.
 */
export async function fetchWitnessCheckpoints(url: string, key?: CosignerKey): Promise<string[]> {
  let text: string;
  try {
    const res = await fetch(new URL('checkpoints', withSlash(url)), {
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    text = await res.text();
  } catch (cause) {
    throw ledgerError(
      LedgerErrorCodes.WITNESS_UNREACHABLE,
      `witness ${url} did not give its checkpoints: ${(cause as Error).message}`,
      { cause },
    );
  }
  const notes = splitWitnessFile(text, `witness ${url}`);
  for (const note of key ? notes : []) {
    if (verifyCosignature(note, key!) === null) {
      const [origin, size] = parseNote(note).text.split('\n');
      throw ledgerError(
        LedgerErrorCodes.WITNESS_UNTRUSTED,
        `witness ${url}: the checkpoint of ${origin} at size ${size} has no valid cosignature by its key`,
      );
    }
  }
  return notes;
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

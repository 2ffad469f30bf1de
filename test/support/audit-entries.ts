import { AuditEntrySchema } from '../../src/core/index.js';
import { readEntries } from '../../src/ledger/index.js';
import type { Store } from '../../src/store/index.js';

/**
 * Reads the whole `audit` stream of a store and checks every entry against AuditEntrySchema.
 * Returns the problems (seq, type, zod issues) and the entry types seen, so a test can show
 * which real writer broke the contract.
 */
export async function checkAuditLedger(store: Store): Promise<{
  problems: string[];
  types: Set<string>;
}> {
  const problems: string[] = [];
  const types = new Set<string>();
  for (let from = 0; ;) {
    const page = await readEntries(store, 'audit', { fromSeq: from, limit: 1000 });
    for (const e of page) {
      const payload = JSON.parse(e.payload) as { type?: unknown };
      types.add(String(payload.type));
      const parsed = AuditEntrySchema.safeParse(payload);
      if (!parsed.success)
        problems.push(
          `seq ${e.seq} ${String(payload.type)}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
        );
    }
    if (page.length < 1000) break;
    from = page.at(-1)!.seq + 1;
  }
  return { problems, types };
}

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson, createId, sha256Hex, type Clock } from '../core/index.js';
import type { EvidenceStore } from './evidence-store.js';
import type { AuditFn } from './incident-service.js';
import type { EvidenceItem, RespondRepository } from './respond-repository.js';

export interface EvidenceServiceOptions {
  store: EvidenceStore;
  repo: RespondRepository;
  audit: AuditFn;
  clock: Clock;
}

export interface CollectInput {
  incidentId: string;
  kind: string;
  bytes: Uint8Array;
  mediaType: string;
  description: string;
}

/** What createEvidenceService returns. */
export interface EvidenceService {
  collect(input: CollectInput, actor: string): Promise<EvidenceItem>;
  list: (incidentId?: string) => Promise<EvidenceItem[]>;
  /**
   * Copies an incident's evidence to `dir` with a manifest of digests (each item re-checked
   * on the way out) and records the hand-over to `recipient`.
   */
  exportTo(
    incidentId: string,
    dir: string,
    recipient: string,
    actor: string,
  ): Promise<{
    dir: string;
    manifestDigest: string;
    items: number;
  }>;
}

/**
 * Evidence with a chain of custody: every item is stored by digest and every collection and
 * hand-over is an `audit` ledger entry naming the digests, who and to whom (NIST SP 800-86 §3.1.2).
 */
export function createEvidenceService(options: EvidenceServiceOptions): EvidenceService {
  const { store, repo, audit, clock } = options;
  const now = () => new Date(clock.now()).toISOString();
  return {
    async collect(input: CollectInput, actor: string): Promise<EvidenceItem> {
      const { digest, size } = await store.put(input.bytes);
      const item: EvidenceItem = {
        id: createId('evd', clock.now()),
        incidentId: input.incidentId,
        digest,
        kind: input.kind,
        size,
        mediaType: input.mediaType,
        description: input.description,
        collectedBy: actor,
        createdAt: now(),
      };
      await repo.insertEvidence(item);
      await audit({
        type: 'respond.evidence.collected',
        actor,
        at: item.createdAt,
        incidentId: item.incidentId,
        evidenceId: item.id,
        digest,
        size,
        kind: item.kind,
      });
      return item;
    },
    list: (incidentId?: string) => repo.listEvidence(incidentId),
    /**
     * Copies an incident's evidence to `dir` with a manifest of digests (each item re-checked
     * on the way out) and records the hand-over to `recipient`.
     */
    async exportTo(incidentId: string, dir: string, recipient: string, actor: string) {
      const items = await repo.listEvidence(incidentId);
      await mkdir(dir, { recursive: true });
      for (const item of items)
        await writeFile(join(dir, item.digest.replace(':', '-')), await store.get(item.digest));
      const manifest = canonicalJson({
        incidentId,
        exportedAt: now(),
        exportedBy: actor,
        recipient,
        items,
      });
      await writeFile(join(dir, 'manifest.json'), manifest);
      const manifestDigest = `sha256:${sha256Hex(manifest)}`;
      await audit({
        type: 'respond.evidence.handed_over',
        actor,
        at: now(),
        incidentId,
        recipient,
        manifestDigest,
        digests: items.map((i) => i.digest),
      });
      return { dir, manifestDigest, items: items.length };
    },
  };
}

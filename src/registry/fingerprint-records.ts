import { createId } from '../core/index.js';
import { registryError } from './errors.js';
import type { Fingerprint } from './integrity-monitor.js';
import type { RegistryContext } from './registry-context.js';
import type { StoredFingerprint } from './types.js';

/** Behavioural fingerprints: stored append-only, the latest per version is the one replayed. */
export function createFingerprintRecords(ctx: RegistryContext) {
  const { repo, clock, now, findVersion } = ctx;
  return {
    async saveFingerprint(
      model: string,
      version: string,
      fingerprint: { probes: Fingerprint['probes']; tolerance: number },
      actor: string,
    ): Promise<StoredFingerprint> {
      const f = await findVersion(model, version);
      if (
        !Number.isFinite(fingerprint.tolerance) ||
        fingerprint.tolerance < 0 ||
        fingerprint.probes.length === 0
      )
        throw registryError(
          'REGISTRY_INPUT_INVALID',
          'fingerprint: give at least one probe and a tolerance >= 0',
        );
      const stored: StoredFingerprint = {
        id: createId('fp', clock.now()),
        versionId: f.version.id,
        probes: fingerprint.probes.map((p) => ({ id: p.id, input: p.input, output: p.output })),
        tolerance: fingerprint.tolerance,
        recordedAt: now(),
        recordedBy: actor,
      };
      await repo.insertFingerprint(stored);
      await ctx.audit({
        type: 'registry.fingerprint.recorded',
        actor,
        at: stored.recordedAt,
        model,
        version,
        fingerprintId: stored.id,
        probes: stored.probes.map((p) => p.id),
        tolerance: stored.tolerance,
      });
      return stored;
    },
    async fingerprints(): Promise<Fingerprint[]> {
      const out: Fingerprint[] = [];
      for (const f of await repo.latestFingerprints()) {
        const v = (await repo.version(f.versionId))!;
        const m = (await repo.model({ id: v.modelId }))!;
        out.push({ model: m.name, version: v.version, probes: f.probes, tolerance: f.tolerance });
      }
      return out;
    },
  };
}

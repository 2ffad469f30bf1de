// Detection runs either in one process that sees every event (all roles) or in `--role detect`
// workers that share the partitions, never both in one deployment: both would raise each
// alert (issue 16). The embedded process holds an `embedded.<id>` lease in the deployment's
// coordination bucket, workers hold `worker.<id>`; each side refuses to start while the other
// side's lease is alive. Two processes starting in the same second can still both pass.
import { createNatsCoordination, type Coordination } from '../bus/index.js';
import { AppError } from '../core/index.js';
import { AppErrorCodes } from './errors.js';

const LEASE_MS = 3_000;
const RENEW_MS = 1_000;

async function holders(co: Coordination, prefix: string): Promise<string[]> {
  return [...(await co.leases(prefix)).values()].map((l) => l.owner).sort();
}

/** Throws APP_ROLE_MIX when a process running every detector itself is alive (for workers). */
export async function assertNoEmbeddedDetection(co: Coordination, bucket: string): Promise<void> {
  const embedded = await holders(co, 'embedded.');
  if (embedded.length > 0)
    throw new AppError(
      AppErrorCodes.APP_ROLE_MIX,
      `cannot start a detector worker: ${embedded.join(', ')} already runs every detector for ` +
        `this deployment (coordination bucket "${bucket}"), so each alert would be raised twice; ` +
        `restart ${embedded.length > 1 ? 'those processes' : 'that process'} with ` +
        `--role gateway,respond,admin, or give this one another bus.subjectPrefix`,
    );
}

/**
 * For a process running every detector on NATS: refuses to start beside detector workers, then
 * holds the `embedded.<id>` lease so that workers refuse to start beside it. Close releases it.
 */
export async function holdEmbeddedDetection(options: {
  servers: string[];
  bucket: string;
  id: string;
  log: (line: string) => void;
}): Promise<{ close(): Promise<void> }> {
  const { bucket, id, log } = options;
  const co = await createNatsCoordination({ servers: options.servers, bucket });
  const workers = await holders(co, 'worker.').catch(async (e: unknown) => {
    await co.close();
    throw e;
  });
  if (workers.length > 0) {
    await co.close();
    throw new AppError(
      AppErrorCodes.APP_ROLE_MIX,
      `cannot run every detector in this process: detector workers ${workers.join(', ')} share ` +
        `this deployment's partitions (coordination bucket "${bucket}"), so each alert would be ` +
        `raised twice; start it with --role gateway,respond,admin (and no detect), or stop the workers`,
    );
  }
  const key = `embedded.${id}`;
  const renew = () =>
    co.acquire(key, id, LEASE_MS).catch((e) => log(`embedded detection lease: ${String(e)}`));
  await renew();
  const timer = setInterval(() => void renew(), RENEW_MS);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await co.release(key, id).catch(() => undefined);
      await co.close();
    },
  };
}

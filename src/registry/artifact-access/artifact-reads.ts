import type { AuditEntry } from '../../core/index.js';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Registry } from '../create-registry.js';
import type { ArtifactFile } from '../types.js';
import type { ArtifactAccessMonitor } from './access-monitor.js';
import { resolveArtifact } from './artifact-file.js';
import { parseS3AccessLog } from './s3-access-log.js';

/** Who reads: the authenticated identity of the request (never a header it was sent). */
export interface ArtifactReader {
  name: string;
  kind: string;
  role: string;
}

export interface ArtifactReadsDeps {
  registry: Pick<Registry, 'version'>;
  /** Appends one entry to the `audit` ledger and resolves once it is durable. */
  audit: (entry: AuditEntry) => Promise<void>;
  monitor?: ArtifactAccessMonitor;
  now?: () => string;
}

/** An artifact file ready to stream; the read is audited when the stream ends. */
export interface ArtifactDownload {
  file: ArtifactFile;
  manifestDigest: string;
  body: ReadableStream<Uint8Array>;
}

/**
 * Serves registered model files. The body hashes what it sends; when the last byte is read
 * (or the client goes away) one `registry.artifact.read` entry is made durable in the audit
 * ledger before the stream closes, so a client that read the whole file knows it is recorded.
 */
export function createArtifactReads(deps: ArtifactReadsDeps) {
  const now = deps.now ?? (() => new Date().toISOString());
  return {
    async open(
      model: string,
      version: string,
      path: string,
      identity: ArtifactReader,
    ): Promise<ArtifactDownload> {
      const v = await deps.registry.version(model, version);
      const { file, absolutePath } = await resolveArtifact({ ...v, model, version }, path);
      const hash = createHash('sha256');
      let bytes = 0;
      let done = false;
      const finish = async (complete: boolean) => {
        if (done) return;
        done = true;
        const digest = hash.digest('hex');
        await deps.audit({
          type: 'registry.artifact.read',
          actor: identity.name,
          identityKind: identity.kind,
          role: identity.role,
          at: now(),
          model,
          version,
          versionId: v.id,
          state: v.state,
          file: file.path,
          bytes,
          digest,
          complete,
          // false: the file on disk no longer matches its manifest (the integrity monitor alerts).
          matchesManifest: complete ? digest === file.digest && bytes === file.size : null,
        });
        await deps.monitor?.observe({
          identity: identity.name,
          role: identity.role,
          model,
          version,
          path: file.path,
          bytes,
        });
      };
      const source = createReadStream(absolutePath)[
        Symbol.asyncIterator
      ]() as AsyncIterator<Buffer>;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const next = await source.next();
          if (next.done) {
            await finish(true);
            controller.close();
            return;
          }
          hash.update(next.value);
          bytes += next.value.length;
          controller.enqueue(new Uint8Array(next.value));
        },
        async cancel() {
          await source.return?.();
          await finish(false);
        },
      });
      return { file, manifestDigest: v.manifestDigest, body };
    },
    /**
     * Brings object-store reads (S3 server access log lines) into the audit ledger, one
     * `registry.artifact.store-read` entry each; the batch is refused whole if a line is bad.
     */
    async ingestStoreLog(
      format: 's3',
      text: string,
      actor: string,
    ): Promise<{ ingested: number; skipped: number }> {
      const { reads, skipped } = parseS3AccessLog(text);
      const ingestedAt = now();
      for (const r of reads)
        await deps.audit({
          type: 'registry.artifact.store-read',
          actor: r.requester ?? 'anonymous',
          ...r,
          format,
          ingestedBy: actor,
          ingestedAt,
        });
      return { ingested: reads.length, skipped };
    },
  };
}
export type ArtifactReads = ReturnType<typeof createArtifactReads>;

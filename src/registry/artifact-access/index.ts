/** Artifact access audit (issue 20 item 10): authenticated downloads, each read audited, alerts. */
export { resolveArtifact, type ResolvedArtifact } from './artifact-file.js';
export {
  createArtifactReads,
  type ArtifactReads,
  type ArtifactReadsDeps,
  type ArtifactDownload,
  type ArtifactReader,
} from './artifact-reads.js';
export {
  createArtifactAccessMonitor,
  type ArtifactAccessMonitor,
  type ArtifactAccessLimits,
  type ArtifactRead,
} from './access-monitor.js';
export { parseS3AccessLog, type StoreRead, type ParsedAccessLog } from './s3-access-log.js';

/** The composition root: builds every module from the config and starts them in order. */
export { startAisoc, type RunningAisoc, type StartOptions } from './start.js';
export { prepareDataDir, demoKeyFile, writeSecret, type Secrets } from './data-dir.js';
export { demoModels, packageRoot } from './demo.js';
export { ROLES, parseRoles, type Role } from './phases.js';
export { consoleDir } from './console-static.js';
export { pruneStream, applyRetention, type PruneStreamOptions } from './retention.js';
export {
  createDecoyWatermarks,
  readWatermarkSecret,
  readReferenceRows,
} from './decoy-watermarks.js';

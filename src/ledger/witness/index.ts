/** The witness: a small C2SP tlog-witness style service, and the log's client and pusher. */
export {
  createWitness,
  parseAddCheckpoint,
  type Witness,
  type WitnessOptions,
  type WitnessedLog,
  type WitnessReply,
} from './witness.js';
export { serveWitness, type WitnessServer } from './serve-witness.js';
export { addCheckpoint, fetchWitnessCheckpoints, type AddResult } from './witness-client.js';
export {
  createWitnessPusher,
  type WitnessLag,
  type WitnessPusher,
  type WitnessPusherOptions,
  type WitnessTarget,
} from './witness-pusher.js';
export {
  cosign,
  cosignatureKeyId,
  cosignedMessage,
  formatCosignerKey,
  parseCosignerKey,
  verifyCosignature,
  MAX_FUTURE_SKEW_S,
  type Cosignature,
  type CosignerKey,
} from './cosignature.js';

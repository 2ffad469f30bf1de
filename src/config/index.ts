/** The `aisoc.yaml` schema, loading with `AISOC_*` environment overrides, and validation. */
export {
  ConfigSchema,
  type AisocConfig,
  type ModelConfig,
  type ModelVersionConfig,
  type StoreConfig,
  type BusConfig,
  type LedgerConfig,
  type GatewayConfig,
  type AdminConfig,
} from './schema.js';
export { loadConfig, parseConfig, envOverrides, type LoadConfigOptions } from './load-config.js';
export { ConfigErrorCodes } from './errors.js';

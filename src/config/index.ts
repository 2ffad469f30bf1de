/** The `aisoc.yaml` schema, loading with `AISOC_*` environment overrides, and validation. */
export {
  ConfigSchema,
  type AisocConfig,
  type RawConfig,
  type ModelConfig,
  type ModelVersionConfig,
  type StoreConfig,
  type BusConfig,
  type LedgerConfig,
  type GatewayConfig,
  type AdminConfig,
  type PrivacyConfig,
} from './schema.js';
export {
  FIELD_POLICIES,
  type FieldPolicyName,
  type FieldRule,
  type ModelPrivacyConfig,
} from './privacy-schema.js';
export { loadConfig, parseConfig, envOverrides, type LoadConfigOptions } from './load-config.js';
export { ConfigErrorCodes } from './errors.js';

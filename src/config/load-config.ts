import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { AppError } from '../core/index.js';
import { ConfigErrorCodes } from './errors.js';
import { ConfigSchema, type AisocConfig, type RawConfig } from './schema.js';

export interface LoadConfigOptions {
  /** Path of aisoc.yaml; without it only defaults and the environment apply. */
  file?: string;
  /** Values applied over the file and before the environment (e.g. from CLI flags). */
  overrides?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

/**
 * Loads, validates and freezes the configuration: file → overrides → `AISOC_*` environment
 * → schema. Every problem is reported at once with its path. Relative paths in the result are
 * resolved against the config file's folder (or the working directory).
 */
export function loadConfig(options: LoadConfigOptions = {}): Readonly<AisocConfig> {
  const raw = options.file ? readYaml(options.file) : {};
  deepMerge(raw, options.overrides ?? {});
  deepMerge(raw, envOverrides(options.env ?? process.env));
  return parseConfig(raw, options.file ? dirname(resolve(options.file)) : process.cwd());
}

/** Validates an already-read object; `baseDir` anchors relative paths. */
export function parseConfig(raw: unknown, baseDir: string = process.cwd()): Readonly<AisocConfig> {
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) throw configError(result.error.issues);
  return deepFreeze(resolvePaths(result.data, baseDir));
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AppError(ConfigErrorCodes.CONFIG_UNREADABLE, `cannot read config file ${file}`, {
      cause,
    });
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => `${file}: ${e.message}`);
    throw new AppError(
      ConfigErrorCodes.CONFIG_INVALID,
      `invalid YAML:\n  ${problems.join('\n  ')}`,
      {
        details: problems,
      },
    );
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new AppError(ConfigErrorCodes.CONFIG_INVALID, `${file}: the top level must be a mapping`);
  }
  return value as Record<string, unknown>;
}

/** `AISOC_GATEWAY__BODY_LIMIT_BYTES=2048` → { gateway: { bodyLimitBytes: 2048 } }. */
export function envOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('AISOC_') || value === undefined) continue;
    const path = name
      .slice('AISOC_'.length)
      .split('__')
      .map((seg) => seg.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
    if (path.some((seg) => seg.length === 0) || !KNOWN_ROOTS.has(path[0]!)) continue;
    let node = out;
    for (const seg of path.slice(0, -1)) node = (node[seg] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]!] = parseEnvValue(value);
  }
  return out;
}

const KNOWN_ROOTS = new Set(Object.keys(ConfigSchema.shape));

function parseEnvValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (isPlainObject(value) && isPlainObject(current)) deepMerge(current, value);
    else target[key] = value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function configError(issues: z.core.$ZodIssue[]): AppError {
  const problems = issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  return new AppError(
    ConfigErrorCodes.CONFIG_INVALID,
    `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`,
    { status: 400, details: problems },
  );
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

function resolvePaths(config: RawConfig, baseDir: string): AisocConfig {
  const abs = (p: string) => (isAbsolute(p) || p === ':memory:' ? p : resolve(baseDir, p));
  const dataDir = abs(config.dataDir);
  const inData = (p: string | undefined, name: string) =>
    p === undefined ? join(dataDir, name) : abs(p);
  return {
    ...config,
    dataDir,
    store:
      config.store.driver === 'sqlite'
        ? { ...config.store, path: inData(config.store.path, 'aisoc.db') }
        : config.store,
    ledger: {
      ...config.ledger,
      keyFile: inData(config.ledger.keyFile, 'ledger.key'),
      overflow:
        config.ledger.overflow ?? (config.gateway.durability === 'durable' ? 'reject' : 'drop'),
    },
    admin: {
      ...config.admin,
      tokenFile: inData(config.admin.tokenFile, 'admin.token'),
      ...(config.admin.metricsTokenFile
        ? { metricsTokenFile: abs(config.admin.metricsTokenFile) }
        : {}),
    },
    respond: {
      ...config.respond,
      ...(config.respond.playbookDir ? { playbookDir: abs(config.respond.playbookDir) } : {}),
      ...(config.respond.evidenceDir ? { evidenceDir: abs(config.respond.evidenceDir) } : {}),
      webhooks: Object.fromEntries(
        Object.entries(config.respond.webhooks).map(([k, w]) => [
          k,
          { ...w, secretFile: abs(w.secretFile) },
        ]),
      ),
    },
    privacy: {
      ...config.privacy,
      hmacKeyFile: inData(config.privacy.hmacKeyFile, 'privacy-hmac.key'),
      kekFile: inData(config.privacy.kekFile, 'privacy-kek.key'),
    },
    registry: {
      ...config.registry,
      trustedKeys: config.registry.trustedKeys.map(abs),
      certificateRoots: config.registry.certificateRoots.map(abs),
      ...(config.registry.atlasFile ? { atlasFile: abs(config.registry.atlasFile) } : {}),
      ...(config.registry.sigstore
        ? {
            sigstore: {
              ...config.registry.sigstore,
              trustedRoot: abs(config.registry.sigstore.trustedRoot),
            },
          }
        : {}),
    },
    models: config.models.map((m) => ({
      ...m,
      ...(m.baseline ? { baseline: abs(m.baseline) } : {}),
      versions: m.versions.map((v) => (v.onnx ? { ...v, onnx: abs(v.onnx) } : v)),
    })),
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError, isAppError } from '../core/index.js';
import { ScanErrorCodes } from './errors.js';
import defaultPolicyData from './default-policy.json' with { type: 'json' };

const names = z.array(z.string());

/** The allowlist policy: which pickle globals pass, which are malicious, which ops and domains are known. */
export const ScanPolicySchema = z
  .object({
    pickle: z
      .object({
        allow: names,
        allowModulePrefixes: names,
        deny: names,
        dangerousNames: names,
        dangerousModules: names,
      })
      .strict(),
    tensorflow: z.object({ maliciousOps: names, suspiciousOps: names }).strict(),
    onnx: z.object({ knownDomains: names }).strict(),
    torchscript: z
      .object({ dangerousCalls: names, knownOpNamespaces: names, knownClassNamespaces: names })
      .strict(),
    keras: z
      .object({ allowModulePrefixes: names, maliciousLayers: names, dangerousFunctions: names })
      .strict(),
    gguf: z
      .object({ maliciousTemplatePatterns: names, suspiciousTemplatePatterns: names })
      .strict(),
    inertExtensions: names,
  })
  .strict();

export type ScanPolicy = z.infer<typeof ScanPolicySchema>;

/** A deployment's override file: every list is optional and is appended to the default unless `replace` is true. */
const PolicyOverrideSchema = z
  .object({
    replace: z.boolean().default(false),
    pickle: ScanPolicySchema.shape.pickle.partial().optional(),
    tensorflow: ScanPolicySchema.shape.tensorflow.partial().optional(),
    onnx: ScanPolicySchema.shape.onnx.partial().optional(),
    torchscript: ScanPolicySchema.shape.torchscript.partial().optional(),
    keras: ScanPolicySchema.shape.keras.partial().optional(),
    gguf: ScanPolicySchema.shape.gguf.partial().optional(),
    inertExtensions: names.optional(),
  })
  .strict();

type PolicyOverride = z.infer<typeof PolicyOverrideSchema>;

/** The built-in policy shipped in src/scan/default-policy.json. */
export const defaultScanPolicy: ScanPolicy = Object.freeze(
  ScanPolicySchema.parse(defaultPolicyData),
);

function mergeSection<T extends Record<string, string[]>>(
  base: T,
  extra: Partial<T> | undefined,
  replace: boolean,
): T {
  const out: Record<string, string[]> = { ...base };
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (value === undefined) continue;
    out[key] = replace ? [...value] : [...(base[key] ?? []), ...value];
  }
  return out as T;
}

/** Applies an override object to a base policy (default: the built-in one). */
export function mergeScanPolicy(
  override: unknown,
  base: ScanPolicy = defaultScanPolicy,
): ScanPolicy {
  const parsed = PolicyOverrideSchema.safeParse(override);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    throw new AppError(
      ScanErrorCodes.SCAN_POLICY_INVALID,
      `invalid scan policy: ${problems.join('; ')}`,
      {
        status: 400,
        details: problems,
      },
    );
  }
  const o: PolicyOverride = parsed.data;
  const r = o.replace;
  const inert = o.inertExtensions;
  return Object.freeze({
    pickle: mergeSection(base.pickle, o.pickle, r),
    tensorflow: mergeSection(base.tensorflow, o.tensorflow, r),
    onnx: mergeSection(base.onnx, o.onnx, r),
    torchscript: mergeSection(base.torchscript, o.torchscript, r),
    keras: mergeSection(base.keras, o.keras, r),
    gguf: mergeSection(base.gguf, o.gguf, r),
    inertExtensions:
      inert === undefined ? base.inertExtensions : r ? inert : [...base.inertExtensions, ...inert],
  });
}

/** Reads a JSON or YAML policy override file and merges it over the built-in policy. */
export async function loadScanPolicy(file: string): Promise<ScanPolicy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new AppError(ScanErrorCodes.SCAN_POLICY_INVALID, `cannot read scan policy ${file}`, {
      status: 400,
      cause,
    });
  }
  let data: unknown;
  try {
    data = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new AppError(
      ScanErrorCodes.SCAN_POLICY_INVALID,
      `scan policy ${file} is not valid JSON/YAML`,
      {
        status: 400,
        cause,
      },
    );
  }
  return mergeScanPolicy(data ?? {});
}

/** True for the error loadScanPolicy/mergeScanPolicy throw on a bad policy file. */
export function isScanPolicyError(error: unknown): error is AppError {
  return isAppError(error) && error.code === ScanErrorCodes.SCAN_POLICY_INVALID;
}

import type { ScanContext } from '../scan-context.js';
import { ScanFormatError } from '../scan-error.js';

const MAX_DEPTH = 512;
const RISKY_TF_OP =
  /(^|\.)(io|gfile|py_function|numpy_function|py_func|write_file|read_file|print|system|compat\.v1\.py_func)/;

/** Nesting depth of a JSON text (string-aware), without parsing it. */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** JSON.parse that refuses nesting deeper than a real Keras config needs (no stack exhaustion). */
export function parseJsonBounded(text: string): unknown {
  if (jsonDepth(text) > MAX_DEPTH)
    throw new ScanFormatError(`JSON nested deeper than ${MAX_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ScanFormatError(`not valid JSON: ${(cause as Error).message}`);
  }
}

/** Parses a Keras model config (config.json, model_config attribute, keras_metadata) and scans it. */
export function scanKerasConfigText(ctx: ScanContext, text: string): void {
  scanKerasConfig(ctx, parseJsonBounded(text));
}

/**
 * Walks a Keras config: Lambda layers carry marshalled Python bytecode (Keras 2: base64 in
 * config.function; Keras 3: a `__lambda__` object), and custom objects name modules that
 * are imported and run when the model is rebuilt.
 */
export function scanKerasConfig(ctx: ScanContext, root: unknown): void {
  const stack: Frame[] = [{ v: root, depth: 0, layer: undefined }];
  let visited = 0;
  while (stack.length > 0) {
    const { v, depth, layer } = stack.pop() as Frame;
    if (depth > MAX_DEPTH)
      throw new ScanFormatError(`Keras config nested deeper than ${MAX_DEPTH}`);
    if (++visited % 10_000 === 0) ctx.checkTime();
    if (Array.isArray(v)) for (const x of v) stack.push({ v: x, depth: depth + 1, layer });
    else if (v !== null && typeof v === 'object') {
      const inner = checkObject(ctx, v as Record<string, unknown>, layer);
      for (const x of Object.values(v)) stack.push({ v: x, depth: depth + 1, layer: inner });
    }
  }
}

/** A value to visit and the layer it belongs to (objects nested in a layer's config). */
interface Frame {
  v: unknown;
  depth: number;
  layer: string | undefined;
}

/**
 * Keras 3 rebuilds `{"module": M, "class_name": "function", "config": F}` by importing M and
 * taking its attribute F, whatever M is (CVE-2025-1550 used this against safe_mode): a
 * function from os/builtins/subprocess, or a Keras function that downloads or loads files,
 * is malicious. Returns true when it reported.
 */
function checkFunction(
  ctx: ScanContext,
  module: string,
  cls: string,
  config: unknown,
  layer: string,
): boolean {
  const name = typeof config === 'string' ? config : cls;
  const full = `${module}.${name}`;
  const top = module.split('.')[0] ?? module;
  const listed = ctx.policy.keras.dangerousFunctions.some(
    (d) => full === d || full.startsWith(`${d}.`) || module === d,
  );
  if (!listed && !ctx.policy.pickle.dangerousModules.includes(top)) return false;
  ctx.add(
    'critical',
    'keras.dangerous-function',
    `layer "${layer}" makes Keras import ${full} when the model loads`,
    { layer },
  );
  return true;
}

/** Checks one object of the config; returns the layer name its children belong to. */
function checkObject(
  ctx: ScanContext,
  o: Record<string, unknown>,
  outer: string | undefined,
): string | undefined {
  const cls = o.class_name;
  if (typeof cls !== 'string') return outer;
  const config = (o.config ?? {}) as Record<string, unknown>;
  const layer = typeof config.name === 'string' ? config.name : (outer ?? cls);
  const policy = ctx.policy.keras;
  if (policy.maliciousLayers.includes(cls)) {
    const how =
      config.function_type === 'lambda' || cls === '__lambda__'
        ? ' with marshalled Python bytecode'
        : '';
    ctx.add(
      'critical',
      'keras.lambda-layer',
      `${cls} layer "${layer}"${how} runs arbitrary Python when the model is loaded`,
      { layer },
    );
  } else if (cls === 'TFOpLambda' || cls === 'SlicingOpLambda') {
    const fn = String(config.function ?? '');
    if (RISKY_TF_OP.test(fn))
      ctx.add('critical', 'keras.tf-op-layer', `${cls} layer "${layer}" calls ${fn}`, { layer });
  }
  if (
    typeof config.function === 'string' &&
    config.function_type === 'lambda' &&
    !policy.maliciousLayers.includes(cls)
  ) {
    ctx.add(
      'critical',
      'keras.marshalled-code',
      `layer "${layer}" (${cls}) carries marshalled Python bytecode`,
      { layer },
    );
  }
  const module = o.module;
  if (typeof module === 'string' && checkFunction(ctx, module, cls, o.config, layer)) return layer;
  if (
    typeof module === 'string' &&
    !policy.allowModulePrefixes.some((p) => module === p || module.startsWith(`${p}.`))
  ) {
    ctx.add(
      'medium',
      'keras.custom-object',
      `${cls} "${layer}" comes from module ${module}, imported when the model loads`,
      { layer },
    );
  }
  const registered = o.registered_name;
  if (typeof registered === 'string' && registered.includes('>')) {
    ctx.add(
      'medium',
      'keras.custom-object',
      `custom object ${registered} must be registered by code outside the model`,
      { layer },
    );
  }
  return layer;
}

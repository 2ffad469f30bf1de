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
  const stack: { v: unknown; depth: number }[] = [{ v: root, depth: 0 }];
  let visited = 0;
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (depth > MAX_DEPTH)
      throw new ScanFormatError(`Keras config nested deeper than ${MAX_DEPTH}`);
    if (++visited % 10_000 === 0) ctx.checkTime();
    if (Array.isArray(v)) for (const x of v) stack.push({ v: x, depth: depth + 1 });
    else if (v !== null && typeof v === 'object') {
      checkObject(ctx, v as Record<string, unknown>);
      for (const x of Object.values(v)) stack.push({ v: x, depth: depth + 1 });
    }
  }
}

function checkObject(ctx: ScanContext, o: Record<string, unknown>): void {
  const cls = o.class_name;
  if (typeof cls !== 'string') return;
  const config = (o.config ?? {}) as Record<string, unknown>;
  const layer = typeof config.name === 'string' ? config.name : cls;
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
}

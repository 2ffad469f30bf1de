import { respondError, RespondErrorCodes } from './errors.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

function lookup(context: Record<string, unknown>, path: string): unknown {
  let value: unknown = context;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part))
      return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * Replaces `{{alert.model}}`-style placeholders in every string of `value` from `context`.
 * A placeholder with no string or number value fails (RESPOND_TEMPLATE_INVALID): a
 * containment aimed at "undefined" must never reach a gateway.
 */
export function renderTemplate<T>(value: T, context: Record<string, unknown>): T {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (_, path: string) => {
      const v = lookup(context, path);
      if (typeof v !== 'string' && typeof v !== 'number')
        throw respondError(
          RespondErrorCodes.RESPOND_TEMPLATE_INVALID,
          `{{${path}}} has no value for this incident`,
        );
      return String(v);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => renderTemplate(v, context)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, renderTemplate(v, context)]),
    ) as T;
  return value;
}

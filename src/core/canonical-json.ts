import { AppError, CoreErrorCodes } from './errors.js';

/**
 * Serialises a JSON value per RFC 8785 (JSON Canonicalization Scheme): object keys sorted by
 * UTF-16 code units, no white space, numbers in ECMAScript shortest form. Equal values give
 * equal bytes, which is what makes hashes over them meaningful. Throws on values JSON cannot
 * carry (NaN, Infinity, undefined inside arrays, functions, bigint, cycles).
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set(), '$');
}

function write(value: unknown, seen: Set<object>, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new AppError(CoreErrorCodes.CANONICAL_JSON_INVALID, `non-finite number at ${path}`, {
          status: 400,
        });
      }
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new AppError(
        CoreErrorCodes.CANONICAL_JSON_INVALID,
        `${typeof value} at ${path} is not JSON`,
        {
          status: 400,
        },
      );
  }
  const obj = value as object;
  if (seen.has(obj)) {
    throw new AppError(CoreErrorCodes.CANONICAL_JSON_INVALID, `cycle at ${path}`, { status: 400 });
  }
  seen.add(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = '[' + obj.map((item, i) => write(item, seen, `${path}[${i}]`)).join(',') + ']';
  } else if (ArrayBuffer.isView(obj)) {
    out = write(Array.from(obj as unknown as ArrayLike<number>), seen, path);
  } else {
    const record = obj as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    out =
      '{' +
      keys.map((k) => JSON.stringify(k) + ':' + write(record[k], seen, `${path}.${k}`)).join(',') +
      '}';
  }
  seen.delete(obj);
  return out;
}

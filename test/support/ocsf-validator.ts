import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// A validator of OCSF events read from the schema's own source files (dictionary, classes,
// objects, includes, profiles), as the OCSF server compiles them: a class or object inherits its
// `extends` chain, `$include` merges include attributes always and a profile's attributes only
// when the event names that profile in `metadata.profiles`, and an attribute's definition is the
// dictionary's, overridden field by field where the class or object says so.

type Json = Record<string, any>;
/** Set by the class (checked below), not by the base event's placeholder enums. */
const DERIVED = new Set(['category_uid', 'class_uid', 'type_uid']);
interface AttrDef {
  type?: string;
  is_array?: boolean;
  requirement?: string;
  enum?: Record<string, unknown>;
}

export function createOcsfValidator(root: string) {
  const read = (path: string): Json => JSON.parse(readFileSync(join(root, path), 'utf8'));
  const dictionary = read('dictionary.json');
  const dictAttrs = dictionary.attributes as Record<string, AttrDef>;
  const types = dictionary.types.attributes as Record<string, Json>;
  const cache = new Map<string, { attributes: Record<string, AttrDef>; constraints?: Json }>();

  let profiles = new Set<string>();

  function mergeAttributes(into: Record<string, AttrDef>, attrs: Json): void {
    for (const [name, def] of Object.entries(attrs)) {
      if (name === '$include') {
        for (const file of def as string[]) {
          const included = read(file);
          if (file.startsWith('profiles/') && !profiles.has(included.name as string)) continue;
          mergeAttributes(into, included.attributes);
        }
        continue;
      }
      into[name] = { ...(into[name] ?? {}), ...(def as AttrDef) };
    }
  }

  function compile(kind: 'class' | 'object', name: string) {
    const key = `${kind}:${name}:${[...profiles].sort().join(',')}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const file =
      kind === 'object'
        ? `objects/${name}.json`
        : name === 'base_event'
          ? 'events/base_event.json'
          : `events/findings/${name}.json`;
    const source = read(file);
    const attributes: Record<string, AttrDef> = {};
    const parent = source.extends as string | undefined;
    if (parent && !(kind === 'object' && parent === 'object'))
      Object.assign(attributes, structuredClone(compile(kind, parent).attributes));
    mergeAttributes(attributes, source.attributes);
    for (const [name, def] of Object.entries(attributes))
      attributes[name] = { ...dictAttrs[name], ...def };
    const compiled = { attributes, constraints: source.constraints };
    cache.set(key, compiled);
    return compiled;
  }

  function checkScalar(value: unknown, type: string, path: string, errors: string[]): void {
    const def = types[type]!;
    const base = def.type as string | undefined;
    if (base) checkScalar(value, base, path, errors);
    switch (type) {
      case 'string_t':
        if (typeof value !== 'string') errors.push(`${path}: expected a string`);
        else if (def.max_len && value.length > def.max_len)
          errors.push(`${path}: longer than ${def.max_len}`);
        return;
      case 'integer_t':
      case 'long_t':
        if (!Number.isInteger(value)) errors.push(`${path}: expected an integer`);
        return;
      case 'float_t':
        if (typeof value !== 'number') errors.push(`${path}: expected a number`);
        return;
      case 'boolean_t':
        if (typeof value !== 'boolean') errors.push(`${path}: expected a boolean`);
        return;
    }
    if (def.regex && typeof value === 'string') {
      let re: RegExp | null = null;
      try {
        re = new RegExp(def.regex);
      } catch {
        re = null; // a pattern JavaScript cannot compile is not held against the value
      }
      if (re && !re.test(value)) errors.push(`${path}: not a valid ${type}`);
    }
  }

  function checkValue(value: unknown, def: AttrDef, path: string, errors: string[]): void {
    if (def.is_array) {
      if (!Array.isArray(value)) return void errors.push(`${path}: expected an array`);
      value.forEach((v, i) => checkValue(v, { ...def, is_array: false }, `${path}[${i}]`, errors));
      return;
    }
    const type = def.type ?? 'json_t';
    if (type === 'object' || type === 'json_t') {
      if (
        type === 'object' &&
        (typeof value !== 'object' || value === null || Array.isArray(value))
      )
        errors.push(`${path}: expected an object`);
      return;
    }
    if (types[type]) checkScalar(value, type, path, errors);
    else if (typeof value !== 'object' || value === null || Array.isArray(value))
      errors.push(`${path}: expected a ${type} object`);
    else checkObject(value as Json, compile('object', type), path, errors);
    if (
      def.enum &&
      !DERIVED.has(path.split('.').at(-1)!) &&
      !Object.hasOwn(def.enum, String(value))
    )
      errors.push(`${path}: ${String(value)} is not one of ${Object.keys(def.enum).join(', ')}`);
  }

  function checkObject(
    value: Json,
    schema: { attributes: Record<string, AttrDef>; constraints?: Json },
    path: string,
    errors: string[],
  ): void {
    for (const [name, def] of Object.entries(schema.attributes))
      if (def.requirement === 'required' && value[name] === undefined)
        errors.push(`${path}.${name}: required`);
    for (const [name, v] of Object.entries(value)) {
      const def = schema.attributes[name];
      if (!def) errors.push(`${path}.${name}: not an attribute of this class or object`);
      else checkValue(v, def, `${path}.${name}`, errors);
    }
    const atLeastOne = schema.constraints?.at_least_one as string[] | undefined;
    if (atLeastOne && !atLeastOne.some((a) => value[a] !== undefined))
      errors.push(`${path}: needs at least one of ${atLeastOne.join(', ')}`);
  }

  /** The problems of one event of `className` (e.g. detection_finding); empty when valid. */
  return function validate(className: string, event: Json): string[] {
    const errors: string[] = [];
    profiles = new Set((event.metadata?.profiles as string[] | undefined) ?? []);
    const schema = compile('class', className);
    checkObject(event, schema, className, errors);
    const source = read(`events/findings/${className}.json`);
    const category = read('categories.json').attributes[source.category] as Json;
    const classUid = category.uid * 1000 + source.uid;
    if (event.category_uid !== category.uid) errors.push(`category_uid: expected ${category.uid}`);
    if (event.class_uid !== classUid) errors.push(`class_uid: expected ${classUid}`);
    if (event.type_uid !== classUid * 100 + event.activity_id)
      errors.push(
        `type_uid: expected class_uid × 100 + activity_id = ${classUid * 100 + event.activity_id}`,
      );
    return errors;
  };
}

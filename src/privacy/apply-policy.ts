import type { FieldRule, ModelPrivacyConfig } from '../config/index.js';
import {
  canonicalJson,
  sha256Hex,
  type InferenceEvent,
  type RecordedPrivacy,
} from '../core/index.js';
import { generalise } from './generalise.js';
import { seal, sealAad, type Hasher } from './seal.js';

/** What the policy needs: keyed hashing and the subject's data key (sync when cached). */
export interface PolicyDeps {
  hasher: Hasher;
  cachedKey(ref: string): Buffer | undefined;
  ensureKey(ref: string): Promise<Buffer>;
}

export interface ModelPolicyInput {
  id: string;
  privacy: ModelPrivacyConfig;
}

type Cell = number | string;

/** The key that seals an event without a subject: one per model (erasable only as a whole). */
export const anonymousKeyRef = (model: string) => `anon_${model}`;

/**
 * Compiles a model's privacy block once (pino's redaction does the same) into a function from
 * the clear event to the event to record. It returns synchronously unless a data key must
 * first be read or created.
 */
export function compilePolicy(model: ModelPolicyInput, deps: PolicyDeps) {
  const p = model.privacy;
  const policyDigest = sha256Hex(canonicalJson(p)).slice(0, 16);
  const byIndex = new Map<number, FieldRule>();
  for (const rule of p.features) {
    const index =
      typeof rule.feature === 'number' ? rule.feature : p.featureNames!.indexOf(rule.feature);
    byIndex.set(index, rule);
  }
  const columnRules = (width: number) =>
    Array.from({ length: width }, (_, i) => byIndex.get(i) ?? p.defaultFeature);
  let columns = columnRules(0);
  const keepsAllFeatures = p.defaultFeature.policy === 'keep' && byIndex.size === 0;
  const requestRules = [...p.request].sort((a, b) =>
    a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0,
  );

  function cell(
    rule: FieldRule,
    value: unknown,
    acc: { dropped: unknown[]; sealed: unknown[] },
  ): unknown {
    switch (rule.policy) {
      case 'keep':
        return value;
      case 'generalise':
        return Array.isArray(value)
          ? value.map((v) => generalise(rule, v))
          : generalise(rule, value);
      case 'hash':
        return deps.hasher.field(value);
      case 'drop':
        acc.dropped.push(value);
        return 'dropped';
      case 'encrypt':
        // In the order openEvent reads them back: features row by row, outputs, request
        // fields by pointer in sorted order (the order canonical JSON gives them).
        acc.sealed.push(value);
        return 'sealed';
    }
  }

  return function apply(event: InferenceEvent): InferenceEvent | Promise<InferenceEvent> {
    const { requestFields, ...rest } = event;
    const recorded: InferenceEvent = { ...rest };
    const privacy: RecordedPrivacy = { v: 1, policy: policyDigest };
    const acc = { dropped: [] as unknown[], sealed: [] as unknown[] };
    const ref = event.subject === undefined ? undefined : deps.hasher.subjectRef(event.subject);
    if (ref !== undefined && p.subjectPolicy === 'pseudonym') recorded.subject = ref;

    if (event.features && !keepsAllFeatures) {
      let numeric = true;
      const rows = event.features.map((row) => {
        if (columns.length !== row.length) columns = columnRules(row.length);
        return row.map((v, c) => {
          const out = cell(columns[c]!, v, acc) as Cell | null;
          if (typeof out !== 'number') numeric = false;
          return out ?? 'dropped';
        });
      });
      if (numeric) recorded.features = rows as number[][];
      else {
        recorded.features = null;
        privacy.features = rows;
      }
    }
    if (event.outputs && p.outputs.policy !== 'keep') {
      const outs = event.outputs.map((o) => cell(p.outputs, o, acc));
      if (p.outputs.policy === 'generalise') recorded.outputs = outs;
      else {
        recorded.outputs = null;
        privacy.outputs = outs;
      }
    }
    if (requestFields) {
      const request: Record<string, unknown> = {};
      for (const rule of requestRules)
        if (Object.hasOwn(requestFields, rule.pointer))
          request[rule.pointer] = cell(rule, requestFields[rule.pointer], acc);
      privacy.request = request;
    }
    if (acc.dropped.length > 0) privacy.dropped = `sha256:${sha256Hex(canonicalJson(acc.dropped))}`;
    recorded.privacy = privacy;
    if (acc.sealed.length === 0) return recorded;

    const keyRef = ref ?? anonymousKeyRef(event.model);
    const plain = JSON.stringify(acc.sealed);
    const finish = (key: Buffer) => {
      privacy.sealed = seal(key, keyRef, sealAad(event.id, keyRef), plain);
      return recorded;
    };
    const key = deps.cachedKey(keyRef);
    return key ? finish(key) : deps.ensureKey(keyRef).then(finish);
  };
}
export type ApplyPolicy = ReturnType<typeof compilePolicy>;

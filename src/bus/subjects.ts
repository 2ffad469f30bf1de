import { BusErrorCodes, busError } from './errors.js';

/** Subjects used across modules: `<domain>.<noun>.<past-verb>`. */
export const Subjects = {
  inferenceCompleted: 'gateway.inference.completed',
  /** Every model partition of `inferenceCompleted`; see {@link inferenceSubject}. */
  inferenceCompletedAll: 'gateway.inference.completed.>',
  alertRaised: 'detect.alert.raised',
  /** Batches of events a detector worker's partition passes on to the per-model stage. */
  modelStageEvents: 'detect.stage.models',
  actionApplied: 'respond.action.applied',
  actionLifted: 'respond.action.lifted',
  policyChanged: 'gateway.policy.changed',
} as const;

/** The subject roots the JetStream stream captures; anything else is refused by NATS. */
export const STREAM_SUBJECT_ROOTS = ['gateway', 'detect', 'respond'] as const;

// Printable ASCII without the NATS separator and wildcards. Stricter than the server (which
// takes most UTF-8) so that a subject means the same thing on every implementation.
const LITERAL_TOKEN = /^[\x21-\x29\x2b-\x2d\x2f-\x3d\x3f-\x7e]+$/;
const MAX_SUBJECT_LENGTH = 1024;
const SAFE_CHAR = /[A-Za-z0-9_-]/;

function invalid(kind: string, value: string, why: string): never {
  throw busError(BusErrorCodes.BUS_SUBJECT_INVALID, `${kind} ${JSON.stringify(value)}: ${why}`, {
    details: { [kind]: value },
  });
}

function checkShape(kind: string, value: string): string[] {
  if (typeof value !== 'string' || value.length === 0) invalid(kind, String(value), 'is empty');
  if (value.length > MAX_SUBJECT_LENGTH)
    invalid(kind, value.slice(0, 40) + '…', `is longer than ${MAX_SUBJECT_LENGTH} characters`);
  return value.split('.');
}

// Subjects already found valid: every publish checks its subject, and a gateway publishes on
// one subject per model, so the check is a Set lookup after the first. Bounded by clearing.
const validSubjects = new Set<string>();
const MAX_REMEMBERED = 4096;

/** Throws BUS_SUBJECT_INVALID unless `subject` is a concrete subject one can publish on. */
export function assertSubject(subject: string): void {
  if (validSubjects.has(subject)) return;
  checkSubject(subject);
  if (validSubjects.size >= MAX_REMEMBERED) validSubjects.clear();
  validSubjects.add(subject);
}

function checkSubject(subject: string): void {
  const tokens = checkShape('subject', subject);
  if (!(STREAM_SUBJECT_ROOTS as readonly string[]).includes(tokens[0] ?? ''))
    invalid('subject', subject, `must start with one of ${STREAM_SUBJECT_ROOTS.join(', ')}`);
  tokens.forEach((token, i) => {
    if (!LITERAL_TOKEN.test(token))
      invalid(
        'subject',
        subject,
        `token ${i + 1} ${JSON.stringify(token)} is empty or has a wildcard, space or control character`,
      );
  });
}

/** Throws BUS_SUBJECT_INVALID unless `pattern` is a valid subscription (`*` one token, `>` the rest). */
export function assertPattern(pattern: string): void {
  const tokens = checkShape('pattern', pattern);
  // JetStream (2.9) only accepts consumer filters inside one of the stream's subjects, so a
  // pattern names its root; `>` alone (everything) is the one exception.
  if (pattern !== '>' && !(STREAM_SUBJECT_ROOTS as readonly string[]).includes(tokens[0] ?? ''))
    invalid(
      'pattern',
      pattern,
      `must be ">" or start with one of ${STREAM_SUBJECT_ROOTS.join(', ')}`,
    );
  tokens.forEach((token, i) => {
    if (token === '*') return;
    if (token === '>') {
      if (i !== tokens.length - 1) invalid('pattern', pattern, '">" may only be the last token');
      return;
    }
    if (!LITERAL_TOKEN.test(token))
      invalid(
        'pattern',
        pattern,
        `token ${i + 1} ${JSON.stringify(token)} is empty or has a space or control character`,
      );
  });
}

/** Whether a NATS-style pattern matches a subject. */
export function subjectMatches(pattern: string, subject: string): boolean {
  if (pattern === subject) return true;
  // Token by token with indexes: the memory bus runs this for every subscription on every
  // publish, and splitting both strings each time showed in the gateway's profile.
  let p = 0;
  let s = 0;
  for (;;) {
    let pEnd = pattern.indexOf('.', p);
    if (pEnd < 0) pEnd = pattern.length;
    if (s > subject.length) return false; // the subject has fewer tokens
    const width = pEnd - p;
    const first = pattern.charCodeAt(p);
    if (width === 1 && first === GT) return true; // '>': one or more tokens remain
    let sEnd = subject.indexOf('.', s);
    if (sEnd < 0) sEnd = subject.length;
    if (!(width === 1 && first === STAR) && !sameToken(pattern, p, subject, s, sEnd - s, width))
      return false;
    p = pEnd + 1;
    s = sEnd + 1;
    if (p > pattern.length) return s > subject.length;
  }
}

const GT = 0x3e; // '>'
const STAR = 0x2a; // '*'

function sameToken(
  a: string,
  aFrom: number,
  b: string,
  bFrom: number,
  bWidth: number,
  aWidth: number,
) {
  if (aWidth !== bWidth) return false;
  for (let i = 0; i < aWidth; i++)
    if (a.charCodeAt(aFrom + i) !== b.charCodeAt(bFrom + i)) return false;
  return true;
}

/**
 * Escapes a model id into one subject token: `[A-Za-z0-9_-]` stay, every other UTF-8 byte
 * becomes `%HH` (as in RFC 3986 percent-encoding, but `.`, `~` and `%` are escaped too), so
 * the mapping is injective and {@link modelFromToken} reverses it.
 */
export function modelToken(model: string): string {
  if (typeof model !== 'string' || model.length === 0)
    throw busError(BusErrorCodes.BUS_SUBJECT_INVALID, 'model id is empty', { details: { model } });
  let out = '';
  for (const ch of model) {
    if (SAFE_CHAR.test(ch)) out += ch;
    else
      for (const byte of Buffer.from(ch, 'utf8'))
        out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Reverses {@link modelToken}; undefined when the token is not one it produces. */
export function modelFromToken(token: string): string | undefined {
  if (!/^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})+$/.test(token)) return undefined;
  try {
    const model = decodeURIComponent(token);
    return modelToken(model) === token ? model : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The subject an InferenceEvent for `model` is published on: one partition per model,
 * `gateway.inference.completed.<token>`, with a partition token after it when detection is
 * partitioned (`….<token>.p07`). Subscribe to `Subjects.inferenceCompletedAll` for all.
 * @example inferenceSubject('org/model.v2') // 'gateway.inference.completed.org%2Fmodel%2Ev2'
 */
export function inferenceSubject(model: string, partition?: string): string {
  let base = inferenceSubjects.get(model);
  if (base === undefined) {
    base = `${Subjects.inferenceCompleted}.${modelToken(model)}`;
    if (inferenceSubjects.size >= MAX_REMEMBERED) inferenceSubjects.clear();
    inferenceSubjects.set(model, base);
  }
  if (partition === undefined) return base;
  if (!/^p\d{2}$/.test(partition))
    invalid('partition', partition, 'must be "p" and two digits (p00…p63)');
  return `${base}.${partition}`;
}

/** Every model's inference events of one partition (see {@link inferenceSubject}). */
export function partitionPattern(partition: string): string {
  return `${Subjects.inferenceCompleted}.*.${partition}`;
}

// The gateway asks for one model's subject per request: escape each model id once.
const inferenceSubjects = new Map<string, string>();

/** The model id of a partitioned inference subject, or undefined for any other subject. */
export function modelFromInferenceSubject(subject: string): string | undefined {
  const prefix = Subjects.inferenceCompleted + '.';
  if (!subject.startsWith(prefix)) return undefined;
  return modelFromToken(subject.slice(prefix.length).split('.')[0]!);
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Throws BUS_OPTIONS_INVALID unless `value` is a safe stream, bucket or consumer name. */
export function assertName(kind: string, value: string): void {
  if (typeof value !== 'string' || !NAME.test(value))
    throw busError(
      BusErrorCodes.BUS_OPTIONS_INVALID,
      `${kind} ${JSON.stringify(value)}: use 1 to 64 letters, digits, "_" or "-"`,
      { details: { [kind]: value } },
    );
}

/**
 * The NATS names of one deployment, derived from its subject prefix so that two deployments on
 * one server never share a subject, stream or policy bucket. `aisoc` gives the historic names
 * (stream `AISOC`, bucket `aisoc_policy`).
 * @example deploymentNames('prod-eu') // { stream: 'PROD_EU', policyBucket: 'prod-eu_policy' }
 */
export function deploymentNames(prefix: string): { stream: string; policyBucket: string } {
  assertName('subjectPrefix', prefix);
  return { stream: prefix.toUpperCase().replace(/-/g, '_'), policyBucket: `${prefix}_policy` };
}

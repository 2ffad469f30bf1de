import { z } from 'zod';
import { registryError } from '../errors.js';

// The Sigstore bundle (protobuf-specs sigstore_bundle.proto, JSON mapping) as OMS writes it
// for key and certificate signing: no transparency-log entries, a DSSE envelope inside.

export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const OMS_PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
/** The v0.2 predicate (subjects are the files); still readable, never written. */
export const OMS_PREDICATE_TYPE_COMPAT = 'https://model_signing/Digests/v0.1';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'is not base64');

const BundleSchema = z.object({
  mediaType: z.string(),
  verificationMaterial: z.object({
    publicKey: z.object({ hint: z.string().nullish() }).passthrough().optional(),
    x509CertificateChain: z
      .object({ certificates: z.array(z.object({ rawBytes: base64 })).min(1) })
      .optional(),
    certificate: z.object({ rawBytes: base64 }).optional(),
    tlogEntries: z.array(z.unknown()).optional(),
  }),
  dsseEnvelope: z.object({
    payload: base64,
    payloadType: z.string(),
    signatures: z.array(z.object({ sig: base64, keyid: z.string().nullish() })),
  }),
});
export type SignatureBundle = z.infer<typeof BundleSchema>;

const ResourceSchema = z.object({ name: z.string(), algorithm: z.string(), digest: z.string() });

export const StatementSchema = z.object({
  _type: z.string(),
  subject: z.array(
    z.object({ name: z.string(), digest: z.record(z.string(), z.string()) }).passthrough(),
  ),
  predicateType: z.string(),
  predicate: z
    .object({
      resources: z.array(ResourceSchema).optional(),
      serialization: z
        .object({
          method: z.string(),
          hash_type: z.string(),
          allow_symlinks: z.union([z.boolean(), z.string()]),
          ignore_paths: z.array(z.string()).optional(),
        })
        .passthrough()
        .optional(),
    })
    .passthrough()
    .optional(),
});
export type Statement = z.infer<typeof StatementSchema>;

function issuePath(issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0];
  return first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid';
}

/** Parses a signature file's text; a malformed one fails naming the field. */
export function parseBundle(text: string): SignatureBundle {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw registryError('REGISTRY_SIGNATURE_MALFORMED', 'signature is not JSON (truncated?)', {
      cause: e,
    });
  }
  const parsed = BundleSchema.safeParse(value);
  if (!parsed.success)
    throw registryError(
      'REGISTRY_SIGNATURE_MALFORMED',
      `signature bundle: ${issuePath(parsed.error.issues)}`,
    );
  if (parsed.data.mediaType !== BUNDLE_MEDIA_TYPE)
    throw registryError(
      'REGISTRY_SIGNATURE_MALFORMED',
      `signature bundle: media type ${parsed.data.mediaType}, expected ${BUNDLE_MEDIA_TYPE}`,
    );
  if (parsed.data.dsseEnvelope.signatures.length !== 1)
    throw registryError(
      'REGISTRY_SIGNATURE_MALFORMED',
      `signature bundle: expected exactly one DSSE signature, found ${parsed.data.dsseEnvelope.signatures.length}`,
    );
  return parsed.data;
}

/** Parses the in-toto statement carried by the envelope. */
export function parseStatement(payload: Buffer): Statement {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch (e) {
    throw registryError('REGISTRY_SIGNATURE_MALFORMED', 'DSSE payload is not JSON', { cause: e });
  }
  const parsed = StatementSchema.safeParse(value);
  if (!parsed.success)
    throw registryError(
      'REGISTRY_SIGNATURE_MALFORMED',
      `in-toto statement: ${issuePath(parsed.error.issues)}`,
    );
  return parsed.data;
}

/**
 * DSSE pre-authentication encoding (secure-systems-lab/dsse protocol.md, v1.0.0):
 * "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in bytes as decimal ASCII.
 */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  const head = `DSSEv1 ${type.length} ${payloadType} ${payload.length} `;
  return Buffer.concat([Buffer.from(head, 'utf8'), payload]);
}

/** Python's `repr()` of a bytes object, e.g. b'{"a": 1}\\n' (quotes chosen as CPython does). */
function pythonBytesRepr(bytes: Buffer): string {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let out = `b${quote}`;
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b === quote.charCodeAt(0)) out += `\\${quote}`;
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out}${quote}`;
}

/**
 * The pre-authentication encoding that model_signing v0.2 signed by mistake: "DSSEV1", and the
 * payload formatted into a string as Python's bytes repr. Upstream's current verifier still
 * accepts it (with SHA-256 whatever the curve), and so do we, for those signatures only.
 */
export function paeCompatV02(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.from(
    `DSSEV1 ${type.length} ${payloadType} ${payload.length} ${pythonBytesRepr(payload)}`,
    'utf8',
  );
}

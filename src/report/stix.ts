import { createHash } from 'node:crypto';
import type { Review } from './review.js';

type StixObject = Record<string, unknown> & { type: string; id: string };

/** A deterministic STIX identifier: `<type>--<UUID>` from a SHA-256 of `seed` (name-based, RFC 4122 §4.3 layout). */
export function stixId(type: string, seed: string): string {
  const h = createHash('sha256').update(`${type}\n${seed}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${type}--${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const hashed = (value: string) => `sha256:${createHash('sha256').update(value).digest('hex')}`;
const quote = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
const isIp = (s: string) => /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(s);

/**
 * The incident as a STIX 2.1 bundle: the incident, one attack-pattern per MITRE ATLAS
 * technique (external id and URL), indicators for its source networks and for its API keys
 * (only a SHA-256 of the key id leaves aisoc), and the relationships between them.
 */
export function toStixBundle(r: Review): { type: 'bundle'; id: string; objects: StixObject[] } {
  const i = r.incident;
  const created = i.phaseTimes.detected ?? i.firstSeen;
  const modified = r.generatedAt;
  const common = (type: string, seed: string) => ({
    type,
    spec_version: '2.1',
    id: stixId(type, `${i.id}/${seed}`),
    created,
    modified,
  });
  const identity = { ...common('identity', 'aisoc'), name: 'aisoc', identity_class: 'system' };
  const incident = {
    ...common('incident', 'incident'),
    created_by_ref: identity.id,
    name: i.title,
    description: `${i.category}: ${i.kinds.join(', ')} on ${i.assets.join(', ')}; severity ${i.severity.override?.severity ?? i.severity.computed}; first seen ${i.firstSeen}, last seen ${i.lastSeen}.`,
    labels: i.kinds,
    external_references: [{ source_name: 'aisoc', external_id: i.id }],
  };
  const patterns = r.techniques.map((t) => ({
    ...common('attack-pattern', t.id),
    created_by_ref: identity.id,
    name: t.name ? `${t.id} ${t.name}` : t.id,
    external_references: [
      {
        source_name: 'mitre-atlas',
        external_id: t.id,
        url: `https://atlas.mitre.org/techniques/${t.id}`,
      },
    ],
  }));
  const indicators = [
    ...i.sources.filter(isIp).map((s) => ({
      seed: `source/${s}`,
      name: `source network ${s}`,
      pattern: `[ipv4-addr:value = '${quote(s)}']`,
    })),
    ...r.actions
      .map((a) => (a.action as { keyId?: unknown }).keyId)
      .filter((k): k is string => typeof k === 'string')
      .concat(
        r.alerts
          .map((a) => (a as { evidence?: { keyId?: unknown } }).evidence?.keyId)
          .filter((k): k is string => typeof k === 'string'),
      )
      .filter((k, n, all) => all.indexOf(k) === n)
      .map((k) => ({
        seed: `key/${hashed(k)}`,
        name: 'API key used in the incident (SHA-256 of its id)',
        pattern: `[user-account:user_id = '${hashed(k)}']`,
      })),
  ].map((x) => ({
    ...common('indicator', x.seed),
    created_by_ref: identity.id,
    name: x.name,
    indicator_types: ['malicious-activity'],
    pattern: x.pattern,
    pattern_type: 'stix',
    valid_from: i.firstSeen,
  }));
  const rel = (source: StixObject, type: string, target: StixObject) => ({
    ...common('relationship', `${source.id}/${type}/${target.id}`),
    created_by_ref: identity.id,
    relationship_type: type,
    source_ref: source.id,
    target_ref: target.id,
  });
  const relationships = [
    ...patterns.map((p) => rel(incident, 'related-to', p)),
    ...indicators.flatMap((x) => [
      rel(x, 'related-to', incident),
      ...patterns.map((p) => rel(x, 'indicates', p)),
    ]),
  ];
  return {
    type: 'bundle',
    id: stixId('bundle', `${i.id}/${modified}`),
    objects: [identity, incident, ...patterns, ...indicators, ...relationships],
  };
}

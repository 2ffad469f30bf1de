import type { Alert } from '../core/index.js';
import type { Review } from './review.js';

// ArcSight Common Event Format (CEF) version 0, as SIEMs parse it: a header of seven
// pipe-separated fields, then `key=value` extensions with the standard dictionary's keys.

const SEVERITY: Record<string, number> = { info: 1, low: 3, medium: 5, high: 8, critical: 10 };

/** A header field: backslash and pipe escaped; CEF headers cannot carry line breaks. */
export function cefHeaderField(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');
}

/** An extension value: backslash and equals escaped, line breaks as \n / \r. */
export function cefExtensionValue(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/=/g, '\\=')
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n');
}

/** Only the dictionary's key shape: a key SIEMs would misparse is dropped, not sent. */
const KEY = /^[A-Za-z0-9]{1,63}$/;

function cefLine(
  header: { classId: string; name: string; severity: number; version: string },
  extensions: [string, string | number | null | undefined][],
): string {
  const ext = extensions
    .filter(([k, v]) => KEY.test(k) && v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${cefExtensionValue(String(v))}`)
    .join(' ');
  return [
    'CEF:0',
    'aisoc',
    'aisoc',
    cefHeaderField(header.version),
    cefHeaderField(header.classId),
    cefHeaderField(header.name),
    String(header.severity),
    ext,
  ].join('|');
}

/** Fields of an alert that every CEF line carries, from a full Alert or a review's alert. */
interface CefAlert {
  id: string;
  time: string;
  detector: string;
  kind: string;
  title: string;
  confidence: number;
  severity?: string;
  model?: string | null;
  principal?: string | null;
  sourceAddress?: string | null;
  atlasTechniques?: string[];
  owasp?: string[];
}

function alertLine(a: CefAlert, version: string, incidentId?: string): string {
  return cefLine(
    {
      classId: `aisoc:${a.kind}`,
      name: a.title,
      severity: SEVERITY[a.severity ?? 'medium'] ?? 5,
      version,
    },
    [
      ['rt', Date.parse(a.time)],
      ['externalId', a.id],
      ['cat', a.kind],
      ['src', a.sourceAddress && isIp(a.sourceAddress) ? a.sourceAddress : null],
      ['suser', a.principal],
      ['cs1Label', 'model'],
      ['cs1', a.model],
      ['cs2Label', 'detector'],
      ['cs2', a.detector],
      ['cs3Label', 'atlas'],
      ['cs3', a.atlasTechniques?.join(',')],
      ['cs4Label', 'owasp'],
      ['cs4', a.owasp?.join(',')],
      ['cs5Label', 'incident'],
      ['cs5', incidentId],
      ['cfp1Label', 'confidence'],
      ['cfp1', a.confidence],
      ['msg', a.title],
    ],
  );
}

function isIp(value: string): boolean {
  return /^(\d{1,3}\.){3}\d{1,3}$/.test(value) || /^[0-9a-f:]+$/i.test(value);
}

/** One CEF line for a raised alert (the streaming sink). */
export function alertToCef(alert: Alert, version: string): string {
  return alertLine(alert, version);
}

/** An incident as CEF lines: one per alert, then one for the incident itself. */
export function incidentToCef(r: Review, version: string): string[] {
  const i = r.incident;
  const lines = r.alerts.map((a) =>
    alertLine(
      {
        ...a,
        severity: (a as { severity?: string }).severity ?? i.severity.computed,
        atlasTechniques: r.techniques.map((t) => t.id),
        owasp: r.owasp.map((o) => o.id),
      },
      version,
      i.id,
    ),
  );
  lines.push(
    cefLine(
      {
        classId: 'aisoc:incident',
        name: i.title,
        severity: SEVERITY[i.severity.computed] ?? 5,
        version,
      },
      [
        ['rt', Date.parse(i.lastSeen)],
        ['start', Date.parse(i.firstSeen)],
        ['externalId', i.id],
        ['cat', i.category],
        ['outcome', i.phase],
        ['cnt', r.alerts.length],
        ['suser', i.principals.join(',')],
        ['cs1Label', 'model'],
        ['cs1', i.assets.join(',')],
        ['cs3Label', 'atlas'],
        ['cs3', r.techniques.map((t) => t.id).join(',')],
        ['cs4Label', 'owasp'],
        ['cs4', r.owasp.map((o) => o.id).join(',')],
        ['cs5Label', 'incident'],
        ['cs5', i.id],
        ['msg', i.severity.reasons.join('; ')],
      ],
    ),
  );
  return lines;
}

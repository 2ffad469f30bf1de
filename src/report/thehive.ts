import { createHash } from 'node:crypto';
import type { Alert } from '../core/index.js';
import { reportError, ReportErrorCodes } from './errors.js';
import type { Review } from './review.js';

// TheHive 5 REST API: `POST /api/v1/alert` (InputAlert) and `POST /api/v1/case` (InputCase),
// authenticated with `Authorization: Bearer <API key>`, the organisation in `X-Organisation`.

/** TheHive severities: 1 low, 2 medium, 3 high, 4 critical. */
const SEVERITY: Record<string, number> = { info: 1, low: 1, medium: 2, high: 3, critical: 4 };
const TLP_AMBER = 2;
const PAP_AMBER = 2;

export interface TheHiveObservable {
  dataType: 'ip' | 'other' | 'hash';
  data: string;
  message: string;
  tags: string[];
}

export interface TheHiveAlert {
  type: string;
  source: string;
  sourceRef: string;
  title: string;
  description: string;
  severity: number;
  date: number;
  tags: string[];
  tlp: number;
  pap: number;
  observables: TheHiveObservable[];
}

export interface TheHiveCase {
  title: string;
  description: string;
  severity: number;
  startDate: number;
  tags: string[];
  tlp: number;
  pap: number;
  flag: boolean;
  tasks: { title: string; description: string }[];
}

/** Keys leave aisoc hashed: a SOC can match them without holding a usable credential name. */
function keyObservable(principal: string): TheHiveObservable {
  return {
    dataType: 'hash',
    data: createHash('sha256').update(principal).digest('hex'),
    message: 'SHA-256 of the aisoc principal (API key id)',
    tags: ['aisoc:principal'],
  };
}

function ipObservable(ip: string): TheHiveObservable {
  return { dataType: 'ip', data: ip, message: 'source network', tags: ['aisoc:source'] };
}

function tagsOf(kind: string, atlas: string[], owasp: string[], model: string | null): string[] {
  return [
    'aisoc',
    `aisoc:kind=${kind}`,
    ...(model ? [`aisoc:model=${model}`] : []),
    ...atlas.map((t) => `atlas:${t}`),
    ...owasp.map((o) => `owasp:${o}`),
  ];
}

/** A raised alert as a TheHive alert (the streaming sink); sourceRef is the alert id. */
export function alertToTheHive(alert: Alert): TheHiveAlert {
  return {
    type: alert.kind,
    source: 'aisoc',
    sourceRef: alert.id,
    title: alert.title,
    description: [
      `**${alert.title}**`,
      '',
      `- detector: ${alert.detector}`,
      `- model: ${alert.model ?? '-'}`,
      `- confidence: ${alert.confidence}`,
      `- ATLAS: ${alert.atlasTechniques.join(', ') || '-'}`,
      `- OWASP: ${alert.owasp.join(', ') || '-'}`,
    ].join('\n'),
    severity: SEVERITY[alert.severity] ?? 2,
    date: Date.parse(alert.time),
    tags: tagsOf(alert.kind, alert.atlasTechniques, alert.owasp, alert.model),
    tlp: TLP_AMBER,
    pap: PAP_AMBER,
    observables: [
      ...(alert.principal ? [keyObservable(alert.principal)] : []),
      ...(alert.sourceAddress ? [ipObservable(alert.sourceAddress)] : []),
    ],
  };
}

/** An incident as a TheHive case, with its open tasks as case tasks. */
export function incidentToTheHiveCase(r: Review): TheHiveCase {
  const i = r.incident;
  const atlas = r.techniques.map((t) => t.id);
  const owasp = r.owasp.map((o) => o.id);
  return {
    title: `[${i.id}] ${i.title}`,
    description: [
      `aisoc incident ${i.id} (${i.category}, phase ${i.phase}).`,
      '',
      `Models: ${i.assets.join(', ') || '-'}; principals: ${i.principals.length}; sources: ${i.sources.length}.`,
      `First seen ${i.firstSeen}, last seen ${i.lastSeen}.`,
      '',
      'Severity reasons:',
      ...i.severity.reasons.map((reason) => `- ${reason}`),
      '',
      'Alerts:',
      ...r.alerts.map((a) => `- ${a.time} ${a.detector}: ${a.title}`),
    ].join('\n'),
    severity: SEVERITY[i.severity.override?.severity ?? i.severity.computed] ?? 2,
    startDate: Date.parse(i.firstSeen),
    tags: tagsOf(i.category, atlas, owasp, null),
    tlp: TLP_AMBER,
    pap: PAP_AMBER,
    flag: false,
    tasks: r.tasks
      .filter((t) => t.status !== 'done')
      .map((t) => ({ title: t.title.slice(0, 128), description: `aisoc ${t.kind} task` })),
  };
}

export interface TheHiveTarget {
  url: string;
  apiKey: string;
  organisation?: string;
  timeoutMs?: number;
}

/** POSTs a body to TheHive; resolves with TheHive's answer (its `_id` names what was made). */
export async function postTheHive(
  target: TheHiveTarget,
  kind: 'alert' | 'case',
  body: TheHiveAlert | TheHiveCase,
): Promise<{ status: number; id: string | null }> {
  const url = new URL(`api/v1/${kind}`, target.url.endsWith('/') ? target.url : `${target.url}/`);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${target.apiKey}`,
        ...(target.organisation ? { 'x-organisation': target.organisation } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(target.timeoutMs ?? 10_000),
    });
  } catch (cause) {
    throw reportError(
      ReportErrorCodes.REPORT_SINK_FAILED,
      `TheHive ${url.host} unreachable: ${(cause as Error).message}`,
      { cause },
    );
  }
  const text = await res.text();
  if (res.status < 200 || res.status >= 300)
    throw reportError(
      ReportErrorCodes.REPORT_SINK_FAILED,
      `TheHive ${url.host} answered ${res.status} to ${kind}: ${text.slice(0, 200)}`,
    );
  let id: string | null = null;
  try {
    id = (JSON.parse(text) as { _id?: string })._id ?? null;
  } catch {
    // an answer without a JSON body still means created
  }
  return { status: res.status, id };
}

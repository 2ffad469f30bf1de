import { registryError } from '../errors.js';

/** One object read from an S3 server access log line (the fields aisoc keeps). */
export interface StoreRead {
  source: 's3';
  bucket: string;
  at: string;
  remoteIp: string;
  /** IAM ARN or canonical user id; null for an anonymous request ("-"). */
  requester: string | null;
  requestId: string;
  operation: string;
  key: string;
  status: number;
  errorCode: string | null;
  bytesSent: number;
  userAgent: string | null;
  versionId: string | null;
}

export interface ParsedAccessLog {
  reads: StoreRead[];
  /** Lines of other operations (PUT, LIST, HEAD…), counted, not kept. */
  skipped: number;
}

const READ_OPERATIONS = new Set(['REST.GET.OBJECT', 'REST.COPY.OBJECT_GET']);
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** Splits a line into fields: bare words, "quoted strings" and [bracketed times]. */
function fields(line: string): string[] | string {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') {
      i++;
      continue;
    }
    const close = line[i] === '"' ? '"' : line[i] === '[' ? ']' : null;
    if (close) {
      const end = line.indexOf(close, i + 1);
      if (end < 0)
        return `unterminated ${close === '"' ? 'quoted field' : 'time'} at column ${i + 1}`;
      out.push(line.slice(i + 1, end));
      i = end + 1;
    } else {
      const end = line.indexOf(' ', i);
      out.push(line.slice(i, end < 0 ? line.length : end));
      i = end < 0 ? line.length : end;
    }
  }
  return out;
}

// 06/Feb/2019:00:00:38 +0000
function isoTime(text: string): string | null {
  const m = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  const month = m ? MONTHS.indexOf(m[2]!) : -1;
  if (!m || month < 0) return null;
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  const t = Date.UTC(+m[3]!, month, +m[1]!, +m[4]!, +m[5]!, +m[6]!) - offset;
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

const dash = (v: string | undefined) => (v === undefined || v === '-' ? null : v);
const count = (v: string | undefined) => (v === undefined || v === '-' ? 0 : Number(v));

/**
 * Parses S3 server access log lines (the documented space-separated format; later fields are
 * optional, as older logs lack them). Keeps object reads; every malformed line is named with
 * its number and the whole batch is refused, so that nothing is half-ingested.
 */
export function parseS3AccessLog(text: string): ParsedAccessLog {
  const reads: StoreRead[] = [];
  const problems: string[] = [];
  let skipped = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `line ${index + 1}`;
    const f = fields(line);
    if (typeof f === 'string') return void problems.push(`${where}: ${f}`);
    if (f.length < 18)
      return void problems.push(
        `${where}: ${f.length} fields, an S3 access log line has at least 18`,
      );
    const at = isoTime(f[2]!);
    if (!at)
      return void problems.push(`${where}: time "${f[2]}" is not like 06/Feb/2019:00:00:38 +0000`);
    const status = Number(f[9]);
    const bytesSent = count(f[11]);
    if (!Number.isInteger(status) || !Number.isInteger(bytesSent) || bytesSent < 0)
      return void problems.push(
        `${where}: HTTP status "${f[9]}" or bytes sent "${f[11]}" is not a number`,
      );
    if (!READ_OPERATIONS.has(f[6]!)) return void skipped++;
    reads.push({
      source: 's3',
      bucket: f[1]!,
      at,
      remoteIp: f[3]!,
      requester: dash(f[4]),
      requestId: f[5]!,
      operation: f[6]!,
      key: decodeURIComponent(f[7]!.replace(/\+/g, ' ')),
      status,
      errorCode: dash(f[10]),
      bytesSent,
      userAgent: dash(f[16]),
      versionId: dash(f[17]),
    });
  });
  if (problems.length > 0)
    throw registryError(
      'REGISTRY_ACCESS_LOG_INVALID',
      `${problems.length} line(s) are not S3 server access log lines (nothing was ingested): ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? '; …' : ''}`,
      { details: { problems: problems.slice(0, 100) } },
    );
  return { reads, skipped };
}

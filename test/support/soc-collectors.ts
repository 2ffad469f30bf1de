import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

/** A self-signed certificate for 127.0.0.1 and localhost, made by openssl for one test run. */
export function selfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aisoc-cert-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-days',
      '1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  return {
    key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
  };
}

/** Reads RFC 6587 octet-counted frames (`LEN SP MSG`) off a stream. */
function octetCounted(socket: Socket, onMessage: (m: string) => void): void {
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const space = buffer.indexOf(0x20);
      if (space < 0) return;
      const length = Number(buffer.subarray(0, space).toString('ascii'));
      if (!Number.isInteger(length) || length <= 0) throw new Error('bad syslog frame');
      if (buffer.length < space + 1 + length) return;
      onMessage(buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
      buffer = buffer.subarray(space + 1 + length);
    }
  });
}

/** A real syslog collector on localhost: UDP datagrams, or octet-counted TCP / TLS. */
export async function startSyslogCollector(
  protocol: 'udp' | 'tcp' | 'tls',
  tls?: { key: string; cert: string },
): Promise<{ url: string; messages: string[]; close(): Promise<void> }> {
  const messages: string[] = [];
  if (protocol === 'udp') {
    const socket = createSocket('udp4');
    socket.on('message', (m) => messages.push(m.toString('utf8')));
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    return {
      url: `udp://127.0.0.1:${socket.address().port}`,
      messages,
      close: () => new Promise((r) => socket.close(() => r())),
    };
  }
  const onSocket = (s: Socket) => octetCounted(s, (m) => messages.push(m));
  const server =
    protocol === 'tls' ? createTlsServer({ ...tls! }, onSocket) : createTcpServer(onSocket);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `${protocol}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    messages,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const isInt = (v: unknown, lo: number, hi: number) =>
  Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
const isText = (v: unknown) => typeof v === 'string' && v.length > 0;

/**
 * What TheHive 5 checks of `POST /api/v1/alert` (InputAlert) and `POST /api/v1/case`
 * (InputCase): required fields, value ranges, observable data types. Returns the problems.
 */
export function theHiveProblems(kind: 'alert' | 'case', body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const need =
    kind === 'alert'
      ? ['type', 'source', 'sourceRef', 'title', 'description']
      : ['title', 'description'];
  for (const f of need) if (!isText(body[f])) problems.push(`${f}: required text`);
  if (body.severity !== undefined && !isInt(body.severity, 1, 4)) problems.push('severity: 1..4');
  if (body.tlp !== undefined && !isInt(body.tlp, 0, 4)) problems.push('tlp: 0..4');
  if (body.pap !== undefined && !isInt(body.pap, 0, 3)) problems.push('pap: 0..3');
  const dateField = kind === 'alert' ? 'date' : 'startDate';
  if (body[dateField] !== undefined && !Number.isInteger(body[dateField]))
    problems.push(`${dateField}: epoch ms`);
  if (body.tags !== undefined && !(Array.isArray(body.tags) && body.tags.every(isText)))
    problems.push('tags: array of text');
  if (kind === 'alert' && body.observables !== undefined) {
    const types = ['ip', 'domain', 'url', 'hash', 'other', 'fqdn', 'mail', 'filename'];
    for (const [i, o] of (body.observables as Record<string, unknown>[]).entries())
      if (!types.includes(o.dataType as string) || !isText(o.data))
        problems.push(`observables[${i}]: dataType and data`);
  }
  if (kind === 'case' && body.tasks !== undefined)
    for (const [i, t] of (body.tasks as Record<string, unknown>[]).entries())
      if (!isText(t.title)) problems.push(`tasks[${i}].title: required text`);
  return problems;
}

/** A local stand-in for TheHive 5 that checks the documented request shape and API key. */
export async function startTheHiveStandIn(apiKey: string): Promise<{
  url: string;
  received: { kind: 'alert' | 'case'; body: Record<string, unknown>; organisation?: string }[];
  refused: string[];
  close(): Promise<void>;
}> {
  const received: {
    kind: 'alert' | 'case';
    body: Record<string, unknown>;
    organisation?: string;
  }[] = [];
  const refused: string[] = [];
  let next = 1;
  const server = createHttpServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const kind =
        req.url === '/api/v1/alert' ? 'alert' : req.url === '/api/v1/case' ? 'case' : null;
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        refused.push('authentication');
        return answer(401, { type: 'AuthenticationError', message: 'Authentication failure' });
      }
      if (req.method !== 'POST' || kind === null) return answer(404, { type: 'NotFound' });
      if (!String(req.headers['content-type']).startsWith('application/json'))
        return answer(400, { type: 'BadRequest', message: 'content-type' });
      const body = JSON.parse(text) as Record<string, unknown>;
      const problems = theHiveProblems(kind, body);
      if (problems.length > 0) {
        refused.push(...problems);
        return answer(400, { type: 'AttributeCheckingError', message: problems.join('; ') });
      }
      const org = req.headers['x-organisation'];
      received.push({ kind, body, ...(typeof org === 'string' ? { organisation: org } : {}) });
      answer(201, { _id: `~${next++}`, _type: kind === 'alert' ? 'Alert' : 'Case', ...body });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    refused,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

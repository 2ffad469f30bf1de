import { createSocket } from 'node:dgram';
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as connectTls } from 'node:tls';
import { reportError, ReportErrorCodes } from './errors.js';

// RFC 5424 messages, sent over UDP (RFC 5426, one message per datagram), TCP (RFC 6587
// octet counting) or TLS (RFC 5425, octet counting).

/** Syslog severities (RFC 5424 table 2) for aisoc severities. */
const SYSLOG_SEVERITY: Record<string, number> = {
  critical: 2,
  high: 3,
  medium: 4,
  low: 5,
  info: 6,
};

export const SYSLOG_FACILITIES = {
  auth: 4,
  authpriv: 10,
  audit: 13,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
} as const;
export type SyslogFacility = keyof typeof SYSLOG_FACILITIES;

/** A header field: printable US-ASCII without spaces, at most `max` characters, `-` when empty. */
function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

/** One RFC 5424 message with no structured data; `msg` is UTF-8 text (line breaks kept out). */
export function formatSyslog(entry: {
  facility: SyslogFacility;
  severity: string;
  time: Date;
  msgId: string;
  msg: string;
  host?: string;
  appName?: string;
  procId?: string;
}): string {
  const pri = SYSLOG_FACILITIES[entry.facility] * 8 + (SYSLOG_SEVERITY[entry.severity] ?? 5);
  return [
    `<${pri}>1`,
    entry.time.toISOString(),
    headerField(entry.host ?? hostname(), 255),
    headerField(entry.appName ?? 'aisoc', 48),
    headerField(entry.procId ?? String(process.pid), 128),
    headerField(entry.msgId, 32),
    '-',
    entry.msg.replace(/[\r\n]+/g, ' '),
  ].join(' ');
}

export interface SyslogTarget {
  /** `udp://host:port`, `tcp://host:port` or `tls://host:port`. */
  url: string;
  /** PEM CA certificates to trust for `tls://` (default: Node's bundled roots). */
  ca?: string;
  timeoutMs?: number;
}

const MAX_UDP_BYTES = 65_000;

/** Parses a syslog URL, or throws REPORT_SINK_INVALID naming what is wrong. */
export function parseSyslogUrl(url: string): {
  protocol: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
} {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw reportError(ReportErrorCodes.REPORT_SINK_INVALID, `syslog url "${url}" is not a URL`);
  }
  const protocol = parsed.protocol.replace(/:$/, '');
  if (protocol !== 'udp' && protocol !== 'tcp' && protocol !== 'tls')
    throw reportError(
      ReportErrorCodes.REPORT_SINK_INVALID,
      `syslog url "${url}": scheme must be udp, tcp or tls`,
    );
  const port = Number(parsed.port || (protocol === 'tls' ? 6514 : 514));
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (host === '')
    throw reportError(ReportErrorCodes.REPORT_SINK_INVALID, `syslog url "${url}" has no host`);
  return { protocol, host, port };
}

/** Sends messages to a collector; resolves once they are handed to the kernel (UDP) or written. */
export async function sendSyslog(target: SyslogTarget, messages: string[]): Promise<void> {
  const { protocol, host, port } = parseSyslogUrl(target.url);
  const timeoutMs = target.timeoutMs ?? 5000;
  if (messages.length === 0) return;
  if (protocol === 'udp') return sendUdp(host, port, messages);
  const framed = Buffer.concat(
    messages.map((m) => {
      const bytes = Buffer.from(m, 'utf8');
      return Buffer.concat([Buffer.from(`${bytes.length} `, 'ascii'), bytes]);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const fail = (cause: Error) => {
      socket.destroy();
      reject(
        reportError(
          ReportErrorCodes.REPORT_SINK_FAILED,
          `syslog ${protocol}://${host}:${port}: ${cause.message}`,
          { cause },
        ),
      );
    };
    const ready = () => socket.end(framed, () => resolve());
    const socket: Socket =
      protocol === 'tls'
        ? connectTls(
            {
              host,
              port,
              // SNI carries host names only (RFC 6066); an IP is still checked against the cert.
              ...(isIP(host) === 0 ? { servername: host } : {}),
              ...(target.ca ? { ca: target.ca } : {}),
            },
            ready,
          )
        : connectTcp({ host, port }, ready);
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on('error', fail);
  });
}

async function sendUdp(host: string, port: number, messages: string[]): Promise<void> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  try {
    for (const m of messages) {
      const bytes = Buffer.from(m, 'utf8').subarray(0, MAX_UDP_BYTES);
      await new Promise<void>((resolve, reject) =>
        socket.send(bytes, port, host, (e) =>
          e
            ? reject(
                reportError(
                  ReportErrorCodes.REPORT_SINK_FAILED,
                  `syslog udp://${host}:${port}: ${e.message}`,
                  { cause: e },
                ),
              )
            : resolve(),
        ),
      );
    }
  } finally {
    socket.close();
  }
}

import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

// The console talks only to its own origin; no inline script, no framing (clickjacking).
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const API_PREFIXES = ['/api/', '/healthz', '/readyz', '/metrics'];

/** Where the built console is: `web/dist` under the package root, when it was built. */
export function consoleDir(root: string): string | undefined {
  const dir = join(root, 'web', 'dist');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

/**
 * Serves the console's static files in front of the admin API: API paths always go to the
 * API; any other GET is a file of `dir`, or index.html for the single-page app's own paths.
 * Without a built console every request goes to the API as before.
 */
export function withConsole(
  api: (req: Request) => Response | Promise<Response>,
  dir: string | undefined,
): (req: Request) => Response | Promise<Response> {
  if (!dir) return api;
  const index = readFileSync(join(dir, 'index.html'));
  return (req) => {
    const path = new URL(req.url).pathname;
    if (
      (req.method !== 'GET' && req.method !== 'HEAD') ||
      API_PREFIXES.some((p) => path.startsWith(p))
    )
      return api(req);
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return api(req);
    }
    const file = normalize(join(dir, decoded));
    // A path that climbs out of the folder is not a file of the console.
    if (file.startsWith(dir + sep) && extname(file) && isFile(file)) {
      const hashed = decoded.startsWith('/assets/');
      return new Response(req.method === 'HEAD' ? null : readFileSync(file), {
        headers: {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
          ...SECURITY_HEADERS,
        },
      });
    }
    if (extname(decoded)) return api(req); // a missing file is a 404, not the app
    return new Response(req.method === 'HEAD' ? null : index, {
      headers: {
        'content-type': TYPES['.html']!,
        'cache-control': 'no-cache',
        ...SECURITY_HEADERS,
      },
    });
  };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

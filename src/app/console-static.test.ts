import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { consoleDir, withConsole } from './console-static.js';

describe('the console in front of the admin API', () => {
  const root = mkdtempSync(join(tmpdir(), 'aisoc-console-static-'));
  mkdirSync(join(root, 'web', 'dist', 'assets'), { recursive: true });
  writeFileSync(join(root, 'web', 'dist', 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(root, 'web', 'dist', 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(join(root, 'secret.txt'), 'not for the browser');
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const api = (req: Request) => new Response(`api ${new URL(req.url).pathname}`, { status: 404 });
  const serve = withConsole(api, consoleDir(root));
  const get = async (path: string, method = 'GET') =>
    serve(new Request(`http://x${path}`, { method }));

  it('serves index.html at / and at the app paths, with a CSP', async () => {
    for (const path of ['/', '/incidents/inc_1', '/models/breast-cancer']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<title>console</title>');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
  });

  it('serves hashed assets as immutable with their type', async () => {
    const res = await get('/assets/app-1234.js');
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('cache-control')).toContain('immutable');
  });

  it('leaves API paths, writes and missing files to the API', async () => {
    expect(await (await get('/api/v1/incidents')).text()).toBe('api /api/v1/incidents');
    expect(await (await get('/healthz')).text()).toBe('api /healthz');
    expect(await (await get('/incidents', 'POST')).text()).toBe('api /incidents');
    expect((await get('/assets/missing.js')).status).toBe(404);
  });

  it('serves nothing outside its folder', async () => {
    for (const path of ['/../../secret.txt', '/%2e%2e/%2e%2e/secret.txt', '/%E0%A4%A']) {
      const res = await get(path);
      expect(await res.text()).not.toContain('not for the browser');
    }
  });

  it('is the bare API when the console was not built', () => {
    expect(consoleDir(join(root, 'nowhere'))).toBeUndefined();
    expect(withConsole(api, undefined)).toBe(api);
  });
});

import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { AppError } from '../core/index.js';
import { createAdminApi } from './admin-api.js';
import type { AdminServices } from './services.js';

const TOKEN = 'admin-token-for-error-tests';

function appThrowing(error: unknown) {
  const logged: unknown[] = [];
  const app = createAdminApi({
    services: {} as AdminServices,
    token: TOKEN,
    onError: (e) => logged.push(e),
    routes: [
      () =>
        new Hono().get('/api/v1/boom', () => {
          throw error;
        }),
    ],
  });
  const call = async () => {
    const res = await app.request('/api/v1/boom', {
      headers: { authorization: `Bearer ${TOKEN}`, 'x-request-id': 'req-42' },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { call, logged };
}

describe('admin API server errors', () => {
  it("carries a coded server error's code and message to the client, with the request id", async () => {
    const { call, logged } = appThrowing(
      new AppError('REGISTRY_PROBE_FAILED', 'probe p1: the gateway answered 502', { status: 502 }),
    );
    const { status, body } = await call();
    expect(status).toBe(502);
    expect(body).toMatchObject({
      code: 'REGISTRY_PROBE_FAILED',
      message: 'probe p1: the gateway answered 502 (request req-42)',
    });
    expect(logged).toHaveLength(1);
  });

  it('never sends the message or stack of an unexpected error', async () => {
    const { call } = appThrowing(new TypeError('cannot read /secret/path of undefined'));
    const { status, body } = await call();
    expect(status).toBe(500);
    expect(body.code).toBe('INTERNAL');
    expect(String(body.message)).toBe(
      'internal error (request req-42); the cause is in the server log',
    );
    expect(JSON.stringify(body)).not.toMatch(/secret|TypeError|at /);
  });
});

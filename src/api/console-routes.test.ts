import { describe, expect, it } from 'vitest';
import { createTokenAuthenticator } from '../identity/index.js';
import {
  createAdminApi,
  createConsoleRoutes,
  type AdminServices,
  type ConsoleServices,
  type LiveEvent,
} from './index.js';

const TOKEN = 'console-admin-token-0123';

function consoleApi() {
  const listeners = new Set<(e: LiveEvent) => void>();
  const started: unknown[] = [];
  const services: ConsoleServices = {
    overview: async () => ({ openIncidents: 0 }),
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    drills: {
      list: async () => ({ history: [], running: [] }),
      start: async (input) => {
        started.push(input);
        return { id: 'drill-1' };
      },
    },
  };
  const viewer = { name: 'vic', kind: 'user', role: 'viewer' } as const;
  const admin = createTokenAuthenticator(TOKEN);
  const app = createAdminApi({
    services: {} as AdminServices,
    token: TOKEN,
    identities: {
      authenticate: async (t: string) => (t === 'viewer-token' ? viewer : admin.authenticate(t)),
    } as never,
    routes: [(actor) => createConsoleRoutes(services, actor)],
  });
  return { app, listeners, started };
}

const auth = (token = TOKEN) => ({ authorization: `Bearer ${token}` });

describe('the console routes', () => {
  it('streams live events as server-sent events and unsubscribes when the reader leaves', async () => {
    const { app, listeners } = consoleApi();
    const abort = new AbortController();
    const res = await app.request('/api/v1/live', { headers: auth(), signal: abort.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: hello')) text += (await reader.read()).value;
    expect(listeners.size).toBe(1);
    for (const l of listeners) l({ type: 'alert', data: { id: 'alr_1' } });
    while (!text.includes('alr_1')) text += (await reader.read()).value;
    expect(text).toContain('event: alert\ndata: {"id":"alr_1"}');
    await reader.cancel();
    abort.abort();
    await expect.poll(() => listeners.size).toBe(0);
  });

  it('refuses the stream without a token', async () => {
    expect((await consoleApi().app.request('/api/v1/live')).status).toBe(401);
  });

  it('lets only the admin role run a drill, and checks the body', async () => {
    const { app, started } = consoleApi();
    const post = (body: unknown, token?: string) =>
      app.request('/api/v1/drills', {
        method: 'POST',
        headers: { ...auth(token), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const refused = await post({ scenario: 'extraction' }, 'viewer-token');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ details: { needed: 'drills.run' } });
    expect((await post({ scenario: 'extraction', budget: -1 })).status).toBe(400);
    expect((await post({ scenario: 'extraction', attack: 'jacobian' })).status).toBe(202);
    expect(started).toEqual([{ scenario: 'extraction', attack: 'jacobian' }]);
    expect((await app.request('/api/v1/drills', { headers: auth('viewer-token') })).status).toBe(
      200,
    );
  });
});

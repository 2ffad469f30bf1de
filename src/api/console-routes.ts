import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { AppError } from '../core/index.js';

/** One thing that happened, as the console's live stream sends it. */
export interface LiveEvent {
  /** `incident`, `alert`, `action` or `drill`. */
  type: string;
  data: unknown;
}

/** What the console routes need; the composition root provides it (console-wiring.ts). */
export interface ConsoleServices {
  /** Everything the overview page shows, in one answer. */
  overview(): Promise<unknown>;
  /** Calls `listener` for every live event until the returned function is called. */
  subscribe(listener: (event: LiveEvent) => void): () => void;
  drills: {
    /** Past scorecards (newest last) and drills running now. */
    list(): Promise<{ history: unknown[]; running: unknown[] }>;
    /** Starts a drill in the background; its progress and scorecard come as `drill` events. */
    start(input: DrillRequest, actor: string): Promise<{ id: string }>;
  };
}

export const ConsoleBodies = {
  drill: z
    .object({
      scenario: z.string().min(1).max(64),
      model: z.string().min(1).max(128).optional(),
      /** One of the scenario's attacks (docs/drills.md); default its first. */
      attack: z.string().min(1).max(128).optional(),
      budget: z.number().int().positive().max(100_000).optional(),
    })
    .strict(),
};
export type DrillRequest = z.infer<typeof ConsoleBodies.drill>;

// A comment line every 15 s keeps proxies from closing an idle stream.
const KEEPALIVE_MS = 15_000;

async function drillBody(c: Context): Promise<DrillRequest> {
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? ''))
    throw new AppError('API_BODY_INVALID', 'content-type must be application/json', {
      status: 415,
    });
  const parsed = ConsoleBodies.drill.safeParse(await c.req.json().catch(() => undefined));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${['body', ...i.path].join('.')}: ${i.message}`);
  throw new AppError('VALIDATION_FAILED', problems.join('; '), { status: 400, details: problems });
}

/**
 * The routes the console needs beyond the domain routes: `GET /api/v1/console/overview`,
 * `GET /api/v1/live` (server-sent events, one stream per tab instead of polling) and
 * `GET|POST /api/v1/drills`.
 */
export function createConsoleRoutes(services: ConsoleServices, actor: (c: Context) => string) {
  const app = new Hono();
  app.get('/api/v1/console/overview', async (c) => c.json(await services.overview()));
  app.get('/api/v1/live', (c) =>
    streamSSE(c, async (sse) => {
      let id = 0;
      const queue: LiveEvent[] = [];
      let wake: (() => void) | undefined;
      const stop = services.subscribe((event) => {
        // A slow reader loses the oldest events rather than growing memory without bound.
        if (queue.length >= 1000) queue.shift();
        queue.push(event);
        wake?.();
      });
      let open = true;
      sse.onAbort(() => {
        open = false;
        wake?.();
      });
      await sse.writeSSE({ event: 'hello', data: '{}' });
      try {
        while (open) {
          const next = queue.shift();
          if (next) {
            await sse.writeSSE({
              event: next.type,
              data: JSON.stringify(next.data),
              id: `${++id}`,
            });
            continue;
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, KEEPALIVE_MS);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
          if (open && queue.length === 0) await sse.write(': keepalive\n\n');
        }
      } finally {
        stop();
      }
    }),
  );
  app.get('/api/v1/drills', async (c) => c.json(await services.drills.list()));
  app.post('/api/v1/drills', async (c) =>
    c.json(await services.drills.start(await drillBody(c), actor(c)), 202),
  );
  return app;
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mountAllRoutes, openApiDocumentOfAllRoutes, ROUTE_PERMISSIONS } from './index.js';

const TOKEN = 'unused-token-for-the-route-table';

describe('the OpenAPI document', () => {
  const doc = openApiDocumentOfAllRoutes();
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );

  it('is OpenAPI 3.1 and names every admin route, each once', () => {
    expect(doc.openapi).toBe('3.1.0');
    const routes = mountAllRoutes()
      .routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/'))
      .map((r) => `${r.method} ${r.path}`);
    expect(new Set(operations)).toEqual(new Set(routes));
    expect(operations.length).toBe(new Set(operations).size);
    expect(new Set(operations)).toEqual(new Set(Object.keys(ROUTE_PERMISSIONS)));
  });

  it('carries the request body schema from the route zod schema, and the permission', () => {
    const dispose = doc.paths['/api/v1/incidents/{id}/dispose']!.post as Record<string, any>;
    const schema = dispose.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(['falsePositive', 'reason']);
    expect(schema.properties.forHours).toMatchObject({ type: 'number', maximum: 8760 });
    expect(schema.additionalProperties).toBe(false);
    expect(dispose['x-aisoc-permission']).toBe('actions.write');
    expect(dispose.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
  });

  it('is served at GET /api/v1/openapi.json with the routes as mounted, behind the token', async () => {
    const app = mountAllRoutes();
    expect((await app.request('/api/v1/openapi.json')).status).toBe(401);
    const served = await app.request('/api/v1/openapi.json', {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('matches web/openapi.json, from which the console client is typed (npm run build rewrites it)', () => {
    const file = join(import.meta.dirname, '..', '..', 'web', 'openapi.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { serviceUrls } from './services.js';

/**
 * Throw-away PostgreSQL schemas for one test file: `name(suffix)` gives a schema unique to
 * this run, `dropAll()` drops every one handed out (call it in afterAll).
 */
export function createTestSchemas(prefix: string): {
  name(suffix: string): string;
  dropAll(): Promise<void>;
} {
  const run = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const schemas: string[] = [];
  return {
    name(suffix) {
      const name = `${run}_${suffix}`;
      schemas.push(name);
      return name;
    },
    async dropAll() {
      if (schemas.length === 0) return;
      const client = new pg.Client({ connectionString: serviceUrls.postgres });
      await client.connect();
      try {
        for (const s of schemas.splice(0))
          await client.query(`drop schema if exists "${s}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

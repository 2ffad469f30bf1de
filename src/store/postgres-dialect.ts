import pg from 'pg';
import { PostgresDialect } from 'kysely';
import { toStoreError } from './errors.js';

// The only file that imports pg.

export interface PostgresOptions {
  url: string;
  /** A plain identifier (checked by the caller); created if missing and made the search_path. */
  schema?: string | undefined;
  poolSize: number;
  connectTimeoutMs: number;
}

const INT8_OID = 20;

// int8 (bigint, count(*)) arrives as a string by default because it can exceed 2^53. Our
// int8 columns are sequence numbers and tree sizes, far below that, so parse them to numbers;
// the parser is set per pool, not on pg's process-wide registry.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** Creates the pool, makes sure the server answers and the schema exists. */
export async function createPostgresDialect(options: PostgresOptions): Promise<PostgresDialect> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    types,
    // A startup parameter, so every connection of the pool has it before its first query.
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client that loses its server emits 'error' on the pool; pg drops that client by
  // itself, and an unhandled 'error' event would kill the process. The next query that needs
  // the server fails and is mapped to STORE_UNAVAILABLE.
  pool.on('error', () => undefined);
  // The same for a client that is checked out (pg-pool detaches its own listener then): when
  // the server kills the connection mid-query, pg rejects the query (mapped to
  // STORE_UNAVAILABLE) and also emits 'error', which without a listener would crash aisoc.
  // pg-pool drops the dead client when Kysely releases it.
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    if (options.schema) await createSchema(pool, options.schema);
    else await pool.query('select 1');
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw toStoreError(e);
  }
  return new PostgresDialect({ pool });
}

async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`create schema if not exists "${schema}"`);
  } catch (e) {
    // Two processes creating the same schema at once: IF NOT EXISTS is not atomic in
    // PostgreSQL, the loser gets a unique violation on pg_namespace; the schema exists.
    const code = (e as { code?: string }).code;
    if (code !== '23505' && code !== '42P06') throw e;
  }
}

import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { canonicalJson } from '../core/index.js';
import { decodeJsonColumn } from './row-codec.js';
import type { ApiKeysTable, Database } from './schema.js';

/** An API key as stored: the secret itself is never kept, only its SHA-256 (`keyHash`). */
export interface ApiKeyRecord {
  id: string;
  principal: string;
  keyHash: string;
  prefix: string;
  description: string | null;
  /** Model ids the key may call; null means every model. */
  models: readonly string[] | null;
  ratePerSecond: number | null;
  burst: number | null;
  createdAt: string;
}

export interface KeyRepository {
  /** Fails with STORE_CONSTRAINT when the id or the hash already exists. */
  insert(key: ApiKeyRecord): Promise<void>;
  findByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  findById(id: string): Promise<ApiKeyRecord | undefined>;
  /** Every key, oldest first. */
  list(): Promise<ApiKeyRecord[]>;
}

const ModelsSchema = z.array(z.string()).nullable();

function toRecord(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  const models =
    row.models === null
      ? null
      : decodeJsonColumn(ModelsSchema, row.models, {
          table: 'api_keys',
          id: row.id,
          column: 'models',
        });
  return {
    id: row.id,
    principal: row.principal,
    keyHash: row.key_hash,
    prefix: row.prefix,
    description: row.description,
    models,
    ratePerSecond: row.rate_per_second,
    burst: row.burst,
    createdAt: row.created_at,
  };
}

function toRow(key: ApiKeyRecord): ApiKeysTable {
  return {
    id: key.id,
    principal: key.principal,
    key_hash: key.keyHash,
    prefix: key.prefix,
    description: key.description,
    models: key.models === null ? null : canonicalJson(key.models),
    rate_per_second: key.ratePerSecond,
    burst: key.burst,
    created_at: key.createdAt,
  };
}

/** API keys over either engine. */
export function createKeyRepository(db: Kysely<Database>): KeyRepository {
  const select = () => db.selectFrom('api_keys').selectAll();
  return {
    async insert(key) {
      await db.insertInto('api_keys').values(toRow(key)).execute();
    },
    async findByHash(keyHash) {
      const row = await select().where('key_hash', '=', keyHash).executeTakeFirst();
      return row && toRecord(row);
    },
    async findById(id) {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async list() {
      const rows = await select().orderBy('created_at').orderBy('id').execute();
      return rows.map(toRecord);
    },
  };
}

import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import { isRole, type Role } from './roles.js';

/** The identities table (created by the store's `0004_identities` migration). */
export type IdentityTables = {
  identities: {
    name: string;
    kind: string;
    role: string;
    token_hash: string;
    token_prefix: string;
    state: string;
    created_at: string;
    created_by: string;
    rotated_at: string | null;
    revoked_at: string | null;
  };
};

export const IDENTITY_KINDS = ['user', 'service'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

/** A user or service account as stored: never the token, only its SHA-256. */
export interface IdentityRecord {
  name: string;
  kind: IdentityKind;
  role: Role;
  tokenHash: string;
  tokenPrefix: string;
  state: 'active' | 'revoked';
  createdAt: string;
  createdBy: string;
  rotatedAt: string | null;
  revokedAt: string | null;
}

type Row = IdentityTables['identities'];

function toRecord(row: Row): IdentityRecord {
  // A row another version wrote with a role we do not know grants nothing.
  return {
    name: row.name,
    kind: row.kind === 'service' ? 'service' : 'user',
    role: isRole(row.role) ? row.role : 'viewer',
    tokenHash: row.token_hash,
    tokenPrefix: row.token_prefix,
    state: row.state === 'active' && isRole(row.role) ? 'active' : 'revoked',
    createdAt: row.created_at,
    createdBy: row.created_by,
    rotatedAt: row.rotated_at,
    revokedAt: row.revoked_at,
  };
}

/** What createIdentityRepository returns. */
export interface IdentityRepository {
  /** Fails with STORE_CONSTRAINT when the name (or the token hash) already exists. */
  insert(r: IdentityRecord): Promise<void>;
  findByName(name: string): Promise<IdentityRecord | undefined>;
  findByHash(tokenHash: string): Promise<IdentityRecord | undefined>;
  list(): Promise<IdentityRecord[]>;
  /** Replaces the token of an active identity; false when none is active by that name. */
  setToken(name: string, hash: string, prefix: string, at: string): Promise<boolean>;
  /** Revokes and clears the hash (to a value no token hashes to); false when already revoked. */
  revoke(name: string, at: string): Promise<boolean>;
}

/** Users and service accounts over either engine. */
export function createIdentityRepository(db: Kysely<Database>): IdentityRepository {
  const q = db as unknown as Kysely<IdentityTables>;
  const select = () => q.selectFrom('identities').selectAll();
  return {
    /** Fails with STORE_CONSTRAINT when the name (or the token hash) already exists. */
    async insert(r: IdentityRecord): Promise<void> {
      await q
        .insertInto('identities')
        .values({
          name: r.name,
          kind: r.kind,
          role: r.role,
          token_hash: r.tokenHash,
          token_prefix: r.tokenPrefix,
          state: r.state,
          created_at: r.createdAt,
          created_by: r.createdBy,
          rotated_at: r.rotatedAt,
          revoked_at: r.revokedAt,
        })
        .execute();
    },
    async findByName(name: string): Promise<IdentityRecord | undefined> {
      const row = await select().where('name', '=', name).executeTakeFirst();
      return row && toRecord(row);
    },
    async findByHash(tokenHash: string): Promise<IdentityRecord | undefined> {
      const row = await select().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row && toRecord(row);
    },
    async list(): Promise<IdentityRecord[]> {
      return (await select().orderBy('created_at').orderBy('name').execute()).map(toRecord);
    },
    /** Replaces the token of an active identity; false when none is active by that name. */
    async setToken(name: string, hash: string, prefix: string, at: string): Promise<boolean> {
      const result = await q
        .updateTable('identities')
        .set({ token_hash: hash, token_prefix: prefix, rotated_at: at })
        .where('name', '=', name)
        .where('state', '=', 'active')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    /** Revokes and clears the hash (to a value no token hashes to); false when already revoked. */
    async revoke(name: string, at: string): Promise<boolean> {
      const result = await q
        .updateTable('identities')
        .set({ state: 'revoked', token_hash: `revoked:${name}`, revoked_at: at })
        .where('name', '=', name)
        .where('state', '=', 'active')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import { isAppError, systemClock, type Clock } from '../core/index.js';
import { identityError, IdentityErrorCodes } from './errors.js';
import {
  createIdentityRepository,
  type IdentityKind,
  type IdentityRecord,
} from './identity-repository.js';
import { isRole, permissionsOf, ROLES, type Permission, type Role } from './roles.js';
import { generateUserToken, hashToken, sameSecret, tokenPrefix } from './tokens.js';

/** Who is calling: the bootstrap admin (the admin token), a named user or a service account. */
export interface Identity {
  name: string;
  kind: 'bootstrap' | IdentityKind | 'oidc';
  role: Role;
}

/** An identity as the API lists it: never the token, never its hash. */
export type IdentityView = Omit<IdentityRecord, 'tokenHash'>;

/** The name of the identity that holds the admin token file. */
export const BOOTSTRAP_ADMIN = 'admin';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
// Names the system itself acts under; a user named so could pass for it in the records.
const RESERVED = new Set([BOOTSTRAP_ADMIN, 'admin-api', 'system', 'root']);

export interface IdentityServiceOptions {
  db: Kysely<Database>;
  /** The bootstrap admin token (from admin.token). */
  adminToken: string;
  /** Asked, in order, about a token that is neither the admin token nor a user token (OIDC). */
  external?: readonly { authenticate(token: string): Promise<Identity | undefined> }[];
  clock?: Clock;
}

/** What `GET /api/v1/whoami` answers. */
export function describeIdentity(identity: Identity): Identity & {
  permissions: readonly Permission[];
} {
  return { ...identity, permissions: permissionsOf(identity.role) };
}

/** Authenticates only the admin token: for a server (or a test) that keeps no users. */
export function createTokenAuthenticator(adminToken: string) {
  return {
    authenticate: (token: string): Promise<Identity | undefined> =>
      Promise.resolve(
        token.length > 0 && sameSecret(token, adminToken)
          ? { name: BOOTSTRAP_ADMIN, kind: 'bootstrap', role: 'admin' }
          : undefined,
      ),
  };
}

/** What createIdentityService returns. */
export interface IdentityService {
  /** The identity a bearer token stands for, or undefined (unknown or revoked token). */
  authenticate(token: string): Promise<Identity | undefined>;
  /** Adds a user (or a service account); the token is returned here and never again. */
  add(
    input: {
      name: string;
      role: string;
      service?: boolean;
    },
    by: string,
  ): Promise<{
    identity: IdentityView;
    token: string;
  }>;
  list(): Promise<IdentityView[]>;
  get(name: string): Promise<IdentityView>;
  /** A new token for an active identity; the old one stops working at once. */
  rotate(name: string): Promise<{
    identity: IdentityView;
    token: string;
  }>;
  /** Revokes an identity for good: its token stops working, its name is not reused. */
  revoke(name: string): Promise<IdentityView>;
}

/** Named users and service accounts with hashed tokens, beside the bootstrap admin token. */
export function createIdentityService(options: IdentityServiceOptions): IdentityService {
  const repo = createIdentityRepository(options.db);
  const bootstrap = createTokenAuthenticator(options.adminToken);
  const clock = options.clock ?? systemClock;
  const now = () => new Date(clock.now()).toISOString();
  const view = ({ tokenHash: _hash, ...rest }: IdentityRecord): IdentityView => rest;
  const existing = async (name: string) => {
    const record = await repo.findByName(name);
    if (!record)
      throw identityError(
        IdentityErrorCodes.IDENTITY_UNKNOWN,
        `no user or service account "${name.slice(0, 64)}"`,
      );
    return record;
  };

  return {
    /** The identity a bearer token stands for, or undefined (unknown or revoked token). */
    async authenticate(token: string): Promise<Identity | undefined> {
      const admin = await bootstrap.authenticate(token);
      if (admin || token.length === 0) return admin;
      const record = await repo.findByHash(hashToken(token));
      if (record?.state === 'active')
        return { name: record.name, kind: record.kind, role: record.role };
      for (const other of options.external ?? []) {
        const identity = await other.authenticate(token);
        if (identity) return identity;
      }
      return undefined;
    },

    /** Adds a user (or a service account); the token is returned here and never again. */
    async add(
      input: { name: string; role: string; service?: boolean },
      by: string,
    ): Promise<{ identity: IdentityView; token: string }> {
      checkName(input.name);
      if (!isRole(input.role))
        throw identityError(
          IdentityErrorCodes.IDENTITY_ROLE_INVALID,
          `role must be one of ${ROLES.join(', ')}`,
        );
      if (await repo.findByName(input.name)) throw taken(input.name);
      const token = generateUserToken();
      const record: IdentityRecord = {
        name: input.name,
        kind: input.service ? 'service' : 'user',
        role: input.role,
        tokenHash: hashToken(token),
        tokenPrefix: tokenPrefix(token),
        state: 'active',
        createdAt: now(),
        createdBy: by,
        rotatedAt: null,
        revokedAt: null,
      };
      try {
        await repo.insert(record);
      } catch (error) {
        // Two concurrent adds of one name: the database keeps the first.
        if (isAppError(error) && error.code === 'STORE_CONSTRAINT') throw taken(input.name);
        throw error;
      }
      return { identity: view(record), token };
    },

    async list(): Promise<IdentityView[]> {
      return (await repo.list()).map(view);
    },

    async get(name: string): Promise<IdentityView> {
      return view(await existing(name));
    },

    /** A new token for an active identity; the old one stops working at once. */
    async rotate(name: string): Promise<{ identity: IdentityView; token: string }> {
      const record = await existing(name);
      const token = generateUserToken();
      if (!(await repo.setToken(name, hashToken(token), tokenPrefix(token), now())))
        throw revoked(record.name);
      return { identity: view(await existing(name)), token };
    },

    /** Revokes an identity for good: its token stops working, its name is not reused. */
    async revoke(name: string): Promise<IdentityView> {
      const record = await existing(name);
      if (!(await repo.revoke(name, now()))) throw revoked(record.name);
      return view(await existing(name));
    },
  };
}

function checkName(name: string): void {
  if (!NAME.test(name) || RESERVED.has(name.toLowerCase()))
    throw identityError(
      IdentityErrorCodes.IDENTITY_NAME_INVALID,
      RESERVED.has(name.toLowerCase())
        ? `"${name}" is reserved for aisoc itself; choose another name`
        : 'a name is 1 to 64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit',
    );
}

const taken = (name: string) =>
  identityError(
    IdentityErrorCodes.IDENTITY_NAME_TAKEN,
    `"${name}" already exists (names are never reused)`,
  );

const revoked = (name: string) =>
  identityError(
    IdentityErrorCodes.IDENTITY_REVOKED,
    `"${name}" is revoked; add a new identity instead`,
  );

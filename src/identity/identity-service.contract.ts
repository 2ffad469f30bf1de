import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../store/index.js';
import { createIdentityService, type IdentityService } from './index.js';

const ADMIN = 'the-bootstrap-admin-token';

/** One body of tests for users and service accounts, run over SQLite and PostgreSQL. */
export function runIdentityContract(open: () => Promise<Store>): void {
  let store: Store;
  let ids: IdentityService;
  beforeAll(async () => {
    store = await open();
    await store.migrate();
    ids = createIdentityService({ db: store.db, adminToken: ADMIN });
  });
  afterAll(async () => store.close());

  it('authenticates the admin token as the bootstrap admin and nothing else', async () => {
    expect(await ids.authenticate(ADMIN)).toEqual({
      name: 'admin',
      kind: 'bootstrap',
      role: 'admin',
    });
    expect(await ids.authenticate('')).toBeUndefined();
    expect(await ids.authenticate(`${ADMIN}x`)).toBeUndefined();
  });

  it('adds a user whose token is shown once and stored only as its SHA-256', async () => {
    const { identity, token } = await ids.add({ name: 'ann', role: 'responder' }, 'admin');
    expect(identity).toMatchObject({
      name: 'ann',
      kind: 'user',
      role: 'responder',
      state: 'active',
    });
    expect(identity).not.toHaveProperty('tokenHash');
    expect(await ids.authenticate(token)).toEqual({ name: 'ann', kind: 'user', role: 'responder' });
    const rows = await sql<Record<string, unknown>>`select * from identities`.execute(store.db);
    expect(JSON.stringify(rows.rows)).not.toContain(token);
    expect(rows.rows[0]).toMatchObject({ token_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('keeps one of two concurrent adds of a name and refuses the other', async () => {
    const results = await Promise.allSettled([
      ids.add({ name: 'bot', role: 'viewer', service: true }, 'admin'),
      ids.add({ name: 'bot', role: 'admin', service: true }, 'admin'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { code: 'IDENTITY_NAME_TAKEN', status: 409 },
    });
    expect((await ids.list()).filter((u) => u.name === 'bot')).toHaveLength(1);
  });

  it('rotates: the old token stops at once, the new one works', async () => {
    const { token: old } = await ids.add({ name: 'cy', role: 'approver' }, 'admin');
    const { token, identity } = await ids.rotate('cy');
    expect(identity.rotatedAt).not.toBeNull();
    expect(await ids.authenticate(old)).toBeUndefined();
    expect((await ids.authenticate(token))?.name).toBe('cy');
  });

  it('revokes for good: no token, no rotation, no reuse of the name', async () => {
    const { token } = await ids.add({ name: 'dee', role: 'viewer' }, 'admin');
    expect(await ids.revoke('dee')).toMatchObject({ state: 'revoked' });
    expect(await ids.authenticate(token)).toBeUndefined();
    await expect(ids.rotate('dee')).rejects.toMatchObject({ code: 'IDENTITY_REVOKED' });
    await expect(ids.revoke('dee')).rejects.toMatchObject({ code: 'IDENTITY_REVOKED' });
    await expect(ids.add({ name: 'dee', role: 'viewer' }, 'admin')).rejects.toMatchObject({
      code: 'IDENTITY_NAME_TAKEN',
    });
    await expect(ids.rotate('nobody')).rejects.toMatchObject({ code: 'IDENTITY_UNKNOWN' });
  });

  it('refuses bad names and roles, and stores nothing for them', async () => {
    const before = (await ids.list()).length;
    for (const name of ['', 'Admin', 'system', 'a b', 'x'.repeat(65), '-lead', 'playbook:x'])
      await expect(ids.add({ name, role: 'viewer' }, 'admin')).rejects.toMatchObject({
        code: 'IDENTITY_NAME_INVALID',
      });
    await expect(ids.add({ name: 'eve', role: 'root' }, 'admin')).rejects.toMatchObject({
      code: 'IDENTITY_ROLE_INVALID',
    });
    expect(await ids.list()).toHaveLength(before);
  });
}

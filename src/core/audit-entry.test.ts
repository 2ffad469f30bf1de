import { describe, expect, it } from 'vitest';
import { AuditEntrySchema } from './audit-entry.js';

const at = '2026-12-07T18:00:00.000Z';

describe('AuditEntrySchema', () => {
  it('accepts an entry of a known type, keeping fields it does not list', () => {
    const entry = {
      type: 'respond.action.lifted',
      actor: 'admin',
      at,
      actionId: 'act_1',
      action: { kind: 'suspend_key', keyId: 'key_1' },
      note: 'written by a later version',
    };
    expect(AuditEntrySchema.parse(entry)).toEqual(entry);
  });

  it('accepts every incident timeline kind and every registry state change', () => {
    for (const type of ['respond.incident.opened', 'respond.incident.approval_approved']) {
      expect(
        AuditEntrySchema.safeParse({ type, actor: 'respond', at, incidentId: 'inc_1' }).success,
      ).toBe(true);
    }
    const change = {
      actor: 'ops',
      at,
      subject: 'm@1',
      subjectId: 'mv_1',
      to: 'revoked',
      reason: 'r',
    };
    expect(
      AuditEntrySchema.safeParse({ type: 'registry.model_version.revoked', ...change }).success,
    ).toBe(true);
  });

  it('refuses an unknown type and a known type without its fields, naming the path', () => {
    expect(
      AuditEntrySchema.safeParse({ type: 'respond.action.lifed', actor: 'a', at }).success,
    ).toBe(false);
    const missing = AuditEntrySchema.safeParse({ type: 'gateway.key.created', actor: 'a', at });
    expect(missing.success).toBe(false);
    expect(missing.error!.issues.map((i) => i.path.join('.'))).toContain('keyId');
  });
});

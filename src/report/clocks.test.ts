import { describe, expect, it } from 'vitest';
import { deadlineClocks } from './clocks.js';

const aware = '2026-03-06T15:00:00.000Z'; // a Friday
const ctx = { criticality: 'high', tags: [] };
const at = (h: number) => Date.parse(aware) + h * 3_600_000;

describe('notification deadline clocks', () => {
  it('gives GDPR 72 h for the authority and no fixed deadline for data subjects', () => {
    const [art33, art34] = deadlineClocks(['gdpr'], aware, ctx, at(1));
    expect(art33).toMatchObject({
      id: 'gdpr-art33',
      deadline: '2026-03-09T15:00:00.000Z',
      status: 'running',
    });
    expect(art34).toMatchObject({ id: 'gdpr-art34', deadline: null, status: 'no_deadline' });
  });

  it('is at risk with less than 25 % left and overdue after the deadline', () => {
    expect(deadlineClocks(['gdpr'], aware, ctx, at(54))[0]!.status).toBe('running'); // 25 % left exactly
    expect(deadlineClocks(['gdpr'], aware, ctx, at(54.1))[0]!.status).toBe('at_risk');
    expect(deadlineClocks(['gdpr'], aware, ctx, at(72))[0]!.status).toBe('overdue');
  });

  it('arms the AI Act 2-day clock only for critical infrastructure, and always the 15-day one', () => {
    const plain = deadlineClocks(['eu-ai-act'], aware, ctx, at(1));
    expect(plain.map((c) => [c.id, c.deadline, c.armed])).toEqual([
      ['ai-act-art73-general', '2026-03-21T15:00:00.000Z', true],
      ['ai-act-art73-widespread', '2026-03-08T15:00:00.000Z', false],
      ['ai-act-art73-death', '2026-03-16T15:00:00.000Z', false],
    ]);
    const critical = deadlineClocks(
      ['eu-ai-act'],
      aware,
      { criticality: 'critical', tags: [] },
      at(1),
    );
    expect(critical[1]!.armed).toBe(true);
  });

  it('counts SEC 8-K in business days over a weekend, and NIS2 in 24 h, 72 h and a month after', () => {
    expect(deadlineClocks(['sec-8k'], aware, ctx, at(1))[0]!.deadline).toBe(
      '2026-03-12T15:00:00.000Z',
    );
    expect(deadlineClocks(['nis2'], aware, ctx, at(1)).map((c) => c.deadline)).toEqual([
      '2026-03-07T15:00:00.000Z',
      '2026-03-09T15:00:00.000Z',
      '2026-04-09T15:00:00.000Z',
    ]);
    expect(deadlineClocks(['hipaa'], aware, ctx, at(1))[0]!.deadline).toBe(
      '2026-05-05T15:00:00.000Z',
    );
  });

  it('ignores regulation tags it does not know', () => {
    expect(deadlineClocks(['pci-dss'], aware, ctx, at(1))).toEqual([]);
  });
});

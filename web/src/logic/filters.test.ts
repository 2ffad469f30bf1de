import { describe, expect, it } from 'vitest';
import type { Incident } from '../api/types';
import {
  eventQuery,
  filterFromQuery,
  filterIncidents,
  filterToQuery,
  NO_EVENT_FILTER,
  NO_FILTER,
} from './filters';

const incident = (
  id: string,
  severity: Incident['severity']['computed'],
  more: Partial<Incident> = {},
): Incident => ({
  id,
  title: `incident ${id}`,
  phase: 'analysing',
  severity: { computed: severity, override: null, reasons: [] },
  assets: ['breast-cancer'],
  principals: [],
  atlasTechniques: ['AML.T0024.002'],
  owasp: ['ML05:2023'],
  assignee: null,
  createdAt: `2026-12-07T10:00:0${id.length}Z`,
  ...more,
});

describe('the incident filters', () => {
  const list = [
    incident('a', 'low'),
    incident('bb', 'critical', { phase: 'closed' }),
    incident('ccc', 'high', { assets: ['digits'], principals: ['mallory'] }),
    incident('dddd', 'low', {
      severity: { computed: 'low', override: { severity: 'critical' }, reasons: [] },
    }),
  ];

  it('keeps everything with no filter, most severe first, then newest', () => {
    expect(filterIncidents(list, NO_FILTER).map((i) => i.id)).toEqual(['dddd', 'bb', 'ccc', 'a']);
  });

  it('uses an analyst override of the severity', () => {
    expect(
      filterIncidents(list, { ...NO_FILTER, severities: ['critical'] }).map((i) => i.id),
    ).toEqual(['dddd', 'bb']);
  });

  it('narrows by open or closed, model and free text over principals and ids', () => {
    expect(filterIncidents(list, { ...NO_FILTER, status: 'closed' }).map((i) => i.id)).toEqual([
      'bb',
    ]);
    expect(filterIncidents(list, { ...NO_FILTER, status: 'open' }).map((i) => i.id)).not.toContain(
      'bb',
    );
    expect(filterIncidents(list, { ...NO_FILTER, model: 'digits' }).map((i) => i.id)).toEqual([
      'ccc',
    ]);
    expect(filterIncidents(list, { ...NO_FILTER, text: 'MALLORY' }).map((i) => i.id)).toEqual([
      'ccc',
    ]);
    expect(filterIncidents(list, { ...NO_FILTER, text: 'nothing like it' })).toEqual([]);
  });

  it('round-trips through the URL and ignores unknown values there', () => {
    const f = {
      text: 'x y',
      severities: ['high', 'low'] as const,
      status: 'open' as const,
      model: 'digits',
    };
    expect(filterFromQuery(filterToQuery({ ...f, severities: [...f.severities] }))).toEqual({
      ...f,
      severities: ['high', 'low'],
    });
    expect(filterFromQuery('severity=urgent,high&status=maybe')).toEqual({
      ...NO_FILTER,
      severities: ['high'],
    });
    expect(filterToQuery(NO_FILTER)).toBe('');
  });
});

describe('the event search query', () => {
  it('leaves blanks out and sends times as UTC instants', () => {
    const q = eventQuery({
      ...NO_EVENT_FILTER,
      key: ' key_1 ',
      from: '2026-12-07T10:00:00Z',
      to: '',
    });
    expect(q).toEqual({ key: 'key_1', from: '2026-12-07T10:00:00Z', limit: '1000' });
    const local = eventQuery({ ...NO_EVENT_FILTER, from: '2026-12-07T10:00' });
    expect(local.from).toBe(new Date('2026-12-07T10:00').toISOString());
  });
});

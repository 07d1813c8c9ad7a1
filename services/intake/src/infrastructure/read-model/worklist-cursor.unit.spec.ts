import {
  decodeWorklistCursor,
  dueOrderOf,
  encodeWorklistCursor,
  worklistQueryFingerprint,
  type WorklistCursor,
} from './worklist-cursor';

const fingerprint = worklistQueryFingerprint({ statuses: ['assigned'], assignee: 'agent-7', team: undefined });
const aCursor = (changes: Partial<WorklistCursor> = {}): WorklistCursor => ({
  after: { dueOrder: '2026-03-02T09:30:00.000Z', openedAt: '2026-03-02T08:00:00.000Z', caseId: 'c-1' },
  query: fingerprint,
  dueBefore: null,
  ...changes,
});
const encodedArray = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('the worklist cursor', () => {
  it('round-trips a position, its query and its due bound', () => {
    for (const cursor of [
      aCursor(),
      aCursor({ dueBefore: '2026-03-02T10:00:00.000Z' }),
      aCursor({ after: { dueOrder: 'infinity', openedAt: '2026-03-02T08:00:00.000Z', caseId: 'c-2' } }),
    ]) {
      expect(decodeWorklistCursor(encodeWorklistCursor(cursor))).toEqual(cursor);
    }
  });

  it('is null for anything this API did not issue', () => {
    const good = [1, '2026-03-02T09:30:00.000Z', '2026-03-02T08:00:00.000Z', 'c-1', fingerprint, null];
    const forged = [
      'not base64 !!',
      Buffer.from('not json').toString('base64url'),
      encodedArray({ dueOrder: 'infinity' }),
      encodedArray(good.slice(0, 5)),
      encodedArray([2, ...good.slice(1)]),
      encodedArray([1, 'yesterday', ...good.slice(2)]),
      encodedArray([1, good[1], '2026-02-30T08:00:00.000Z', ...good.slice(3)]),
      encodedArray([1, good[1], good[2], '', ...good.slice(4)]),
      encodedArray([1, good[1], good[2], 42, ...good.slice(4)]),
      encodedArray([...good.slice(0, 4), 'short', null]),
      encodedArray([...good.slice(0, 5), 'tomorrow']),
    ];
    for (const value of forged) expect({ value, cursor: decodeWorklistCursor(value) }).toEqual({ value, cursor: null });
    expect(decodeWorklistCursor(encodedArray(good))).not.toBeNull();
  });

  it('fingerprints the filters, whatever their order, and tells different filters apart', () => {
    expect(worklistQueryFingerprint({ team: 't-1', statuses: ['assigned'] })).toBe(
      worklistQueryFingerprint({ statuses: ['assigned'], team: 't-1' }),
    );
    expect(worklistQueryFingerprint({ team: 't-1' })).not.toBe(worklistQueryFingerprint({ team: 't-2' }));
    expect(worklistQueryFingerprint({ team: undefined })).toBe(worklistQueryFingerprint({ team: null }));
  });

  it('orders a case without a due time after every due one', () => {
    expect(dueOrderOf(null)).toBe('infinity');
    expect(dueOrderOf(new Date('2026-03-02T09:30:00Z'))).toBe('2026-03-02T09:30:00.000Z');
  });
});

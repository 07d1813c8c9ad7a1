import type { Queryable } from '@aftersales/eventstore';
import type { ReturnEvent } from '../domain/return-request.decider';
import { scheduleDeadlineTimers } from './return-deadline-timers';

/** Records the statements it is given: which timers they cancel and which they arm. */
function recordingTx() {
  const statements: Array<{ sql: string; params: unknown[] }> = [];
  const tx = {
    query: (sql: string, params: unknown[] = []) => {
      statements.push({ sql, params });
      return Promise.resolve({ rows: [], rowCount: 0 });
    },
  } as unknown as Queryable;
  const cancelled = () =>
    statements.filter((s) => s.sql.includes('cancelled_at = now()')).flatMap((s) => s.params[0] as string[]);
  const armed = () =>
    statements
      .filter((s) => s.sql.includes('INSERT INTO es_timers'))
      .flatMap((s) => s.params.find((p): p is string[] => Array.isArray(p) && String(p[0]).includes(':')) ?? []);
  return { tx, statements, cancelled, armed };
}

const returnId = 'r-1';
const set = (deadline: 'inspection' | 'refund_completion'): ReturnEvent =>
  ({
    type: 'ReturnDeadlineSet',
    data: {
      returnId,
      caseId: null,
      deadline,
      basis: 'business',
      budgetMs: 1,
      startedAt: 'x',
      dueAt: '2026-12-03T10:00:00.000Z',
    },
  }) as ReturnEvent;
const met = (deadline: 'inspection' | 'refund_completion'): ReturnEvent =>
  ({ type: 'ReturnDeadlineMet', data: { returnId, caseId: null, deadline, metAt: 'x', late: false } }) as ReturnEvent;

describe('scheduleDeadlineTimers', () => {
  const now = new Date('2026-12-03T09:00:00.000Z');

  it('writes what one command asks of its timers in at most two statements, the cancels first', async () => {
    const { tx, statements, cancelled, armed } = recordingTx();
    await scheduleDeadlineTimers(tx, 'shop-1', [met('inspection'), set('refund_completion')], now);
    expect(statements).toHaveLength(2);
    expect(statements[0]!.sql).toContain('cancelled_at = now()');
    expect(cancelled()).toEqual([`return-deadline:${returnId}:inspection`]);
    expect(armed()).toEqual([`return-deadline:${returnId}:refund_completion`]);
  });

  it("decides each timer by the events' order: set then met is cancelled, met then set is armed", async () => {
    const setThenMet = recordingTx();
    await scheduleDeadlineTimers(setThenMet.tx, 'shop-1', [set('inspection'), met('inspection')], now);
    expect(setThenMet.cancelled()).toEqual([`return-deadline:${returnId}:inspection`]);
    expect(setThenMet.armed()).toEqual([]);

    const metThenSet = recordingTx();
    await scheduleDeadlineTimers(metThenSet.tx, 'shop-1', [met('inspection'), set('inspection')], now);
    expect(metThenSet.cancelled()).toEqual([]);
    expect(metThenSet.armed()).toEqual([`return-deadline:${returnId}:inspection`]);
  });

  it('writes nothing for events that ask nothing of a timer', async () => {
    const { tx, statements } = recordingTx();
    await scheduleDeadlineTimers(tx, 'shop-1', [], now);
    expect(statements).toEqual([]);
  });
});

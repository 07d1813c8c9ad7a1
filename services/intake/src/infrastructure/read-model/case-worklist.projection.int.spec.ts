import { randomUUID } from 'node:crypto';
import { openServiceDatabase, type ServiceDatabase, type StoredEvent } from '@aftersales/eventstore';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import type { CaseEvent } from '../../domain/case.events';
import type { ComplaintEvent } from '../../domain/complaint.events';
import { caseReadModelMigrations } from './case-read-model.migrations';
import { projectCaseEvent } from './case-worklist.projection';

const tenant = 'shop-1';
const t = (hhmm: string) => `2026-03-02T${hhmm}:00.000Z`;

/** Stored events of one case stream, numbered from 1, as the subscription hands them to the projection. */
function streamOf(caseId: string, events: ReadonlyArray<CaseEvent | ComplaintEvent>): StoredEvent[] {
  return events.map((event, i) => ({
    id: randomUUID(),
    type: event.type,
    data: event.data,
    metadata: { tenant, actor: { id: 'agent-7' }, correlationId: randomUUID() },
    position: BigInt(i + 1),
    transactionId: String(1000 + i),
    streamId: `case-${caseId}`,
    streamVersion: i + 1,
    recordedAt: new Date(),
  }));
}

const opened = (caseId: string): CaseEvent => ({
  type: 'CaseOpened',
  data: {
    caseId,
    tenant,
    channel: 'chat',
    orderId: 'ORD-1',
    customerId: 'cus-1',
    problemType: 'quality',
    description: 'Cracked base',
    evidence: [],
    openedAt: t('08:00'),
    openedBy: 'agent-7',
  },
});
const started = (caseId: string, clockId: 'first_response' | 'resolution', at: string, dueAt: string): CaseEvent => ({
  type: 'SlaClockStarted',
  data: {
    caseId,
    clockId,
    basis: 'elapsed',
    budgetMs: Date.parse(dueAt) - Date.parse(at),
    at,
    dueAt,
    warnAt: at,
    warnAtShare: 0.5,
  },
});

// CONTEXT: the projection's SQL on its own tables (a database of the test's, migrated), fed stored events by hand so
// every SLA rule of the summary is exercised in order, then the whole stream again (a rebuild) to show nothing moves.
describe('the case read model projection', () => {
  let database: TestDatabase;
  let service: ServiceDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('intake_read_model');
    service = await openServiceDatabase({
      serverUrl: database.url,
      database: database.name,
      migrations: caseReadModelMigrations,
    });
  });

  afterAll(async () => {
    await service?.dataSource.destroy();
    await database?.drop();
  });

  const summary = async (caseId: string) =>
    (
      await service.pool.query<{ sla_state: string; next_due_at: Date | null; version: string }>(
        'SELECT sla_state, next_due_at, version FROM case_worklist WHERE case_id = $1',
        [caseId],
      )
    ).rows.map((row) => [row.sla_state, row.next_due_at?.toISOString() ?? null])[0];
  const clocks = async (caseId: string) =>
    (
      await service.pool.query<{
        clock_id: string;
        instance: number;
        status: string;
        due_at: Date | null;
        late: boolean | null;
      }>(
        'SELECT clock_id, instance, status, due_at, late FROM case_sla_clocks WHERE case_id = $1 ORDER BY clock_id, instance',
        [caseId],
      )
    ).rows.map((row) => [row.clock_id, row.instance, row.status, row.due_at?.toISOString() ?? null, row.late]);
  const digest = async () =>
    (
      await service.pool.query<{ digest: string }>(
        `SELECT (SELECT md5(string_agg(w::text, '|' ORDER BY case_id)) FROM case_worklist w) || '/' ||
                (SELECT md5(string_agg(c::text, '|' ORDER BY case_id, clock_id, instance)) FROM case_sla_clocks c) || '/' ||
                (SELECT md5(string_agg(l::text, '|' ORDER BY complaint_id)) FROM case_complaint_links l) AS digest`,
      )
    ).rows[0]?.digest;

  it('summarises the clocks: breached over paused over met, the nearest due time of the running ones, restarts', async () => {
    const caseId = randomUUID();
    const events: CaseEvent[] = [];
    const expectations: Array<[string, string | null]> = [];
    const step = (event: CaseEvent, state: string, due: string | null) => {
      events.push(event);
      expectations.push([state, due]);
    };
    step(opened(caseId), 'none', null);
    step(started(caseId, 'first_response', t('08:00'), t('08:30')), 'on_track', t('08:30'));
    step(started(caseId, 'resolution', t('08:00'), t('16:00')), 'on_track', t('08:30'));
    step(
      { type: 'SlaClockWarned', data: { caseId, clockId: 'first_response', at: t('08:15'), dueAt: t('08:30') } },
      'warned',
      t('08:30'),
    );
    step(
      { type: 'SlaClockBreached', data: { caseId, clockId: 'first_response', at: t('08:30'), dueAt: t('08:30') } },
      'breached',
      t('08:30'),
    );
    // Waiting on the customer: both clocks paused (a breached clock stays breached); only running clocks are due.
    step(
      { type: 'CaseWaitingStarted', data: { caseId, at: t('08:40'), by: 'agent-7', on: 'customer', reason: 'photo' } },
      'breached',
      t('08:30'),
    );
    step(
      { type: 'SlaClockPaused', data: { caseId, clockId: 'first_response', at: t('08:40') } },
      'breached',
      t('16:00'),
    );
    step({ type: 'SlaClockPaused', data: { caseId, clockId: 'resolution', at: t('08:40') } }, 'breached', null);
    step(
      { type: 'SlaClockResumed', data: { caseId, clockId: 'resolution', at: t('09:40'), dueAt: t('17:00') } },
      'breached',
      t('17:00'),
    );
    step(
      {
        type: 'SlaClockMet',
        data: { caseId, clockId: 'first_response', at: t('09:45'), late: true, consumedMs: 45 * 60_000 },
      },
      'on_track',
      t('17:00'),
    );
    step({ type: 'SlaClockPaused', data: { caseId, clockId: 'resolution', at: t('10:00') } }, 'paused', null);
    step(
      { type: 'SlaClockResumed', data: { caseId, clockId: 'resolution', at: t('10:30'), dueAt: t('17:30') } },
      'on_track',
      t('17:30'),
    );
    // The first response clock starts again (a second start): it runs, due before the resolution.
    step(started(caseId, 'first_response', t('11:00'), t('11:30')), 'on_track', t('11:30'));
    step(
      {
        type: 'SlaClockMet',
        data: { caseId, clockId: 'first_response', at: t('11:10'), late: false, consumedMs: 600_000 },
      },
      'on_track',
      t('17:30'),
    );
    step(
      { type: 'SlaClockMet', data: { caseId, clockId: 'resolution', at: t('12:00'), late: false, consumedMs: 1 } },
      'met',
      null,
    );

    const stored = streamOf(caseId, events);
    for (const [i, event] of stored.entries()) {
      await projectCaseEvent(event, service.pool);
      expect({ after: `${i + 1}: ${event.type}`, summary: await summary(caseId) }).toEqual({
        after: `${i + 1}: ${event.type}`,
        summary: expectations[i],
      });
    }
    expect(await clocks(caseId)).toEqual([
      ['first_response', 1, 'met', t('08:30'), true],
      ['first_response', 2, 'met', t('11:30'), false],
      ['resolution', 1, 'met', t('17:30'), false],
    ]);

    // The whole stream again, and each event twice: nothing changes.
    const before = await digest();
    for (const event of stored) {
      await projectCaseEvent(event, service.pool);
      await projectCaseEvent(event, service.pool);
    }
    expect(await digest()).toBe(before);
  });

  it("links a complaint to its case whether it comes before or after the case's events, once", async () => {
    const caseId = randomUUID();
    const complaintId = randomUUID();
    const complaint: ComplaintEvent = {
      type: 'ComplaintRegistered',
      data: {
        complaintId,
        tenant,
        caseId,
        customerId: 'cus-1',
        orderId: 'ORD-1',
        category: 'product-quality',
        description: 'Again',
        evidenceRefs: [],
        flags: { personalInjury: false, propertyLoss: false, mediaExposure: false, legalThreat: false },
        registeredAt: t('09:00'),
        registeredBy: 'agent-7',
      },
    };
    const [complaintEvent] = streamOf(complaintId, [complaint]);
    await projectCaseEvent(complaintEvent!, service.pool);
    await projectCaseEvent(complaintEvent!, service.pool);
    for (const event of streamOf(caseId, [opened(caseId)])) await projectCaseEvent(event, service.pool);
    const { rows } = await service.pool.query(
      `SELECT l.complaint_id, w.case_id FROM case_complaint_links l JOIN case_worklist w
           ON w.tenant = l.tenant AND w.case_id = l.case_id WHERE l.case_id = $1`,
      [caseId],
    );
    expect(rows).toEqual([{ complaint_id: complaintId, case_id: caseId }]);
  });
});

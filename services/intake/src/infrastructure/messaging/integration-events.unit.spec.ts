import { validateEvent } from '@aftersales/contracts';
import type { StoredEvent } from '@aftersales/eventstore';
import { historyOf } from '@aftersales/testing/decider';
import { a, actors, caseAt, contextOf, TENANT } from '../../domain/testing/case.builder';
import type { CaseCommand } from '../../domain/case.commands';
import { createCaseDecider } from '../../domain/case.decider';
import type { CaseEvent } from '../../domain/case.events';
import { defaultCasePolicy } from '../../domain/case-policy';
import { defaultSlaPolicy } from '../../domain/sla-policy';
import { intakeIntegrationEvents } from './integration-events';

const stored = (event: CaseEvent, index: number): StoredEvent => ({
  id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
  type: event.type,
  data: event.data,
  metadata: { tenant: TENANT, actor: { id: 'agent-7' }, correlationId: 'c-1' },
  position: BigInt(index + 1),
  transactionId: String(index + 1),
  streamId: 'case-x',
  streamVersion: index + 1,
  recordedAt: new Date('2026-11-25T10:00:00.000Z'),
});

// A case through every step, each published step's payload checked against its contract.
const history = caseAt(
  'reopened',
  a.escalation({}, { at: 241 }),
  a.escalation({ rung: 'complaint_team', reason: 'complaint' }, { at: 242, actor: actors.slaClock }),
  a.investigation({ at: 250 }),
  a.verification({}, { at: 251 }),
  a.orderChange({}, { at: 252 }),
  a.communication({ contact: { ciphertext: 'c2VhbGVk', keyVersion: 1 } }, { at: 253 }),
  a.waitingStart({}, { at: 254 }),
  a.waitingEnd(null, { at: 255 }),
  a.proposal(undefined, { at: 260 }),
  a.acceptance(1, { at: 270 }),
  a.collaboration({}, { at: 271 }),
);

describe('intake integration events: the case lifecycle on the wire', () => {
  const mapped = history.map((event, i) => ({ event, published: intakeIntegrationEvents(stored(event, i)) }));

  it('publishes every lifecycle step other services act on, each valid against its contract, keyed by the case', () => {
    const published = mapped.flatMap(({ published: p }) => (p ? [p] : []));
    expect(published.map((p) => p.type)).toEqual([
      'aftersales.intake.case-opened.v1',
      'aftersales.intake.case-acknowledged.v1',
      'aftersales.intake.case-classified.v1',
      'aftersales.intake.case-assigned.v1',
      'aftersales.intake.case-solution-accepted.v1',
      'aftersales.intake.case-resolved.v1',
      'aftersales.intake.case-closed.v1',
      'aftersales.intake.case-reopened.v1',
      'aftersales.intake.case-escalated.v1',
      'aftersales.intake.case-escalated.v1',
      'aftersales.intake.case-solution-accepted.v1',
      'aftersales.intake.case-collaboration-requested.v1',
    ]);
    for (const p of published) {
      expect({ type: p.type, result: validateEvent(p.type, p.data) }).toMatchObject({ result: { ok: true } });
      expect(p.subject).toBe(history[0]?.data.caseId);
      expect(p.data).toMatchObject({ tenantId: TENANT, caseId: history[0]?.data.caseId });
    }
  });

  it('carries the previous rung, the previous category and the assignment replaced', () => {
    const escalations = mapped.filter((m) => m.published?.type === 'aftersales.intake.case-escalated.v1');
    expect(escalations.map((m) => m.published?.data)).toEqual([
      expect.objectContaining({ rung: 'supervisor', reason: 'manual' }),
      expect.objectContaining({ rung: 'complaint_team', previousRung: 'supervisor', reason: 'complaint' }),
    ]);
    expect(escalations[0]?.published?.data).not.toHaveProperty('previousRung');
  });

  it('keeps the work inside the case (and every ciphertext) off the wire', () => {
    const internal = mapped.filter((m) => m.published === null).map((m) => m.event.type);
    expect(new Set(internal)).toEqual(
      new Set([
        'CaseFirstResponseGiven',
        'CaseInvestigationStarted',
        'CaseFactRecorded',
        'CaseResponsibilityDetermined',
        'CaseSolutionsProposed',
        'CustomerIdentityVerified',
        'CaseOrderChangeRequested',
        'CaseCommunicationRecorded',
        'CaseWaitingStarted',
        'CaseWaitingEnded',
      ]),
    );
    const wire = JSON.stringify(mapped.map((m) => m.published));
    expect(wire).not.toContain('c2VhbGVk');
    expect(wire).not.toContain(a.orderChange().data.details.ciphertext);
  });
});

describe('intake integration events: SLA clocks on the wire', () => {
  // On the default calendar (Shanghai, 09:00–22:30 daily) T0 is Wednesday 18:00: a chat's first response is due in
  // 15 s; it is warned, breached, met late; the complex case's progress clock pauses and resumes with the wait.
  const clocks = createCaseDecider(defaultCasePolicy, defaultSlaPolicy);
  const timerCommand = (type: 'RecordSlaWarning' | 'RecordSlaBreach', at: number) =>
    ({
      type,
      data: { clockId: 'first_response', instance: 1 },
      context: contextOf(at, actors.slaClock),
    }) as CaseCommand;
  const events = historyOf(clocks, [
    a.openCase({}, { at: 0 }),
    timerCommand('RecordSlaWarning', 1),
    timerCommand('RecordSlaBreach', 1),
    a.acknowledgement({}, { at: 2 }),
    a.waitingStart({}, { at: 10 }),
    a.waitingEnd(null, { at: 30 }),
  ]);
  const published = events.flatMap((event, i) => {
    const p = intakeIntegrationEvents(stored(event, i));
    return p ? [p] : [];
  });

  it('publishes every change of a clock, valid against its contract, keyed by the case, ids and instants only', () => {
    const sla = published.filter((p) => p.type.includes('.sla-clock-'));
    expect(sla.map((p) => [p.type, (p.data as { clockId: string }).clockId])).toEqual([
      ['aftersales.intake.sla-clock-started.v1', 'first_response'],
      ['aftersales.intake.sla-clock-started.v1', 'progress_update'],
      ['aftersales.intake.sla-clock-warned.v1', 'first_response'],
      ['aftersales.intake.sla-clock-breached.v1', 'first_response'],
      ['aftersales.intake.sla-clock-met.v1', 'first_response'],
      ['aftersales.intake.sla-clock-paused.v1', 'progress_update'],
      ['aftersales.intake.sla-clock-resumed.v1', 'progress_update'],
    ]);
    for (const p of sla) {
      expect({ type: p.type, result: validateEvent(p.type, p.data) }).toMatchObject({ result: { ok: true } });
      expect(p.subject).toBe(events[0]?.data.caseId);
    }
    expect(sla[0]?.data).toEqual({
      caseId: events[0]?.data.caseId,
      tenantId: TENANT,
      clockId: 'first_response',
      basis: 'elapsed',
      budgetMs: 15_000,
      startedAt: '2026-11-25T10:00:00.000Z',
      dueAt: '2026-11-25T10:00:15.000Z',
      warnAt: '2026-11-25T10:00:12.000Z',
    });
    expect(sla[3]?.data).toMatchObject({ breachedAt: '2026-11-25T10:00:15.000Z' });
    expect(sla[4]?.data).toMatchObject({ metAt: '2026-11-25T10:02:00.000Z', late: true, consumedMs: 120_000 });
  });

  it('publishes the priority a case was opened with', () => {
    const urgent = historyOf(clocks, [a.openCase({ priority: 'urgent' }, { at: 0 })]);
    expect(intakeIntegrationEvents(stored(urgent[0] as CaseEvent, 0))?.data).toMatchObject({ priority: 'urgent' });
  });
});

describe('intake integration events: an erasure on the wire', () => {
  it('publishes the customer and the time of an erasure, never the reason or who erased', () => {
    const erased = {
      type: 'CustomerDataErased',
      data: {
        tenant: TENANT,
        customerId: 'cus-7',
        reason: 'GDPR request REQ-118',
        erasedAt: '2026-11-30T09:00:00.000Z',
        erasedBy: 'supervisor-2',
      },
    };
    const published = intakeIntegrationEvents({ ...stored(erased as never, 0), streamId: 'customer-shop/cus-7' });
    expect(published).toEqual({
      type: 'aftersales.intake.customer-data-erased.v1',
      subject: 'cus-7',
      data: { customerId: 'cus-7', tenantId: TENANT, erasedAt: '2026-11-30T09:00:00.000Z' },
    });
    expect(validateEvent(published!.type, published!.data)).toMatchObject({ ok: true });
  });
});

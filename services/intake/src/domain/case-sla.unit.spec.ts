import { historyOf, specOf, stateOf } from '@aftersales/testing/decider';
import { DomainError } from '@aftersales/domain';
import { SlaClock, type BusinessCalendar } from '@aftersales/business-time';
import type { CaseCommand, EscalateSlaBreach, RecordSlaBreach, RecordSlaWarning } from './case.commands';
import { caseDecider, createCaseDecider } from './case.decider';
import { CaseRuleBroken } from './case.errors';
import type { CaseEvent } from './case.events';
import { defaultCasePolicy } from './case-policy';
import { offHoursAcknowledgement } from './case-sla';
import type { OpenedCaseState } from './case.state';
import { defaultSlaPolicy, type SlaClockId, type SlaPolicy } from './sla-policy';
import { a, actors, aSolution, CASE_ID, TENANT } from './testing/case.builder';

// The figures below are business time computed by hand on this calendar: Shanghai (UTC+8, no daylight saving),
// Monday to Friday, 09:00–12:00 and 13:00–18:00 (8 working hours a day), Friday 27 November 2026 a holiday.
// Wednesday 2026-11-25 and Thursday 2026-11-26 are working days; the next one after them is Monday 2026-11-30.
const calendar: BusinessCalendar = {
  timeZone: 'Asia/Shanghai',
  workingDays: [1, 2, 3, 4, 5],
  shifts: [
    { start: '09:00', end: '12:00' },
    { start: '13:00', end: '18:00' },
  ],
  holidays: ['2026-11-27'],
};
/** The default targets (chat 15 s, application 1 h, …) on the test calendar. */
const sla: SlaPolicy = { ...defaultSlaPolicy, calendar };
const decider = createCaseDecider(defaultCasePolicy, sla);
const given = specOf(decider);

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** A Shanghai wall-clock time, `2026-11-25T10:00` or with seconds. */
const sh = (local: string) => new Date(`${local}+08:00`);
/** The same instant as the events write it (UTC ISO). */
const utc = (local: string) => sh(local).toISOString();

type Actor = (typeof actors)[keyof typeof actors];
/** `command`, decided at Shanghai time `local` by `actor`. */
function on<C extends CaseCommand>(command: C, local: string, actor: Actor = actors.agent): C {
  return { ...command, context: { tenant: TENANT, actor: { id: actor.id, roles: [...actor.roles] }, now: sh(local) } };
}
const history = (...commands: CaseCommand[]) => historyOf(decider, commands);
const clockOf = (events: readonly CaseEvent[], clockId: SlaClockId) =>
  (stateOf(decider, events) as OpenedCaseState).case.slaClocks[clockId];

const inbound = (communicationId: string) =>
  a.communication({
    communicationId,
    direction: 'inbound',
    author: { kind: 'customer', ref: null },
    summary: 'The customer asks where things stand',
  });
const outbound = (communicationId: string) =>
  a.communication({ communicationId, summary: 'Told the customer the carrier confirmed the damage' });
const timer = <T extends 'RecordSlaWarning' | 'RecordSlaBreach'>(type: T, clockId: SlaClockId, instance = 1) =>
  ({ type, data: { clockId, instance }, context: a.openCase().context }) as T extends 'RecordSlaWarning'
    ? RecordSlaWarning
    : RecordSlaBreach;
const rungDeadline = (clockId: SlaClockId, rung: 'supervisor' | 'complaint_team', instance = 1): EscalateSlaBreach => ({
  type: 'EscalateSlaBreach',
  data: { clockId, instance, rung },
  context: a.openCase().context,
});

/** A chat about a swollen battery (quality: a complex category), opened Wednesday 10:00, acknowledged 5 s later. */
const chatCase = () => [on(a.openCase(), '2026-11-25T10:00'), on(a.acknowledgement(), '2026-11-25T10:00:05')];

describe('Case decider: SLA clocks on the tenant calendar', () => {
  describe('opening starts the clocks whose targets match the case', () => {
    it('a chat within business hours: first response 15 s of elapsed time (seed 001 l.205); a complex case reports progress every working day', () => {
      given([])
        .when(on(a.openCase(), '2026-11-25T10:00'))
        .thenMatches([
          { type: 'CaseOpened' },
          {
            type: 'SlaClockStarted',
            data: {
              caseId: CASE_ID,
              clockId: 'first_response',
              basis: 'elapsed',
              budgetMs: 15 * SECOND,
              at: utc('2026-11-25T10:00'),
              dueAt: utc('2026-11-25T10:00:15'),
              warnAt: utc('2026-11-25T10:00:12'), // 80 % of 15 s
              warnAtShare: 0.8,
            },
          },
          {
            type: 'SlaClockStarted',
            data: {
              clockId: 'progress_update',
              basis: 'business',
              budgetMs: 8 * HOUR, // one working day of this calendar
              // Wednesday 10:00–12:00 and 13:00–18:00 are 7 h; the 8th is Thursday 09:00–10:00.
              dueAt: utc('2026-11-26T10:00'),
              // 6 h 24 min: 2 h before lunch, then 13:00 + 4 h 24 min.
              warnAt: utc('2026-11-25T17:24'),
            },
          },
        ]);
    });

    it('an after-sales application off hours: 1 working hour from the next shift (seed 000 §2.1, seed 002 §1.1); a simple case is resolved within 8 working hours', () => {
      const opened = given([])
        .when(on(a.openCase({ channel: 'order-page', problemType: 'non-quality' }), '2026-11-26T20:00'))
        .thenMatches([
          { type: 'CaseOpened' },
          {
            type: 'SlaClockStarted',
            data: {
              clockId: 'first_response',
              basis: 'business',
              budgetMs: HOUR,
              // Thursday 20:00 is after the last shift, Friday is a holiday, then the weekend: Monday 09:00 + 1 h.
              dueAt: utc('2026-11-30T10:00'),
              warnAt: utc('2026-11-30T09:48'),
            },
          },
          {
            type: 'SlaClockStarted',
            data: {
              clockId: 'resolution',
              budgetMs: 8 * HOUR,
              // Monday 09:00–12:00 (3 h) and 13:00–18:00 (5 h): due at the end of the last shift.
              dueAt: utc('2026-11-30T18:00'),
              warnAt: utc('2026-11-30T16:24'),
            },
          },
        ]);
      expect(opened.map((e) => e.data)).not.toContainEqual(expect.objectContaining({ clockId: 'progress_update' }));
    });

    it("targets follow the case's priority: the first rule that matches wins", () => {
      const urgentFirst = createCaseDecider(defaultCasePolicy, {
        ...sla,
        targets: [
          {
            clock: 'first_response',
            when: { priorities: ['urgent'] },
            budget: { amount: 5, unit: 'seconds' },
            basis: 'elapsed',
          },
          ...sla.targets,
        ],
      });
      const firstResponseBudget = (priority?: 'urgent' | 'low') =>
        specOf(urgentFirst)([])
          .when(on(a.openCase(priority ? { priority } : {}), '2026-11-25T10:00'))
          .thenMatches([{ type: 'CaseOpened' }, { type: 'SlaClockStarted' }, { type: 'SlaClockStarted' }])
          .find((e) => e.type === 'SlaClockStarted' && e.data.clockId === 'first_response');
      expect(firstResponseBudget('urgent')?.data).toMatchObject({ budgetMs: 5 * SECOND });
      expect(firstResponseBudget('low')?.data).toMatchObject({ budgetMs: 15 * SECOND });
      expect(firstResponseBudget()?.data).toMatchObject({ budgetMs: 15 * SECOND });
    });

    it('no clock runs without an SLA policy (the lifecycle decider)', () => {
      specOf(caseDecider)([])
        .when(on(a.openCase(), '2026-11-25T10:00'))
        .thenMatches([{ type: 'CaseOpened' }]);
    });
  });

  describe('the first response', () => {
    it("an agent's acknowledgement meets it, on time within 15 s", () => {
      given(history(on(a.openCase(), '2026-11-25T10:00')))
        .when(on(a.acknowledgement(), '2026-11-25T10:00:10'))
        .thenMatches([
          { type: 'CaseAcknowledged' },
          { type: 'CaseFirstResponseGiven' },
          {
            type: 'SlaClockMet',
            data: { clockId: 'first_response', at: utc('2026-11-25T10:00:10'), late: false, consumedMs: 10 * SECOND },
          },
        ]);
    });

    it('a first response after its budget is met late, and the clock records when it fell due', () => {
      const events = history(on(a.openCase(), '2026-11-25T10:00'), on(a.acknowledgement(), '2026-11-25T10:00:20'));
      expect(events.at(-1)).toEqual({
        type: 'SlaClockMet',
        data: {
          caseId: CASE_ID,
          clockId: 'first_response',
          at: utc('2026-11-25T10:00:20'),
          late: true,
          consumedMs: 20 * SECOND,
        },
      });
      expect(clockOf(events, 'first_response')?.clock).toMatchObject({
        status: 'met',
        late: true,
        breachedAt: utc('2026-11-25T10:00:15'),
      });
    });

    it('an automatic off-hours acknowledgement is no first response: the clock runs on', () => {
      given(history(on(a.openCase({ channel: 'order-page' }), '2026-11-26T20:00')))
        .when(
          on(
            a.acknowledgement({ automatic: true, handledFrom: utc('2026-11-30T09:00') }),
            '2026-11-26T20:00:01',
            actors.chatIntegration,
          ),
        )
        .thenMatches([{ type: 'CaseAcknowledged', data: { automatic: true } }]);
    });

    it('off hours, the automatic acknowledgement says the case is handled from the next business instant', () => {
      const acknowledgement = offHoursAcknowledgement(sla, sh('2026-11-26T20:00'));
      expect(acknowledgement).toMatchObject({ automatic: true, handledFrom: utc('2026-11-30T09:00') });
      expect(acknowledgement?.message).toMatch(/Monday.*30 November.*09:00/);
      expect(offHoursAcknowledgement(sla, sh('2026-11-26T11:59'))).toBeNull();
      expect(offHoursAcknowledgement(sla, sh('2026-11-26T12:30'))?.handledFrom).toBe(utc('2026-11-26T13:00'));
    });
  });

  describe('waiting on the customer or a third party pauses the clocks', () => {
    it('pauses every running clock, and resumes it with its due time moved by the business time the pause covered', () => {
      const waiting = history(...chatCase(), on(a.waitingStart(), '2026-11-25T11:00'));
      expect(waiting.slice(-2)).toEqual([
        expect.objectContaining({ type: 'CaseWaitingStarted' }),
        { type: 'SlaClockPaused', data: { caseId: CASE_ID, clockId: 'progress_update', at: utc('2026-11-25T11:00') } },
      ]);
      given(waiting)
        .when(on(a.waitingEnd(), '2026-11-26T09:30'))
        .thenMatches([
          { type: 'CaseWaitingEnded' },
          {
            type: 'SlaClockResumed',
            data: {
              clockId: 'progress_update',
              at: utc('2026-11-26T09:30'),
              // 1 h used before the pause (10:00–11:00); the 7 h left: 09:30–12:00 and 13:00–17:30.
              dueAt: utc('2026-11-26T17:30'),
            },
          },
        ]);
    });

    it("the customer's message ends a wait on the customer: the clocks resume and the message waits for a reply", () => {
      given(history(...chatCase(), on(a.waitingStart(), '2026-11-25T11:00')))
        .when(on(inbound('c-1'), '2026-11-25T14:00'))
        .thenMatches([
          { type: 'CaseCommunicationRecorded' },
          { type: 'CaseWaitingEnded', data: { endedBy: 'customer_message' } },
          // 1 h used; 7 h left from Wednesday 14:00: 4 h until 18:00, then Thursday 09:00–12:00.
          { type: 'SlaClockResumed', data: { clockId: 'progress_update', dueAt: utc('2026-11-26T12:00') } },
          { type: 'SlaClockStarted', data: { clockId: 'next_response', at: utc('2026-11-25T14:00') } },
        ]);
    });

    it('a clock that starts while the case waits starts paused', () => {
      given(history(...chatCase(), on(a.waitingStart({ on: 'third_party' }), '2026-11-25T10:10')))
        .when(on(inbound('c-1'), '2026-11-25T10:20'))
        .thenMatches([
          { type: 'CaseCommunicationRecorded' },
          { type: 'SlaClockStarted', data: { clockId: 'next_response' } },
          { type: 'SlaClockPaused', data: { clockId: 'next_response', at: utc('2026-11-25T10:20') } },
        ]);
    });
  });

  describe('the next response and the progress update', () => {
    it("a customer's message after the first response starts the next-response clock (chat: 1 min elapsed); more messages do not restart it", () => {
      const first = history(...chatCase());
      given(first)
        .when(on(inbound('c-1'), '2026-11-25T10:30'))
        .thenMatches([
          { type: 'CaseCommunicationRecorded' },
          {
            type: 'SlaClockStarted',
            data: {
              clockId: 'next_response',
              basis: 'elapsed',
              budgetMs: MINUTE,
              at: utc('2026-11-25T10:30'),
              dueAt: utc('2026-11-25T10:31'),
              warnAt: utc('2026-11-25T10:30:48'),
            },
          },
        ]);
      given(history(...chatCase(), on(inbound('c-1'), '2026-11-25T10:30')))
        .when(on(inbound('c-2'), '2026-11-25T10:30:30'))
        .thenMatches([{ type: 'CaseCommunicationRecorded' }]);
    });

    it("a customer's message before any response starts nothing: the first response is still owed", () => {
      given(history(on(a.openCase(), '2026-11-25T10:00')))
        .when(on(inbound('c-1'), '2026-11-25T10:00:03'))
        .thenMatches([{ type: 'CaseCommunicationRecorded' }]);
    });

    it("the agent's reply meets the next response, and is the complex case's progress update: met and restarted", () => {
      given(history(...chatCase(), on(inbound('c-1'), '2026-11-25T10:30')))
        .when(on(outbound('c-2'), '2026-11-25T10:30:50'))
        .thenMatches([
          { type: 'CaseCommunicationRecorded' },
          { type: 'SlaClockMet', data: { clockId: 'next_response', late: false, consumedMs: 50 * SECOND } },
          {
            type: 'SlaClockMet',
            data: { clockId: 'progress_update', late: false, consumedMs: 30 * MINUTE + 50 * SECOND },
          },
          {
            type: 'SlaClockStarted',
            data: {
              clockId: 'progress_update',
              budgetMs: 8 * HOUR,
              at: utc('2026-11-25T10:30:50'),
              // 1 h 29 min 10 s until 12:00, 5 h in the afternoon, then 1 h 30 min 50 s on Thursday morning.
              dueAt: utc('2026-11-26T10:30:50'),
              // 6 h 24 min: 1 h 29 min 10 s before lunch, 4 h 54 min 50 s from 13:00.
              warnAt: utc('2026-11-25T17:54:50'),
            },
          },
        ]);
      const restarted = history(...chatCase(), on(outbound('c-2'), '2026-11-25T10:30:50'));
      expect(clockOf(restarted, 'progress_update')).toMatchObject({ instance: 2, clock: { status: 'active' } });
    });
  });

  describe('the first dispatch to another department', () => {
    const investigated = [
      on(a.assignment(), '2026-11-25T17:10', actors.supervisor),
      on(a.investigation(), '2026-11-25T17:20'),
      on(a.fact(), '2026-11-25T17:30'),
      on(a.responsibility(), '2026-11-25T17:40'),
      on(a.proposal(), '2026-11-25T17:50'),
    ];

    it('starts when the case is classified into a category another department handles, and the collaboration request meets it', () => {
      const classified = history(...chatCase(), on(a.classification({ category: 'logistics' }), '2026-11-25T17:00'));
      expect(classified.at(-1)).toEqual({
        type: 'SlaClockStarted',
        data: {
          caseId: CASE_ID,
          clockId: 'first_dispatch',
          basis: 'business',
          budgetMs: 4 * HOUR,
          at: utc('2026-11-25T17:00'),
          // 1 h until 18:00, then Thursday 09:00–12:00: the budget runs out exactly at the end of the shift.
          dueAt: utc('2026-11-26T12:00'),
          warnAt: utc('2026-11-26T11:12'),
          warnAtShare: 0.8,
        },
      });
      given(historyOf(decider, [...investigated, on(a.acceptance(), '2026-11-26T09:00')], classified))
        .when(on(a.collaboration(), '2026-11-26T11:00'))
        .thenMatches([
          { type: 'CaseCollaborationRequested' },
          // Wednesday 17:00–18:00 and Thursday 09:00–11:00.
          { type: 'SlaClockMet', data: { clockId: 'first_dispatch', late: false, consumedMs: 3 * HOUR } },
        ]);
    });

    it('starts when the customer accepts a solution another department carries out (a reshipment)', () => {
      const proposed = history(
        ...chatCase(),
        on(a.classification({ category: 'quality' }), '2026-11-25T17:00'),
        ...investigated,
      );
      given(proposed)
        .when(on(a.acceptance(), '2026-11-26T09:00'))
        .thenMatches([
          { type: 'CaseSolutionAccepted' },
          {
            type: 'SlaClockStarted',
            // 3 h until 12:00, then 13:00–14:00.
            data: { clockId: 'first_dispatch', dueAt: utc('2026-11-26T14:00'), warnAt: utc('2026-11-26T13:12') },
          },
        ]);
    });
  });

  describe('resolution and reopening', () => {
    const simpleCase = () => [
      on(a.openCase({ problemType: 'non-quality' }), '2026-11-25T10:00'),
      on(a.acknowledgement(), '2026-11-25T10:00:05'),
      on(a.classification({ category: 'non-quality' }), '2026-11-25T10:10'),
      on(a.assignment(), '2026-11-25T10:20', actors.supervisor),
      on(a.investigation(), '2026-11-25T10:30'),
      on(a.fact(), '2026-11-25T10:40'),
      on(a.responsibility({ party: 'customer', basis: 'Changed mind within 7 days' }), '2026-11-25T10:50'),
      on(a.proposal([aSolution({ kind: 'refund_only' })]), '2026-11-25T11:00'),
      on(a.acceptance(), '2026-11-25T11:10'),
    ];

    it('the resolution meets every clock still counting; 9 working hours for an 8-hour target is late', () => {
      const resolved = history(...simpleCase(), on(a.resolution(), '2026-11-26T11:00'));
      expect(resolved.slice(-2)).toEqual([
        expect.objectContaining({ type: 'CaseResolved' }),
        {
          type: 'SlaClockMet',
          // Wednesday 10:00–12:00 and 13:00–18:00 (7 h), Thursday 09:00–11:00 (2 h).
          data: {
            caseId: CASE_ID,
            clockId: 'resolution',
            at: utc('2026-11-26T11:00'),
            late: true,
            consumedMs: 9 * HOUR,
          },
        },
      ]);
      expect(clockOf(resolved, 'resolution')?.clock).toMatchObject({ breachedAt: utc('2026-11-26T10:00') });
    });

    it('a reopening starts the resolution clock again, as a new start of it', () => {
      const closed = history(
        ...simpleCase(),
        on(a.resolution(), '2026-11-26T11:00'),
        on(a.closure(), '2026-11-26T11:30'),
      );
      const reopened = historyOf(decider, [on(a.reopening(), '2026-11-30T10:00')], closed);
      expect(reopened.at(-1)).toMatchObject({
        type: 'SlaClockStarted',
        // Monday 10:00–12:00 and 13:00–18:00 (7 h), then Tuesday 09:00–10:00.
        data: { clockId: 'resolution', at: utc('2026-11-30T10:00'), dueAt: utc('2026-12-01T10:00') },
      });
      expect(clockOf(reopened, 'resolution')).toMatchObject({ instance: 2, clock: { status: 'active' } });
    });
  });

  describe('timers re-check the clock against the case as it is now', () => {
    const running = () => history(...chatCase());

    it('a warning is recorded at the instant the warning share ran out, however late the timer fires', () => {
      given(running())
        .when(on(timer('RecordSlaWarning', 'progress_update'), '2026-11-25T17:30', actors.slaClock))
        .then([
          {
            type: 'SlaClockWarned',
            data: {
              caseId: CASE_ID,
              clockId: 'progress_update',
              at: utc('2026-11-25T17:24'),
              dueAt: utc('2026-11-26T10:00'),
            },
          },
        ]);
    });

    it('an early timer, a stale one (another start of the clock), a paused or a met clock record nothing', () => {
      const refusal = (history: CaseEvent[], command: CaseCommand) => {
        try {
          decider.decide(command, stateOf(decider, history));
        } catch (error) {
          return (error as DomainError).code;
        }
        return 'decided';
      };
      const warn = timer('RecordSlaWarning', 'progress_update');
      expect(refusal(running(), on(warn, '2026-11-25T17:00', actors.slaClock))).toBe('SLA_CLOCK.WARNING_NOT_DUE');
      expect(refusal(running(), on(timer('RecordSlaWarning', 'progress_update', 2), '2026-11-25T17:30'))).toBe(
        'CASE.SLA_TIMER_STALE',
      );
      const paused = historyOf(decider, [on(a.waitingStart(), '2026-11-25T11:00')], running());
      expect(refusal(paused, on(warn, '2026-11-25T17:30'))).toBe('CASE.SLA_CLOCK_PAUSED');
      expect(refusal(running(), on(timer('RecordSlaBreach', 'first_response'), '2026-11-25T10:00:20'))).toBe(
        'SLA_CLOCK.ALREADY_MET',
      );
      expect(refusal(running(), on(timer('RecordSlaBreach', 'progress_update'), '2026-11-26T09:59'))).toBe(
        'SLA_CLOCK.NOT_DUE',
      );
      expect(refusal(running(), on(timer('RecordSlaBreach', 'next_response'), '2026-11-26T09:59'))).toBe(
        'CASE.SLA_TIMER_STALE',
      );
    });

    it('a breach is recorded at the due instant, once', () => {
      const breach = on(timer('RecordSlaBreach', 'progress_update'), '2026-11-26T10:05', actors.slaClock);
      given(running())
        .when(breach)
        .then([
          {
            type: 'SlaClockBreached',
            data: {
              caseId: CASE_ID,
              clockId: 'progress_update',
              at: utc('2026-11-26T10:00'),
              dueAt: utc('2026-11-26T10:00'),
            },
          },
        ]);
      given(historyOf(decider, [breach], running()))
        .when(on(timer('RecordSlaBreach', 'progress_update'), '2026-11-26T10:06', actors.slaClock))
        .thenThrows(DomainError, { kind: 'conflict', code: 'SLA_CLOCK.ALREADY_BREACHED' });
    });
  });

  describe('the escalation ladder of a breached clock (domain.md §1: agent → supervisor → complaint team)', () => {
    const breached = () =>
      history(...chatCase(), on(timer('RecordSlaBreach', 'progress_update'), '2026-11-26T10:00:01', actors.slaClock));

    it("a rung's deadline takes the case up by the platform's rules while the clock is not met", () => {
      given(breached())
        .when(on(rungDeadline('progress_update', 'supervisor'), '2026-11-26T10:00:02', actors.slaClock))
        .then([
          {
            type: 'CaseEscalated',
            data: {
              caseId: CASE_ID,
              at: utc('2026-11-26T10:00:02'),
              by: actors.slaClock.id,
              rung: 'supervisor',
              previousRung: null,
              reason: 'sla_breach',
              note: `SLA clock progress_update #1 overdue since ${utc('2026-11-26T10:00')}`,
            },
          },
        ]);
      const atSupervisor = historyOf(
        decider,
        [on(rungDeadline('progress_update', 'supervisor'), '2026-11-26T10:00:02', actors.slaClock)],
        breached(),
      );
      given(atSupervisor)
        .when(on(rungDeadline('progress_update', 'complaint_team'), '2026-11-26T12:00', actors.slaClock))
        .thenMatches([{ type: 'CaseEscalated', data: { rung: 'complaint_team', previousRung: 'supervisor' } }]);
    });

    it('a case already at the rung or above stays where it is', () => {
      const higher = historyOf(
        decider,
        [on(a.escalation({ rung: 'complaint_team' }), '2026-11-26T10:00:01', actors.supervisor)],
        breached(),
      );
      given(higher)
        .when(on(rungDeadline('progress_update', 'supervisor'), '2026-11-26T10:00:02', actors.slaClock))
        .thenNothing();
    });

    it('a clock met before the deadline (or restarted since) climbs no further', () => {
      const updated = historyOf(decider, [on(outbound('c-9'), '2026-11-26T11:00')], breached());
      expect(updated.slice(-2)).toMatchObject([
        // 8 h budget, met at 9 h: late.
        { type: 'SlaClockMet', data: { clockId: 'progress_update', late: true, consumedMs: 9 * HOUR } },
        { type: 'SlaClockStarted', data: { clockId: 'progress_update' } },
      ]);
      given(updated)
        .when(on(rungDeadline('progress_update', 'complaint_team'), '2026-11-26T12:00', actors.slaClock))
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.SLA_TIMER_STALE' });
      const lateFirstResponse = history(
        on(a.openCase(), '2026-11-25T10:00'),
        on(timer('RecordSlaBreach', 'first_response'), '2026-11-25T10:00:16', actors.slaClock),
        on(a.acknowledgement(), '2026-11-25T10:01'),
      );
      given(lateFirstResponse)
        .when(on(rungDeadline('first_response', 'supervisor'), '2026-11-25T10:01:01', actors.slaClock))
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.SLA_CLOCK_NOT_BREACHED' });
    });
  });

  it('the state holds the clocks as plain SlaClock data: figures derive from it with the calendar', () => {
    const events = history(
      ...chatCase(),
      on(a.waitingStart(), '2026-11-25T11:00'),
      on(a.waitingEnd(), '2026-11-26T09:30'),
    );
    const progress = clockOf(events, 'progress_update');
    expect(progress?.clock.status).toBe('active');
    // 10:00–11:00 on Wednesday, 09:30–10:00 on Thursday.
    expect(SlaClock.consumed(progress!.clock, calendar, sh('2026-11-26T10:00'))).toBe(90 * MINUTE);
    expect(SlaClock.dueAt(progress!.clock, calendar)?.toISOString()).toBe(progress?.dueAt);
  });
});

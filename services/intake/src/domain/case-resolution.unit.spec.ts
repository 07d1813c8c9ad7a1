import { specOf, stateOf } from '@aftersales/testing/decider';
import { caseDecider, createCaseDecider } from './case.decider';
import { CaseRuleBroken } from './case.errors';
import { a, actors, caseAt, CASE_ID, iso, minutes } from './testing/case.builder';

const given = specOf(caseDecider);
const audit = (at: number, by: string = actors.agent.id) => ({ caseId: CASE_ID, at: iso(at), by });
const DAY = 24 * 60;

// Seed 000 §3.3.3–5: collaboration notices with requirement, deadline and owner; track execution; confirm the result.
// §2.3: tell the customer the result and its basis, and the route to object.
describe('Case decider: execution, resolution, closure and reopening', () => {
  describe('RequestCollaboration', () => {
    it('asks the warehouse with requirement, deadline and owner while the solution is executed', () => {
      const { collaborationId, party, requirement, deadline, owner } = a.collaboration().data;
      given(caseAt('in_execution'))
        .when(a.collaboration())
        .then([
          {
            type: 'CaseCollaborationRequested',
            data: { ...audit(9), collaborationId, party, requirement, deadline, owner },
          },
        ]);
    });

    it('refuses a deadline that is not ahead', () => {
      given(caseAt('in_execution'))
        .when(a.collaboration({ deadline: iso(9) }))
        .thenThrows(CaseRuleBroken, { kind: 'invalid', code: 'CASE.DEADLINE_PASSED' });
    });

    it('refuses the same request twice, and a request before a solution is accepted', () => {
      given(caseAt('in_execution', a.collaboration()))
        .when(a.collaboration())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.COLLABORATION_EXISTS' });
      given(caseAt('solution_proposed'))
        .when(a.collaboration())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.NOT_IN_EXECUTION' });
    });
  });

  describe('CompleteCollaboration', () => {
    it('completes it, saying whether the deadline was kept', () => {
      given(caseAt('in_execution', a.collaboration()))
        .when(a.collaborationDone())
        .then([
          {
            type: 'CaseCollaborationCompleted',
            data: {
              ...audit(60),
              collaborationId: a.collaboration().data.collaborationId,
              result: 'Shipped, SF9876543210',
              withinDeadline: true,
            },
          },
        ]);
      given(caseAt('in_execution', a.collaboration()))
        .when(a.collaborationDone({}, { at: 2 * DAY }))
        .thenMatches([{ type: 'CaseCollaborationCompleted', data: { withinDeadline: false } }]);
    });

    it('refuses an unknown collaboration (404) and a second completion', () => {
      given(caseAt('in_execution'))
        .when(a.collaborationDone())
        .thenThrows(CaseRuleBroken, { kind: 'not_found', code: 'CASE.COLLABORATION_NOT_FOUND' });
      given(caseAt('in_execution', a.collaboration(), a.collaborationDone()))
        .when(a.collaborationDone({}, { at: 61 }))
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.COLLABORATION_COMPLETED' });
    });
  });

  describe('ResolveCase', () => {
    it("resolves with outcome, basis and the route to object; the tenant's reopen window starts", () => {
      const { outcome, basis, objectionRoute } = a.resolution().data;
      given(caseAt('in_execution', a.collaboration(), a.collaborationDone()))
        .when(a.resolution())
        .then([
          {
            type: 'CaseResolved',
            data: {
              ...audit(120),
              solutionKind: 'reship',
              outcome,
              basis,
              objectionRoute,
              // 120 min + 7 days (the default reopen window)
              reopenableUntil: iso(120 + 7 * DAY),
            },
          },
        ]);
    });

    it("fixes the tenant's own window at resolution", () => {
      specOf(createCaseDecider({ reopenWindowDays: 15, identityVerificationMinutes: 30 }))(caseAt('in_execution'))
        .when(a.resolution())
        .thenMatches([{ type: 'CaseResolved', data: { reopenableUntil: iso(120 + 15 * DAY) } }]);
    });

    it('refuses while a collaboration is not done', () => {
      given(caseAt('in_execution', a.collaboration()))
        .when(a.resolution())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.COLLABORATIONS_OPEN' });
    });

    it('refuses while the case waits on someone', () => {
      given(caseAt('in_execution', a.waitingStart({ on: 'third_party', reason: 'Carrier claim' })))
        .when(a.resolution())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.WAITING' });
    });

    it('refuses before a solution is accepted, and twice', () => {
      given(caseAt('investigating'))
        .when(a.resolution())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.NOT_IN_EXECUTION' });
      given(caseAt('resolved'))
        .when(a.resolution())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.ALREADY_RESOLVED' });
    });
  });

  describe('CloseCase', () => {
    it('closes a resolved case, repeating until when it may be reopened', () => {
      given(caseAt('resolved'))
        .when(a.closure('Customer confirmed delivery'))
        .then([
          {
            type: 'CaseClosed',
            data: { ...audit(180), reopenableUntil: iso(120 + 7 * DAY), note: 'Customer confirmed delivery' },
          },
        ]);
    });

    it('refuses an unresolved case, and a closed one', () => {
      given(caseAt('in_execution'))
        .when(a.closure())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.NOT_RESOLVED' });
      given(caseAt('closed')).when(a.closure()).thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.CLOSED' });
    });
  });

  describe('ReopenCase', () => {
    it("reopens a closed case on the customer's objection within the window", () => {
      given(caseAt('closed'))
        .when(a.reopening())
        .then([
          {
            type: 'CaseReopened',
            data: { ...audit(240), objection: 'The replacement leaks too', from: 'closed', reopening: 1 },
          },
        ]);
    });

    it('reopens a resolved case up to the last instant of the window', () => {
      given(caseAt('resolved'))
        .when(a.reopening('Still broken', { at: 120 + 7 * DAY }))
        .thenMatches([{ type: 'CaseReopened', data: { from: 'resolved', reopening: 1 } }]);
    });

    it('refuses once the window has passed', () => {
      given(caseAt('closed'))
        .when(a.reopening('Too late', { at: 120 + 7 * DAY + 1 }))
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.REOPEN_WINDOW_PASSED' });
    });

    it('refuses a case that is not resolved', () => {
      given(caseAt('in_execution'))
        .when(a.reopening())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.NOT_RESOLVED' });
    });

    it('a reopened case is worked on again: investigated, a new proposal, resolved again with a new window', () => {
      const again = caseAt(
        'reopened',
        a.investigation({ at: 250 }),
        a.proposal(undefined, { at: 260 }),
        a.acceptance(1, { at: 270 }),
        a.resolution({}, { at: 300 }),
      );
      expect(stateOf(caseDecider, again)).toMatchObject({
        status: 'resolved',
        case: {
          proposals: 2,
          reopenings: [{ objection: 'The replacement leaks too', from: 'closed' }],
          resolution: { reopenableUntil: iso(300 + 7 * DAY) },
          closure: null,
        },
      });
      given(again)
        .when(a.reopening('Leaks again', { at: 400 }))
        .thenMatches([{ type: 'CaseReopened', data: { reopening: 2, from: 'resolved' } }]);
    });

    it('the window is fixed in the event: the state reads it, not the clock', () => {
      const state = stateOf(caseDecider, caseAt('closed'));
      expect(state.status === 'closed' && state.case.resolution.reopenableUntil).toBe(
        new Date(minutes(120).getTime() + 7 * DAY * 60_000).toISOString(),
      );
    });
  });
});

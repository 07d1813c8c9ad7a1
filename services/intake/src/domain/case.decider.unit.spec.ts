import { specOf, stateOf } from '@aftersales/testing/decider';
import { caseDecider } from './case.decider';
import { CaseAlreadyOpened, CaseNotFound, CaseRuleBroken, PurchaseInTheFuture } from './case.errors';
import { caseStatuses } from './case.values';
import { a, actors, caseAt, CASE_ID, iso } from './testing/case.builder';

const given = specOf(caseDecider);
const audit = (at: number, by: string = actors.agent.id) => ({ caseId: CASE_ID, at: iso(at), by });

describe('Case decider: opening, acknowledgement, classification, assignment', () => {
  describe('OpenCase', () => {
    it('opens a case with the tenant, the actor and the injected time', () => {
      given([])
        .when(a.openCase())
        .then([
          {
            type: 'CaseOpened',
            data: { ...a.openCase().data, tenant: 'shop-1', openedBy: 'agent-7', openedAt: iso(0) },
          },
        ]);
    });

    it('refuses to open the same case twice', () => {
      given(caseAt('opened'))
        .when(a.openCase())
        .thenThrows(CaseAlreadyOpened, { kind: 'conflict', code: 'CASE.ALREADY_OPENED' });
    });

    it('refuses a purchase dated after now', () => {
      given([])
        .when(a.openCase({ purchasedAt: '2026-11-26T00:00:00.000Z' }))
        .thenThrows(PurchaseInTheFuture, { kind: 'invalid', code: 'CASE.PURCHASE_IN_FUTURE' });
    });
  });

  describe('tenancy', () => {
    it('answers every command on a case that does not exist with CASE.NOT_FOUND', () => {
      given([]).when(a.acknowledgement()).thenThrows(CaseNotFound, { kind: 'not_found', code: 'CASE.NOT_FOUND' });
    });

    it("answers another tenant's command as if the case did not exist", () => {
      given(caseAt('opened'))
        .when(a.acknowledgement({}, { at: 1, tenant: 'shop-2' }))
        .thenThrows(CaseNotFound, { kind: 'not_found', code: 'CASE.NOT_FOUND' });
    });
  });

  describe('AcknowledgeCase (seed 000 §2.1, seed 002 §1.1)', () => {
    it("acknowledges with the expected cycle and next step; an agent's acknowledgement is the first response", () => {
      const { message, expectedCycle, nextStep } = a.acknowledgement().data;
      given(caseAt('opened'))
        .when(a.acknowledgement())
        .then([
          {
            type: 'CaseAcknowledged',
            data: { ...audit(1), message, expectedCycle, nextStep, automatic: false, handledFrom: null },
          },
          { type: 'CaseFirstResponseGiven', data: { ...audit(1), via: 'acknowledgement', communicationId: null } },
        ]);
    });

    it('off hours acknowledges automatically, saying when the case will be handled; that is no first response', () => {
      const automatic = a.acknowledgement(
        { automatic: true, expectedCycle: null, nextStep: 'An agent takes over at 9:00', handledFrom: iso(600) },
        { at: 1, actor: actors.chatIntegration },
      );
      given(caseAt('opened'))
        .when(automatic)
        .then([
          {
            type: 'CaseAcknowledged',
            data: {
              ...audit(1, 'chat-connector'),
              message: automatic.data.message,
              expectedCycle: null,
              nextStep: 'An agent takes over at 9:00',
              automatic: true,
              handledFrom: iso(600),
            },
          },
        ]);
    });

    it('refuses an automatic acknowledgement without a time ahead to handle the case', () => {
      for (const handledFrom of [null, iso(0)]) {
        given(caseAt('opened'))
          .when(a.acknowledgement({ automatic: true, handledFrom }))
          .thenThrows(CaseRuleBroken, { kind: 'invalid', code: 'CASE.HANDLED_FROM_REQUIRED' });
      }
    });

    it('refuses an acknowledgement that tells neither the expected cycle nor the next step', () => {
      given(caseAt('opened'))
        .when(a.acknowledgement({ expectedCycle: null, nextStep: null }))
        .thenThrows(CaseRuleBroken, { kind: 'invalid', code: 'CASE.ACKNOWLEDGEMENT_INCOMPLETE' });
    });

    it('refuses blank text', () => {
      given(caseAt('opened'))
        .when(a.acknowledgement({ message: '  ' }))
        .thenThrows(CaseRuleBroken, { kind: 'invalid', code: 'CASE.FIELD_REQUIRED' });
    });

    it('acknowledges once', () => {
      given(caseAt('acknowledged'))
        .when(a.acknowledgement())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.ALREADY_ACKNOWLEDGED' });
    });

    it('a later manual acknowledgement after an automatic one cannot happen: the case is acknowledged', () => {
      const automatic = a.acknowledgement({ automatic: true, handledFrom: iso(600) });
      given(caseAt('opened', automatic))
        .when(a.acknowledgement({}, { at: 600 }))
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.ALREADY_ACKNOWLEDGED' });
    });
  });

  describe('ClassifyCase', () => {
    it('classifies an acknowledged case', () => {
      given(caseAt('acknowledged'))
        .when(a.classification())
        .then([
          {
            type: 'CaseClassified',
            data: { ...audit(2), category: 'logistics', previousCategory: null, reason: null },
          },
        ]);
    });

    it('reclassifies later, recording the previous category and the reason; the stage is kept', () => {
      const reclassify = a.classification(
        { category: 'wrong-item', reason: 'The photo shows a toaster, not a kettle' },
        { at: 50 },
      );
      const history = caseAt('investigating');
      given(history)
        .when(reclassify)
        .then([
          {
            type: 'CaseClassified',
            data: {
              ...audit(50),
              category: 'wrong-item',
              previousCategory: 'logistics',
              reason: 'The photo shows a toaster, not a kettle',
            },
          },
        ]);
      const state = stateOf(caseDecider, [
        ...history,
        ...caseDecider.decide(reclassify, stateOf(caseDecider, history)),
      ]);
      expect(state).toMatchObject({
        status: 'investigating',
        case: { classification: { category: 'wrong-item', previous: ['logistics'] } },
      });
    });

    it('refuses a reclassification without a reason, or to the same category', () => {
      given(caseAt('classified'))
        .when(a.classification({ category: 'quality' }))
        .thenThrows(CaseRuleBroken, { kind: 'invalid', code: 'CASE.RECLASSIFICATION_REASON_REQUIRED' });
      given(caseAt('classified'))
        .when(a.classification({ category: 'logistics', reason: 'again' }))
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.SAME_CATEGORY' });
    });

    it('refuses to classify before the customer was told the case is accepted', () => {
      given(caseAt('opened'))
        .when(a.classification())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.NOT_ACKNOWLEDGED' });
    });

    it('refuses to reclassify a resolved or closed case', () => {
      given(caseAt('resolved'))
        .when(a.classification({ category: 'quality', reason: 'x' }))
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.RESOLVED' });
      given(caseAt('closed'))
        .when(a.classification({ category: 'quality', reason: 'x' }))
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.CLOSED' });
    });
  });

  describe('AssignCase', () => {
    it('assigns a classified case to a queue, a team and an agent', () => {
      given(caseAt('classified'))
        .when(a.assignment())
        .then([
          {
            type: 'CaseAssigned',
            data: {
              ...audit(3, 'supervisor-2'),
              queue: 'logistics-claims',
              team: 'after-sales-east',
              agentId: 'agent-7',
              previous: null,
              reason: null,
            },
          },
        ]);
    });

    it('reassigns, recording the previous assignment and counting reassignments', () => {
      const reassign = a.assignment({ agentId: 'agent-12', reason: 'agent-7 is off sick' }, { at: 40 });
      const history = caseAt('investigating');
      given(history)
        .when(reassign)
        .thenMatches([
          {
            type: 'CaseAssigned',
            data: {
              agentId: 'agent-12',
              previous: { queue: 'logistics-claims', team: 'after-sales-east', agentId: 'agent-7' },
              reason: 'agent-7 is off sick',
            },
          },
        ]);
      expect(stateOf(caseDecider, caseAt('investigating', reassign))).toMatchObject({
        status: 'investigating',
        case: { assignment: { agentId: 'agent-12', reassignments: 1 } },
      });
    });

    it('assigns to a queue and team without naming an agent', () => {
      given(caseAt('classified'))
        .when(a.assignment({ agentId: null }))
        .thenMatches([{ type: 'CaseAssigned', data: { agentId: null } }]);
    });

    it('refuses the same assignment again, and an assignment before classification', () => {
      given(caseAt('assigned'))
        .when(a.assignment())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.SAME_ASSIGNMENT' });
      given(caseAt('acknowledged'))
        .when(a.assignment())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.NOT_CLASSIFIED' });
      given(caseAt('opened'))
        .when(a.assignment())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.NOT_ACKNOWLEDGED' });
    });
  });

  it('walks the main path through every status', () => {
    const reached = caseStatuses.map((status) => stateOf(caseDecider, caseAt(status)).status);
    expect(reached).toEqual([...caseStatuses]);
  });
});

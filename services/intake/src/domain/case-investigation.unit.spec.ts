import { specOf, stateOf } from '@aftersales/testing/decider';
import { caseDecider } from './case.decider';
import { CaseRuleBroken } from './case.errors';
import { a, aSolution, actors, caseAt, CASE_ID, iso } from './testing/case.builder';

const given = specOf(caseDecider);
const audit = (at: number, by: string = actors.agent.id) => ({ caseId: CASE_ID, at: iso(at), by });

// Seed 000 §3.2: check order, logistics, product and customer history; establish the facts; determine responsibility;
// draft 1–3 solutions. §3.3: present them with basis, time and what the customer must do; the customer decides.
describe('Case decider: investigation, responsibility, solutions and the customer’s decision', () => {
  describe('StartInvestigation', () => {
    it('starts investigating an assigned case', () => {
      given(caseAt('assigned'))
        .when(a.investigation())
        .then([{ type: 'CaseInvestigationStarted', data: audit(4) }]);
    });

    it('refuses before the case is assigned', () => {
      given(caseAt('classified'))
        .when(a.investigation())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.NOT_ASSIGNED' });
    });

    it('starts once per assignment', () => {
      for (const stage of ['investigating', 'solution_proposed', 'in_execution'] as const) {
        given(caseAt(stage))
          .when(a.investigation())
          .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.INVESTIGATION_STARTED' });
      }
    });
  });

  describe('RecordFact', () => {
    it('records a fact with its source while investigating', () => {
      const { kind, summary, source, sourceRef } = a.fact().data;
      given(caseAt('investigating'))
        .when(a.fact())
        .then([{ type: 'CaseFactRecorded', data: { ...audit(5), kind, summary, source, sourceRef } }]);
    });

    it('refuses facts outside the investigation', () => {
      given(caseAt('assigned'))
        .when(a.fact())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.NOT_INVESTIGATING' });
      given(caseAt('closed')).when(a.fact()).thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.CLOSED' });
    });
  });

  describe('DetermineResponsibility', () => {
    it('determines responsibility on the facts gathered', () => {
      given(caseAt('investigating', a.fact()))
        .when(a.responsibility())
        .then([
          {
            type: 'CaseResponsibilityDetermined',
            data: { ...audit(6), party: 'carrier', basis: 'Damage recorded in transit by the carrier', previous: null },
          },
        ]);
    });

    it('refuses without facts', () => {
      given(caseAt('investigating'))
        .when(a.responsibility())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.FACTS_REQUIRED' });
    });

    it('records a new determination with the previous one, and refuses the same one again', () => {
      const history = caseAt('investigating', a.fact(), a.responsibility());
      given(history)
        .when(a.responsibility({ party: 'merchant', basis: 'Packed without padding' }))
        .thenMatches([
          {
            type: 'CaseResponsibilityDetermined',
            data: {
              party: 'merchant',
              previous: { party: 'carrier', basis: 'Damage recorded in transit by the carrier' },
            },
          },
        ]);
      given(history)
        .when(a.responsibility())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.SAME_RESPONSIBILITY' });
    });
  });

  describe('ProposeSolutions', () => {
    const ready = () => caseAt('investigating', a.fact(), a.responsibility());
    const three = [
      aSolution(),
      aSolution({ kind: 'refund_only', description: 'Refund the kettle', expectedTime: '1–3 days' }),
      aSolution({
        kind: 'compensation',
        description: 'Keep it with a coupon',
        amount: { amountMinor: 5000, currency: 'CNY' },
      }),
    ];

    it('proposes 1 to 3 solutions with basis, time and what the customer must do', () => {
      given(ready())
        .when(a.proposal(three))
        .then([{ type: 'CaseSolutionsProposed', data: { ...audit(7), proposal: 1, solutions: three } }]);
    });

    it('refuses none or more than three', () => {
      for (const solutions of [[], [...three, aSolution()]]) {
        given(ready())
          .when(a.proposal(solutions))
          .thenThrows(CaseRuleBroken, { kind: 'invalid', code: 'CASE.SOLUTION_COUNT' });
      }
    });

    it('refuses before responsibility is determined', () => {
      given(caseAt('investigating', a.fact()))
        .when(a.proposal())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.RESPONSIBILITY_UNDETERMINED' });
    });

    it('refuses a solution with a blank field', () => {
      given(ready())
        .when(a.proposal([aSolution({ customerActions: ' ' })]))
        .thenThrows(CaseRuleBroken, { kind: 'invalid', code: 'CASE.FIELD_REQUIRED' });
    });

    it('numbers the next proposal after a rejection', () => {
      given(caseAt('solution_proposed', a.rejection()))
        .when(a.proposal([aSolution({ kind: 'refund_only' })], { at: 20 }))
        .thenMatches([{ type: 'CaseSolutionsProposed', data: { proposal: 2 } }]);
    });
  });

  describe('AcceptSolution', () => {
    it('the customer accepts an option: execution starts', () => {
      given(caseAt('solution_proposed'))
        .when(a.acceptance(1))
        .then([{ type: 'CaseSolutionAccepted', data: { ...audit(8), proposal: 1, option: 1, solution: aSolution() } }]);
      expect(stateOf(caseDecider, caseAt('in_execution')).status).toBe('in_execution');
    });

    it('refuses an option the proposal does not have', () => {
      for (const option of [0, 2, 1.5]) {
        given(caseAt('solution_proposed'))
          .when(a.acceptance(option))
          .thenThrows(CaseRuleBroken, { kind: 'invalid', code: 'CASE.UNKNOWN_OPTION' });
      }
    });

    it('refuses without a proposal on the table', () => {
      given(caseAt('investigating'))
        .when(a.acceptance())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.NO_SOLUTION_PROPOSED' });
      given(caseAt('in_execution'))
        .when(a.acceptance())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.NO_SOLUTION_PROPOSED' });
    });

    it("ends a wait on the customer's choice", () => {
      given(caseAt('solution_proposed', a.waitingStart({ reason: 'Customer choosing an option' }, { at: 7 })))
        .when(a.acceptance(1, { at: 45 }))
        .then([
          {
            type: 'CaseWaitingEnded',
            data: {
              ...audit(45),
              on: 'customer',
              since: iso(7),
              endedBy: 'customer_decision',
              note: null,
              communicationId: null,
            },
          },
          { type: 'CaseSolutionAccepted', data: { ...audit(45), proposal: 1, option: 1, solution: aSolution() } },
        ]);
    });
  });

  describe('RejectSolutions', () => {
    it('the customer rejects the proposal: back to investigating, with the reason', () => {
      const history = caseAt('solution_proposed');
      given(history)
        .when(a.rejection())
        .then([
          {
            type: 'CaseSolutionsRejected',
            data: { ...audit(8), proposal: 1, reason: 'I want a refund, not a new kettle' },
          },
        ]);
      expect(stateOf(caseDecider, caseAt('solution_proposed', a.rejection()))).toMatchObject({
        status: 'investigating',
        case: { proposal: null, rejections: [{ proposal: 1, reason: 'I want a refund, not a new kettle' }] },
      });
    });

    it('refuses a blank reason, and a rejection without a proposal', () => {
      given(caseAt('solution_proposed'))
        .when(a.rejection(' '))
        .thenThrows(CaseRuleBroken, { kind: 'invalid', code: 'CASE.FIELD_REQUIRED' });
      given(caseAt('investigating'))
        .when(a.rejection())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.NO_SOLUTION_PROPOSED' });
    });
  });
});

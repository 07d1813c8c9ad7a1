import { specOf, stateOf } from '@aftersales/testing/decider';
import { caseDecider } from './case.decider';
import { CaseRuleBroken } from './case.errors';
import { a, actors, caseAt, CASE_ID, iso } from './testing/case.builder';

const given = specOf(caseDecider);
const audit = (at: number, by: string) => ({ caseId: CASE_ID, at: iso(at), by });

// Seed 000 §3.5.2: complaints a first-line agent cannot solve go to the supervisor or the dedicated complaint team;
// §3.5.3: injury, major property loss, group events, media exposure, legal disputes go to senior management.
// domain.md §1: a breached clock escalates agent → supervisor → complaint team.
describe('Case decider: escalation ladder', () => {
  it('an agent escalates to the supervisor', () => {
    given(caseAt('investigating'))
      .when(a.escalation({ note: 'Customer asks for a manager' }))
      .then([
        {
          type: 'CaseEscalated',
          data: {
            ...audit(11, 'agent-7'),
            rung: 'supervisor',
            previousRung: null,
            reason: 'manual',
            note: 'Customer asks for a manager',
          },
        },
      ]);
  });

  it('an agent cannot take a case to the complaint team or senior management', () => {
    for (const rung of ['complaint_team', 'senior_management'] as const) {
      given(caseAt('investigating'))
        .when(a.escalation({ rung }))
        .thenThrows(CaseRuleBroken, { kind: 'forbidden', code: 'CASE.ESCALATION_FORBIDDEN' });
    }
  });

  it('a supervisor takes it to the complaint team, recording the rung it leaves', () => {
    given(caseAt('investigating', a.escalation()))
      .when(a.escalation({ rung: 'complaint_team' }, { at: 20, actor: actors.supervisor }))
      .then([
        {
          type: 'CaseEscalated',
          data: {
            ...audit(20, 'supervisor-2'),
            rung: 'complaint_team',
            previousRung: 'supervisor',
            reason: 'manual',
            note: null,
          },
        },
      ]);
  });

  it("the platform's rules escalate on their own (an SLA breach, a severe complaint)", () => {
    given(caseAt('assigned'))
      .when(a.escalation({ rung: 'supervisor', reason: 'sla_breach' }, { at: 61, actor: actors.slaClock }))
      .thenMatches([{ type: 'CaseEscalated', data: { rung: 'supervisor', reason: 'sla_breach' } }]);
    given(caseAt('opened'))
      .when(a.escalation({ rung: 'senior_management', reason: 'severe_complaint' }, { actor: actors.slaClock }))
      .thenMatches([{ type: 'CaseEscalated', data: { rung: 'senior_management', previousRung: null } }]);
  });

  it('an automatic escalation to a rung the case is at or above changes nothing (redelivered, or overtaken)', () => {
    const history = caseAt(
      'investigating',
      a.escalation({ rung: 'complaint_team' }, { at: 11, actor: actors.supervisor }),
    );
    for (const rung of ['supervisor', 'complaint_team'] as const) {
      given(history)
        .when(a.escalation({ rung, reason: 'sla_breach' }, { at: 30, actor: actors.slaClock }))
        .thenNothing();
    }
  });

  it('a person asking for a rung the case is at or above is told so', () => {
    given(caseAt('investigating', a.escalation()))
      .when(a.escalation({}, { at: 12 }))
      .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.ALREADY_ESCALATED' });
  });

  it('escalates a resolved case (a complaint about the outcome), not a closed one', () => {
    given(caseAt('resolved'))
      .when(a.escalation())
      .thenMatches([{ type: 'CaseEscalated' }]);
    given(caseAt('closed')).when(a.escalation()).thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.CLOSED' });
  });

  it('the state shows the rung, the reason and who escalated', () => {
    expect(stateOf(caseDecider, caseAt('opened', a.escalation()))).toMatchObject({
      case: { escalation: { rung: 'supervisor', reason: 'manual', by: 'agent-7', at: iso(11) } },
    });
  });
});

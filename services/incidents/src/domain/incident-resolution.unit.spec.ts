import { historyOf, specOf, stateOf } from '@aftersales/testing/decider';
import {
  FieldRequired,
  incidentRules,
  InvalidIncidentTransition,
  NotResponsibleGroup,
  ConfirmationOverrideNotAllowed,
  ResolutionIncomplete,
  SolutionApprovalNotAllowed,
} from './incident.errors';
import { createIncidentDecider, incidentDecider } from './incident.decider';
import { resolvePolicy } from './incident-policy';
import type { IncidentLevel } from './incident.values';
import { actors } from './testing/actors.fixture';
import { anIncidentHistory, incidentCommands } from './testing/incident.builder';
import { TestClock } from './testing/test-clock';

const given = specOf(incidentDecider);

let clock: TestClock;
let command: ReturnType<typeof incidentCommands>;
beforeEach(() => {
  clock = new TestClock('2026-11-25T08:00:00.000Z');
  command = incidentCommands(clock);
});

describe('Incident resolution', () => {
  describe('root cause: recorded after contact by the group responsible for the category', () => {
    it('tech support records root and direct cause of a product fault; the incident enters resolution', () => {
      const contained = anIncidentHistory(clock, { until: 'contained' });
      const events = given(contained)
        .when(
          command.rootCause(
            { rootCause: 'Separator film too thin', directCause: 'Cells overheat' },
            actors.techSupport,
          ),
        )
        .thenMatches([
          {
            type: 'RootCauseRecorded',
            data: {
              rootCause: 'Separator film too thin',
              directCause: 'Cells overheat',
              revision: false,
              actor: { id: 'tech-1', role: 'tech-support' },
            },
          },
        ]);
      expect(stateOf(incidentDecider, [...contained, ...events])).toMatchObject({
        status: 'resolution',
        resolution: { step: 'root-caused' },
      });
    });

    it.each([
      ['service-failure', 'quality', actors.quality],
      ['special-scenario', 'logistics', actors.logistics],
    ] as const)('a %s is analysed by %s', (category, _role, analyst) => {
      given(anIncidentHistory(clock, { until: 'contained', category }))
        .when(command.rootCause({}, analyst))
        .thenMatches([{ type: 'RootCauseRecorded' }]);
    });

    it('refuses anyone outside the responsible group', () => {
      given(anIncidentHistory(clock, { until: 'contained' }))
        .when(command.rootCause({}, actors.agent))
        .thenThrows(NotResponsibleGroup, { kind: 'forbidden', code: 'INCIDENT.NOT_RESPONSIBLE_GROUP' });
    });

    it('is refused before customers are contacted', () => {
      const opened = anIncidentHistory(clock, { until: 'activated' });
      const error = given(opened).when(command.rootCause()).thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
      expect(error.rule).toBe(incidentRules.rootCauseAfterContact);
    });

    it('may be revised until a solution is approved, not after', () => {
      given(anIncidentHistory(clock, { until: 'root-caused' }))
        .when(command.rootCause({ rootCause: 'Supplier changed the separator' }))
        .thenMatches([{ type: 'RootCauseRecorded', data: { revision: true } }]);
      given(anIncidentHistory(new TestClock(), { until: 'approved' }))
        .when(command.rootCause())
        .thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
    });

    it('needs both causes', () => {
      given(anIncidentHistory(clock, { until: 'contained' }))
        .when(command.rootCause({ directCause: '' }))
        .thenThrows(FieldRequired, { kind: 'invalid' });
    });
  });

  describe('solution approval: L1 by emergency leadership, L2/L3 by the department head, otherwise forbidden', () => {
    it.each([
      ['L1', 'general-manager', actors.generalManager],
      ['L1', 'incident-commander', actors.incidentCommander],
      ['L2', 'cs-director', actors.csDirector],
      ['L3', 'cs-manager', actors.csManager],
      ['L3', 'cs-director', actors.csDirector],
    ] as const)('an %s solution is approved by the %s', (level, role, approver) => {
      given(anIncidentHistory(clock, { until: 'root-caused', level }))
        .when(command.approve({}, approver))
        .thenMatches([
          {
            type: 'SolutionApproved',
            data: { level, solution: { kind: 'replace' }, actor: { id: approver.id, role } },
          },
        ]);
    });

    it.each([
      ['L1', 'cs-director', actors.csDirector],
      ['L2', 'cs-manager', actors.csManager],
      ['L2', 'general-manager', actors.generalManager],
      ['L3', 'agent', actors.agent],
    ] as const)('an %s solution is not approved by the %s', (level: IncidentLevel, _role, actor) => {
      given(anIncidentHistory(clock, { until: 'root-caused', level }))
        .when(command.approve({}, actor))
        .thenThrows(SolutionApprovalNotAllowed, { kind: 'forbidden', code: 'INCIDENT.APPROVAL_FORBIDDEN' });
    });

    it('needs emergency leadership for a recall, even at L3', () => {
      const recall = { solution: { kind: 'recall', description: 'Recall batch B-7' } } as const;
      const rootCaused = anIncidentHistory(clock, { until: 'root-caused', level: 'L3' });
      given(rootCaused)
        .when(command.approve(recall, actors.csManager))
        .thenThrows(SolutionApprovalNotAllowed, { kind: 'forbidden' });
      given(rootCaused)
        .when(command.approve(recall, actors.generalManager))
        .thenMatches([{ type: 'SolutionApproved' }]);
    });

    it('records the approving role when the actor holds several', () => {
      given(anIncidentHistory(clock, { until: 'root-caused', level: 'L2' }))
        .when(command.approve({}, { id: 'dir-2', roles: ['agent', 'cs-director'] }))
        .thenMatches([{ type: 'SolutionApproved', data: { actor: { id: 'dir-2', role: 'cs-director' } } }]);
    });

    it('approves once, after the root cause', () => {
      given(anIncidentHistory(clock, { until: 'contained' }))
        .when(command.approve())
        .thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
      given(anIncidentHistory(new TestClock(), { until: 'approved' }))
        .when(command.approve())
        .thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
    });
  });

  describe('implementation and customer confirmation follow the approval', () => {
    it('tracks progress until the implementation is completed', () => {
      const approved = anIncidentHistory(clock, { until: 'approved' });
      const inProgress = historyOf(
        incidentDecider,
        [command.implement({ progress: '40 % replaced', completed: false })],
        approved,
      );
      expect(stateOf(incidentDecider, inProgress)).toMatchObject({ resolution: { step: 'approved' } });
      const done = historyOf(
        incidentDecider,
        [command.implement({ progress: 'All replaced', completed: true })],
        inProgress,
      );
      expect(stateOf(incidentDecider, done)).toMatchObject({ resolution: { step: 'implemented', confirmations: 0 } });
    });

    it('implements only an approved solution, until completed', () => {
      given(anIncidentHistory(clock, { until: 'root-caused' }))
        .when(command.implement())
        .thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
      given(anIncidentHistory(new TestClock(), { until: 'implemented' }))
        .when(command.implement())
        .thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
    });

    it('records a customer’s confirmation once the implementation is completed', () => {
      given(anIncidentHistory(clock, { until: 'implemented' }))
        .when(command.confirm({ customerRef: 'CUS-3', satisfaction: 'neutral', note: 'Works, but took long' }))
        .thenMatches([
          {
            type: 'CustomerConfirmationRecorded',
            data: { customerRef: 'CUS-3', satisfaction: 'neutral', note: 'Works, but took long' },
          },
        ]);
    });

    it('refuses a confirmation before the implementation is completed', () => {
      given(anIncidentHistory(clock, { until: 'approved' }))
        .when(command.confirm())
        .thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
    });
  });

  // Issue 13; seed 004 §4(三)4 (「客服人員需聯系客戶確認…要求客戶簽署《問題解決確認單》」): each affected customer confirms;
  // policy confirmationSharePercent says how many must (100 by default), or the level's lead records an override.
  describe("resolution needs the policy share of the affected customers' confirmations, or the lead's recorded override", () => {
    const customers = ['CUS-1', 'CUS-2', 'CUS-3', 'CUS-4'];
    /** An L3 incident with four affected customers, its solution implemented, confirmed by `confirmedBy`. */
    const implementedFor = (confirmedBy: readonly string[], decider = incidentDecider) =>
      historyOf(decider, [
        command.declare({ level: 'L3' }),
        ...customers.map((customerRef, i) => command.attach({ complaintId: `CMP-${i}`, customerRef })),
        command.contact({ customerRefs: customers }),
        command.rootCause({}, actors.techSupport),
        command.approve({}, actors.csManager),
        command.implement(),
        ...confirmedBy.map((customerRef) => command.confirm({ customerRef, satisfaction: 'satisfied' })),
      ]);

    it('three of four confirmations are not enough by default', () => {
      const error = given(implementedFor(customers.slice(0, 3)))
        .when(command.resolve())
        .thenThrows(ResolutionIncomplete, { kind: 'conflict', code: 'INCIDENT.RESOLUTION_INCOMPLETE' });
      expect(error.message).toContain('3 of the 4 customer confirmations the L3 policy requires');
    });

    it('every affected customer confirming resolves, recording the count', () => {
      given(implementedFor(customers))
        .when(command.resolve())
        .thenMatches([{ type: 'IncidentResolved', data: { confirmations: { confirmed: 4, required: 4 } } }]);
    });

    it('the same customer confirming twice counts once', () => {
      const twice = implementedFor(['CUS-1', 'CUS-1', 'CUS-2', 'CUS-3']);
      given(twice).when(command.resolve()).thenThrows(ResolutionIncomplete, { kind: 'conflict' });
    });

    it('a tenant requiring half of them resolves with two of four', () => {
      const half = createIncidentDecider(resolvePolicy({ confirmationSharePercent: { L3: 50 } }));
      specOf(half)(implementedFor(['CUS-1', 'CUS-2'], half))
        .when(command.resolve())
        .thenMatches([{ type: 'IncidentResolved', data: { confirmations: { confirmed: 2, required: 2 } } }]);
    });

    it("the level's lead resolves with fewer, recording the override and its reason", () => {
      given(implementedFor(['CUS-1']))
        .when(
          command.resolve(
            { confirmationOverride: { reason: 'Three customers unreachable for a week' } },
            actors.csManager,
          ),
        )
        .thenMatches([
          {
            type: 'IncidentResolved',
            data: {
              confirmations: { confirmed: 1, required: 4 },
              confirmationOverride: {
                reason: 'Three customers unreachable for a week',
                by: { id: 'mgr-1', role: 'cs-manager' },
              },
            },
          },
        ]);
    });

    it("an override by someone who is neither the level's lead nor emergency leadership is forbidden", () => {
      const error = given(implementedFor(['CUS-1']))
        .when(command.resolve({ confirmationOverride: { reason: 'Unreachable' } }, actors.agent))
        .thenThrows(ConfirmationOverrideNotAllowed, {
          kind: 'forbidden',
          code: 'INCIDENT.CONFIRMATION_OVERRIDE_FORBIDDEN',
        });
      expect(error.rule).toBe(incidentRules.confirmationOverrideRoles);
    });

    it('an override states its reason', () => {
      given(implementedFor(['CUS-1']))
        .when(command.resolve({ confirmationOverride: { reason: ' ' } }, actors.csManager))
        .thenThrows(FieldRequired, { kind: 'invalid' });
    });
  });

  describe('resolve: needs an implemented solution confirmed by a customer; the retrospective falls due', () => {
    it.each([
      ['L1', '2026-11-26T09:00:00.000Z'],
      ['L2', '2026-11-27T09:00:00.000Z'],
      ['L3', '2026-11-28T09:00:00.000Z'],
    ] as const)('an %s incident resolved at 09:00 on the 25th owes its retrospective by %s', (level, dueAt) => {
      // The fixture's steps are 10 min apart from 08:00: confirmed at 08:50, resolved at 09:00;
      // the retrospective is due 24 / 48 / 72 h later.
      const confirmed = anIncidentHistory(clock, { until: 'confirmed', level });
      clock.advance({ minutes: 10 });
      given(confirmed)
        .when(command.resolve({ summary: 'All batteries replaced' }))
        .thenMatches([
          {
            type: 'IncidentResolved',
            data: {
              level,
              summary: 'All batteries replaced',
              retrospectiveDueAt: dueAt,
              satisfactionTargetPercent: { L1: 90, L2: 85, L3: 80 }[level],
              at: '2026-11-25T09:00:00.000Z',
            },
          },
        ]);
    });

    it("records the tenant's satisfaction target for the level, which surveys measure against", () => {
      const decider = createIncidentDecider(resolvePolicy({ satisfactionTargetPercent: { L3: 70 } }));
      const confirmed = anIncidentHistory(clock, { until: 'confirmed', decider });
      specOf(decider)(confirmed)
        .when(command.resolve())
        .thenMatches([{ type: 'IncidentResolved', data: { level: 'L3', satisfactionTargetPercent: 70 } }]);
    });

    it('enters follow-up', () => {
      expect(stateOf(incidentDecider, anIncidentHistory(clock, { until: 'resolved' }))).toMatchObject({
        status: 'follow-up',
        followUp: { satisfaction: null, followUpOutstanding: false, retrospectiveRecordedAt: null },
      });
    });

    it('is refused without a customer confirmation', () => {
      given(anIncidentHistory(clock, { until: 'implemented' }))
        .when(command.resolve())
        .thenThrows(ResolutionIncomplete, { kind: 'conflict', code: 'INCIDENT.RESOLUTION_INCOMPLETE' });
    });

    it('is refused before the solution is implemented', () => {
      given(anIncidentHistory(clock, { until: 'approved' }))
        .when(command.resolve())
        .thenThrows(ResolutionIncomplete, { kind: 'conflict' });
    });

    it('is refused before resolution started', () => {
      given(anIncidentHistory(clock, { until: 'contained' }))
        .when(command.resolve())
        .thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
    });
  });
});

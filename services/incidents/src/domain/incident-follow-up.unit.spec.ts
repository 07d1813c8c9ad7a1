import { historyOf, specOf, stateOf } from '@aftersales/testing/decider';
import {
  ClosureCheckNotAllowed,
  ClosureChecksMissing,
  FieldRequired,
  FollowUpOutstanding,
  incidentRules,
  InvalidIncidentTransition,
  RetrospectiveMissing,
  SatisfactionNotMeasured,
  SatisfactionOutOfRange,
} from './incident.errors';
import { createIncidentDecider, incidentDecider } from './incident.decider';
import { resolvePolicy } from './incident-policy';
import type { IncidentCommand } from './incident.commands';
import type { IncidentEvent } from './incident.events';
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

/** An incident of `level` resolved at 09:00 on the 25th (the fixture's steps are 10 min apart from 08:00). */
const resolved = (level: IncidentLevel = 'L2'): IncidentEvent[] =>
  anIncidentHistory(clock, { until: 'resolved', level });
const followedBy = (history: IncidentEvent[], ...commands: IncidentCommand[]) =>
  historyOf(incidentDecider, commands, history);

/** An L3 incident with one complaint (CUS-1's) attached, taken to resolution: surveys know its customer. */
const withComplaint = (): IncidentEvent[] => {
  const history = historyOf(incidentDecider, [command.declare(), command.attach()]);
  return historyOf(
    incidentDecider,
    [
      command.contact(),
      command.rootCause({}, actors.techSupport),
      command.approve({}, actors.csManager),
      command.implement(),
      command.confirm(),
      command.resolve(),
      ...command.closureChecks('L3'),
    ],
    history,
  );
};

describe('Incident follow-up', () => {
  describe('satisfaction against the level’s target (L1 90 %, L2 85 %, L3 80 %): below it, a follow-up is required', () => {
    it('84 % on an L2 incident is below 85 %: follow-up required', () => {
      const history = resolved('L2');
      clock.advance({ hours: 24 });
      const audit = {
        incidentId: 'INC-1',
        actor: { id: 'surveys', role: 'integrator' },
        at: '2026-11-26T09:00:00.000Z',
      };
      given(history)
        .when(command.satisfaction({ percent: 84, responses: 50, surveyRef: 'SRV-7' }))
        .then([
          {
            type: 'SatisfactionRecorded',
            data: {
              ...audit,
              level: 'L2',
              percent: 84,
              responses: 50,
              surveyRef: 'SRV-7',
              targetPercent: 85,
              meetsTarget: false,
            },
          },
          {
            type: 'FollowUpRequired',
            data: {
              ...audit,
              percent: 84,
              targetPercent: 85,
              reason: 'Satisfaction 84% is below the L2 target of 85%',
            },
          },
        ]);
    });

    it.each([
      ['L1', 90, true],
      ['L1', 89, false],
      ['L2', 85, true],
      ['L3', 80, true],
      ['L3', 79.5, false],
    ] as const)('%s at %d %% meets the target: %s', (level, percent, meetsTarget) => {
      const events = given(resolved(level))
        .when(command.satisfaction({ percent }))
        .thenMatches(
          meetsTarget
            ? [{ type: 'SatisfactionRecorded', data: { meetsTarget } }]
            : [{ type: 'SatisfactionRecorded', data: { meetsTarget } }, { type: 'FollowUpRequired' }],
        );
      expect(events).toHaveLength(meetsTarget ? 1 : 2);
    });

    // Issue 13: incidents and surveys agree on "below target" at rounding edges (contracts' satisfaction.ts). Without
    // surveys' verdict, 85 % of 1013 responses stands for 861 satisfied = 84.995… %: below 85 %, although it reads 85.
    it('without surveys’ verdict, judges a published figure by the count it stands for, not by its rounding', () => {
      given(resolved('L2'))
        .when(command.satisfaction({ percent: 85, responses: 1013 }))
        .thenMatches([{ type: 'SatisfactionRecorded', data: { meetsTarget: false } }, { type: 'FollowUpRequired' }]);
      given(resolved('L2'))
        .when(command.satisfaction({ percent: 85, responses: 40 }))
        .thenMatches([{ type: 'SatisfactionRecorded', data: { meetsTarget: true } }]);
    });

    it.each([
      ['above 100 %', { percent: 101 }],
      ['negative', { percent: -1 }],
      ['without responses', { responses: 0 }],
    ])('refuses a satisfaction %s', (_, overrides) => {
      given(resolved())
        .when(command.satisfaction(overrides))
        .thenThrows(SatisfactionOutOfRange, { kind: 'invalid', code: 'INCIDENT.SATISFACTION_OUT_OF_RANGE' });
    });

    it('is measured after resolution only', () => {
      const error = given(anIncidentHistory(clock, { until: 'confirmed' }))
        .when(command.satisfaction())
        .thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
      expect(error.rule).toBe(incidentRules.followUpAfterResolution);
    });
  });

  describe('follow-up: recorded after resolution, clearing a requirement', () => {
    it('records a required follow-up', () => {
      const below = followedBy(resolved(), command.satisfaction({ percent: 70 }));
      given(below)
        .when(command.followUp({ action: 'additional-compensation', description: '50 coupon offered' }))
        .thenMatches([
          {
            type: 'FollowUpRecorded',
            data: { action: 'additional-compensation', description: '50 coupon offered', wasRequired: true },
          },
        ]);
    });

    it('clears the requirement', () => {
      const followedUp = followedBy(resolved(), command.satisfaction({ percent: 70 }), command.followUp());
      expect(stateOf(incidentDecider, followedUp)).toMatchObject({ followUp: { followUpOutstanding: false } });
    });
  });

  describe('retrospective: 5W1H with the timeline taken from the event stream, due 24 / 48 / 72 h after resolution', () => {
    it('records what, why, who, when (detection, first contact, resolution), where, how and improvement actions', () => {
      // Declared 08:00, contacted 08:10, resolved 09:00 at L2 → retrospective due 09:00 on the 27th; recorded on the 26th.
      const history = resolved('L2');
      clock.advance({ hours: 20 });
      const retrospective = command.retrospective({}, actors.csDirector);
      given(history)
        .when(retrospective)
        .then([
          {
            type: 'RetrospectiveRecorded',
            data: {
              incidentId: 'INC-1',
              actor: { id: 'dir-1', role: 'cs-director' },
              at: '2026-11-26T05:00:00.000Z',
              what: retrospective.data.what,
              why: retrospective.data.why,
              who: retrospective.data.who,
              when: {
                detectedAt: '2026-11-25T08:00:00.000Z',
                firstContactAt: '2026-11-25T08:10:00.000Z',
                resolvedAt: '2026-11-25T09:00:00.000Z',
                entries: retrospective.data.when,
              },
              where: retrospective.data.where,
              how: retrospective.data.how,
              improvementActions: retrospective.data.improvementActions,
              dueAt: '2026-11-27T09:00:00.000Z',
              onTime: true,
            },
          },
        ]);
    });

    it('records a late retrospective as late', () => {
      // L1 resolved 09:00 → due 09:00 next day; recorded 25 h after resolution.
      const history = resolved('L1');
      clock.advance({ hours: 25 });
      given(history)
        .when(command.retrospective())
        .thenMatches([{ type: 'RetrospectiveRecorded', data: { onTime: false } }]);
    });

    it.each([
      ['why', { why: ' ' }],
      ['where', { where: '' }],
      ['improvement actions', { improvementActions: [] }],
      ['an owner for each action', { improvementActions: [{ action: 'Sample every batch', owner: '' }] }],
    ])('needs %s', (_, overrides) => {
      given(resolved()).when(command.retrospective(overrides)).thenThrows(FieldRequired, { kind: 'invalid' });
    });

    it('is recorded once', () => {
      const error = given(followedBy(resolved(), command.retrospective()))
        .when(command.retrospective())
        .thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
      expect(error.rule).toBe(incidentRules.retrospectiveOnce);
    });
  });

  describe('close: refused before satisfaction is measured, below target without a follow-up, and without a retrospective', () => {
    it('closes a measured incident with its retrospective', () => {
      const ready = followedBy(resolved('L2'), command.satisfaction({ percent: 92 }), command.retrospective());
      given(ready)
        .when(command.close({ reason: 'All forms archived' }, actors.csDirector))
        .thenMatches([
          {
            type: 'IncidentClosed',
            data: { level: 'L2', reason: 'All forms archived', actor: { id: 'dir-1', role: 'cs-director' } },
          },
        ]);
    });

    it('is refused before satisfaction is measured when the incident has surveyed customers (attached complaints)', () => {
      given(followedBy(withComplaint(), command.retrospective()))
        .when(command.close())
        .thenThrows(SatisfactionNotMeasured, { kind: 'conflict', code: 'INCIDENT.SATISFACTION_NOT_MEASURED' });
    });

    // Issue 13: a manually declared incident has no complaints, so surveys never learn of its customers.
    it('closes a manually declared incident without complaints unsurveyed', () => {
      given(followedBy(resolved(), command.retrospective()))
        .when(command.close())
        .thenMatches([{ type: 'IncidentClosed', data: { satisfaction: 'not-surveyed' } }]);
    });

    // Issue 13: the survey window expired without answers; the follow-up with the customers is recorded instead.
    it('closes an incident whose survey went unanswered once a follow-up is recorded', () => {
      const unanswered = followedBy(
        withComplaint(),
        command.followUp({
          action: 'phone-call',
          description: 'Survey window expired unanswered; called both customers',
        }),
        command.retrospective(),
      );
      given(unanswered)
        .when(command.close())
        .thenMatches([{ type: 'IncidentClosed', data: { satisfaction: 'survey-unanswered' } }]);
    });

    it('records a measured satisfaction as measured', () => {
      given(followedBy(withComplaint(), command.satisfaction({ percent: 95 }), command.retrospective()))
        .when(command.close())
        .thenMatches([{ type: 'IncidentClosed', data: { satisfaction: 'measured' } }]);
    });

    it('is refused below target without a follow-up', () => {
      const error = given(followedBy(resolved('L2'), command.satisfaction({ percent: 80 }), command.retrospective()))
        .when(command.close())
        .thenThrows(FollowUpOutstanding, { kind: 'conflict', code: 'INCIDENT.FOLLOW_UP_OUTSTANDING' });
      expect(error.message).toBe('Satisfaction 80% is below the target of 85% and no follow-up is recorded');
    });

    it('closes below target once a follow-up is recorded', () => {
      given(followedBy(resolved(), command.satisfaction({ percent: 80 }), command.followUp(), command.retrospective()))
        .when(command.close())
        .thenMatches([{ type: 'IncidentClosed' }]);
    });

    it('requires a new follow-up when a later survey is below target again', () => {
      const history = followedBy(
        resolved(),
        command.satisfaction({ percent: 80 }),
        command.followUp(),
        command.satisfaction({ percent: 82, surveyRef: 'SRV-2' }),
        command.retrospective(),
      );
      given(history).when(command.close()).thenThrows(FollowUpOutstanding, { kind: 'conflict' });
    });

    it('lets a later survey at target lift the requirement', () => {
      const history = followedBy(
        resolved(),
        command.satisfaction({ percent: 80 }),
        command.satisfaction({ percent: 88, surveyRef: 'SRV-2' }),
        command.retrospective(),
      );
      given(history)
        .when(command.close())
        .thenMatches([{ type: 'IncidentClosed' }]);
    });

    it('is refused without a retrospective', () => {
      given(followedBy(resolved(), command.satisfaction({ percent: 95 })))
        .when(command.close())
        .thenThrows(RetrospectiveMissing, { kind: 'conflict', code: 'INCIDENT.RETROSPECTIVE_MISSING' });
    });

    it('closes from follow-up only, and once', () => {
      given(anIncidentHistory(clock, { until: 'confirmed' }))
        .when(command.close())
        .thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
      const closed = followedBy(resolved(), command.satisfaction(), command.retrospective(), command.close());
      expect(stateOf(incidentDecider, closed)).toMatchObject({ status: 'closed' });
      given(closed).when(command.close()).thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
      given(closed).when(command.followUp()).thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
    });
  });

  // Issue 13; seed 004 §4(三)3 (質量管控組 「監督解決方案實施…確保問題徹底解決」), §4(三)2 (「召回需符合《產品質量法》要求」),
  // §5 (公關組 「發布聲明」, level 1).
  describe('closure checks: the quality group passed the fix; product quality has a compliant recall check; level 1 a PR statement', () => {
    /** Resolved without any closure check, measured and reviewed: only the checks are missing. */
    const unchecked = (level: IncidentLevel, category: 'product-quality' | 'service-failure' = 'product-quality') => {
      const history = anIncidentHistory(clock, { until: 'confirmed', level, category });
      return followedBy(history, command.resolve(), command.satisfaction({ percent: 95 }), command.retrospective());
    };

    it('an L1 product-quality incident without checks lists all three as missing', () => {
      const error = given(unchecked('L1'))
        .when(command.close({}, actors.generalManager))
        .thenThrows(ClosureChecksMissing, { kind: 'conflict', code: 'INCIDENT.CLOSURE_CHECKS_MISSING' });
      expect(error.rule).toBe(incidentRules.closureChecks);
      expect(error.message).toBe(
        'Cannot close: the quality group has not checked the fix; no recall-compliance check is recorded; no PR statement is recorded for level 1',
      );
    });

    it('a failed quality check blocks closing until a later one passes', () => {
      const failed = followedBy(
        unchecked('L3', 'service-failure'),
        command.qualityCheck({ passed: false, findings: 'Still late' }),
      );
      given(failed).when(command.close()).thenThrows(ClosureChecksMissing, { kind: 'conflict' });
      given(followedBy(failed, command.qualityCheck()))
        .when(command.close())
        .thenMatches([{ type: 'IncidentClosed' }]);
    });

    it('a service failure needs no recall check, an L3 no PR statement', () => {
      given(followedBy(unchecked('L3', 'service-failure'), command.qualityCheck()))
        .when(command.close())
        .thenMatches([{ type: 'IncidentClosed' }]);
    });

    it('a non-compliant recall blocks closing', () => {
      const history = followedBy(
        unchecked('L2'),
        command.qualityCheck(),
        command.recallCheck({ recallRequired: true, compliant: false, basis: 'Regulator not notified' }),
      );
      const error = given(history).when(command.close()).thenThrows(ClosureChecksMissing, { kind: 'conflict' });
      expect(error.message).toBe('Cannot close: the recall is not compliant');
    });

    it('records each check with the role that made it', () => {
      const history = unchecked('L1');
      given(history)
        .when(command.qualityCheck())
        .thenMatches([{ type: 'QualityCheckRecorded', data: { passed: true, actor: { role: 'quality' } } }]);
      given(history)
        .when(command.recallCheck({}, actors.legal))
        .thenMatches([{ type: 'RecallComplianceChecked', data: { compliant: true, actor: { role: 'legal' } } }]);
      given(history)
        .when(command.prStatement())
        .thenMatches([
          { type: 'PrStatementRecorded', data: { level: 'L1', channels: ['website'], actor: { role: 'pr' } } },
        ]);
    });

    it('refuses checks by roles the policy does not name', () => {
      const history = unchecked('L1');
      given(history)
        .when(command.qualityCheck({}, actors.agent))
        .thenThrows(ClosureCheckNotAllowed, { kind: 'forbidden' });
      given(history)
        .when(command.prStatement({}, actors.csManager))
        .thenThrows(ClosureCheckNotAllowed, { kind: 'forbidden' });
    });

    it('checks the fix only once it is implemented, and recall compliance only for product quality', () => {
      given(anIncidentHistory(clock, { until: 'approved' }))
        .when(command.qualityCheck())
        .thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
      given(unchecked('L3', 'service-failure'))
        .when(command.recallCheck())
        .thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
    });
  });

  // Issue 13; seed 004 §4(四)2 (「問題復盤 時效要求:一級事件24小時內,二級事件48小時內,三級事件72小時內」): durable timers
  // remind the level's team before the due time and escalate an overdue retrospective.
  describe('retrospective reminders and overdue escalation (policy retrospectiveReminderHoursBefore: 6 / 12 / 18 h)', () => {
    it('resolution records when to remind: an L2 incident resolved at 09:00 is reminded at 21:00 on the 26th, due 09:00 on the 27th', () => {
      expect(resolved('L2').find((e) => e.type === 'IncidentResolved')).toMatchObject({
        data: { retrospectiveDueAt: '2026-11-27T09:00:00.000Z', retrospectiveReminderAt: '2026-11-26T21:00:00.000Z' },
      });
    });

    it("reminds the level's team once when the retrospective is not recorded", () => {
      const history = resolved('L2');
      clock.advance({ hours: 36 }); // 09:00 on the 25th + 36 h
      const reminded = given(history)
        .when(command.remindRetrospective())
        .thenMatches([
          {
            type: 'ResponseTeamPaged',
            data: {
              trigger: 'retrospective-reminder',
              level: 'L2',
              team: { lead: 'cs-director' },
              reason: 'The L2 retrospective (5W1H) is due at 2026-11-27T09:00:00.000Z and not recorded yet',
            },
          },
        ]);
      given([...history, ...reminded])
        .when(command.remindRetrospective())
        .thenNothing();
    });

    it('escalates an overdue retrospective to the rung above the lead, once', () => {
      const history = resolved('L2');
      clock.advance({ hours: 48 }); // 09:00 on the 25th + 48 h
      const overdue = given(history)
        .when(command.flagRetrospectiveOverdue())
        .thenMatches([
          { type: 'RetrospectiveOverdue', data: { dueAt: '2026-11-27T09:00:00.000Z', escalatedTo: 'general-manager' } },
          { type: 'ResponseTeamPaged', data: { trigger: 'retrospective-overdue', team: { lead: 'general-manager' } } },
        ]);
      given([...history, ...overdue])
        .when(command.flagRetrospectiveOverdue())
        .thenNothing();
    });

    it('decides nothing once the retrospective is recorded, or before its time', () => {
      const history = resolved('L3');
      given(history).when(command.flagRetrospectiveOverdue()).thenNothing();
      given(history).when(command.remindRetrospective()).thenNothing();
      clock.advance({ hours: 80 });
      given(followedBy(history, command.retrospective())).when(command.flagRetrospectiveOverdue()).thenNothing();
    });
  });

  // Issue 13: incidents and surveys agree on "below target" after a policy change and at rounding edges: surveys decides
  // on its exact counts against the target the resolution recorded; incidents takes that verdict and that target.
  describe('"below target" is one rule in one place: the target recorded at resolution, surveys\' verdict', () => {
    it('a policy change after resolution does not move the target: 86 % meets the 85 % recorded for L2', () => {
      const history = resolved('L2');
      const stricter = createIncidentDecider(resolvePolicy({ satisfactionTargetPercent: { L2: 95 } }));
      specOf(stricter)(history)
        .when(command.satisfaction({ percent: 86, responses: 50 }))
        .thenMatches([{ type: 'SatisfactionRecorded', data: { targetPercent: 85, meetsTarget: true } }]);
    });

    it("at a rounding edge surveys' verdict governs: 80 % as published (79.996 %) but below the L3 target of 80 %", () => {
      given(resolved('L3'))
        .when(command.satisfaction({ percent: 80, responses: 2_499, belowTarget: true }))
        .thenMatches([
          { type: 'SatisfactionRecorded', data: { percent: 80, targetPercent: 80, meetsTarget: false } },
          { type: 'FollowUpRequired' },
        ]);
    });

    it('a verdict at target lifts a follow-up requirement', () => {
      given(followedBy(resolved('L3'), command.satisfaction({ percent: 70 })))
        .when(command.satisfaction({ percent: 80, responses: 10, belowTarget: false, surveyRef: 'SRV-2' }))
        .thenMatches([{ type: 'SatisfactionRecorded', data: { meetsTarget: true } }]);
    });
  });
});

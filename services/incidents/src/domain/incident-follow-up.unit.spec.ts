import { historyOf, specOf, stateOf } from '@aftersales/testing/decider';
import {
  FieldRequired,
  FollowUpOutstanding,
  incidentRules,
  InvalidIncidentTransition,
  RetrospectiveMissing,
  SatisfactionNotMeasured,
  SatisfactionOutOfRange,
} from './incident.errors';
import { incidentDecider } from './incident.decider';
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

    it('is refused before satisfaction is measured', () => {
      given(followedBy(resolved(), command.retrospective()))
        .when(command.close())
        .thenThrows(SatisfactionNotMeasured, { kind: 'conflict', code: 'INCIDENT.SATISFACTION_NOT_MEASURED' });
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
});

import { historyOf, specOf, stateOf } from '@aftersales/testing/decider';
import { FieldRequired, incidentRules, InvalidIncidentTransition, IncidentNotFound } from './incident.errors';
import { incidentDecider } from './incident.decider';
import { anIncidentHistory, incidentCommands, type IncidentStage } from './testing/incident.builder';
import { TestClock } from './testing/test-clock';

const given = specOf(incidentDecider);

let clock: TestClock;
let command: ReturnType<typeof incidentCommands>;
beforeEach(() => {
  clock = new TestClock('2026-11-25T08:00:00.000Z');
  command = incidentCommands(clock);
});

describe('Incident complaints: every complaint of the cluster is attached to its open incident', () => {
  it('records the complaint and its customer, attributed to the process manager', () => {
    given(anIncidentHistory(clock, { until: 'activated' }))
      .when(command.attach({ complaintId: 'CMP-7', customerRef: 'CUS-7' }))
      .then([
        {
          type: 'ComplaintAttached',
          data: {
            incidentId: 'INC-1',
            actor: { id: 'incidents.cluster-watch', role: 'system' },
            at: '2026-11-25T08:00:00.000Z',
            complaintId: 'CMP-7',
            customerRef: 'CUS-7',
          },
        },
      ]);
  });

  it('attaches a complaint once: a second attachment is a no-op', () => {
    const attached = historyOf(incidentDecider, [command.attach()], anIncidentHistory(clock, { until: 'activated' }));
    given(attached).when(command.attach()).thenNothing();
    given(attached)
      .when(command.attach({ complaintId: 'CMP-2' }))
      .thenMatches([{ type: 'ComplaintAttached', data: { complaintId: 'CMP-2' } }]);
  });

  it('remembers the attached complaints in the state', () => {
    const history = historyOf(
      incidentDecider,
      [command.attach({ complaintId: 'CMP-1' }), command.attach({ complaintId: 'CMP-2' })],
      anIncidentHistory(clock, { until: 'activated' }),
    );
    const state = stateOf(incidentDecider, history);
    expect(state.status === 'activation' && [...state.incident.attachedComplaints]).toEqual(['CMP-1', 'CMP-2']);
  });

  it.each<IncidentStage>(['activated', 'contained', 'root-caused', 'implemented', 'resolved'])(
    'is allowed while the incident is open (%s)',
    (until) => {
      given(anIncidentHistory(clock, { until }))
        .when(command.attach())
        .thenMatches([{ type: 'ComplaintAttached' }]);
    },
  );

  it('does not change the phase', () => {
    const history = anIncidentHistory(clock, { until: 'contained' });
    const after = historyOf(incidentDecider, [command.attach()], history);
    expect(stateOf(incidentDecider, after).status).toBe('containment');
  });

  it('is refused once the incident is closed', () => {
    const closed = historyOf(
      incidentDecider,
      [command.satisfaction(), command.retrospective(), command.close()],
      anIncidentHistory(clock, { until: 'resolved' }),
    );
    const error = given(closed)
      .when(command.attach())
      .thenThrows(InvalidIncidentTransition, { kind: 'conflict', code: 'INCIDENT.INVALID_TRANSITION' });
    expect(error.rule).toBe(incidentRules.attachWhileOpen);
  });

  it('is refused once the incident was merged into another', () => {
    const merged = historyOf(incidentDecider, [command.merge()], anIncidentHistory(clock, { until: 'activated' }));
    given(merged).when(command.attach()).thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
  });

  it('is refused for an incident that was never opened', () => {
    given([]).when(command.attach()).thenThrows(IncidentNotFound, { kind: 'not_found' });
  });

  it.each(['complaintId', 'customerRef'] as const)('needs a %s', (field) => {
    given(anIncidentHistory(clock, { until: 'activated' }))
      .when(command.attach({ [field]: ' ' }))
      .thenThrows(FieldRequired, { kind: 'invalid' });
  });
});

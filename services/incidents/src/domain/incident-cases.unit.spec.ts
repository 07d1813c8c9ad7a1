import { historyOf, specOf, stateOf } from '@aftersales/testing/decider';
import { clusteringOutcome } from './clustering-outcome';
import { complaintClusterDecider } from './complaint-cluster.decider';
import { incidentDecider } from './incident.decider';
import { initialState } from './incident.state';
import { actors } from './testing/actors.fixture';
import { aComplaint, registerComplaint } from './testing/complaint.builder';
import { anIncidentHistory, incidentCommands } from './testing/incident.builder';
import { TestClock } from './testing/test-clock';

// Architecture: the case is the hub, and every event that concerns a case carries its id. An incident concerns the
// after-sales cases its complaints arose from (intake's ComplaintRegistered.caseId): it names them on the events
// integrators see, so intake's case timeline can show the incident on each of those cases.
const given = specOf(incidentDecider);

let clock: TestClock;
let command: ReturnType<typeof incidentCommands>;
beforeEach(() => {
  clock = new TestClock('2026-11-25T08:00:00.000Z');
  command = incidentCommands(clock);
});

const CASE_A = '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c';
const CASE_B = '9b2e4d6f-8a1c-4e3b-9d5f-7c6b5a4e3d2c';

describe('Incident cases: the after-sales cases an incident concerns', () => {
  it('opens with the cases of the complaints it was opened with, on the opening and its page', () => {
    given([])
      .when(command.open({ caseIds: [CASE_A, CASE_B, CASE_A] }))
      .thenMatches([
        { type: 'IncidentOpened', data: { caseIds: [CASE_A, CASE_B] } },
        { type: 'ResponseTeamPaged', data: { trigger: 'activation', caseIds: [CASE_A, CASE_B] } },
        { type: 'ContactDeadlineSet' },
      ]);
  });

  it('names no case when none of its complaints arose from one (the property is absent, not empty)', () => {
    const events = given([]).when(command.open()).thenMatches([{}, {}, {}]);
    for (const event of events) expect(event.data).not.toHaveProperty('caseIds');
  });

  it("records an attached complaint's case, and the incident concerns it from then on", () => {
    const opened = anIncidentHistory(clock, { until: 'activated' });
    given(opened)
      .when(command.attach({ complaintId: 'CMP-9', customerRef: 'CUS-9', caseId: CASE_A }))
      .thenMatches([{ type: 'ComplaintAttached', data: { complaintId: 'CMP-9', caseId: CASE_A } }]);
    const attached = historyOf(
      incidentDecider,
      [
        command.attach({ complaintId: 'CMP-9', caseId: CASE_A }),
        command.attach({ complaintId: 'CMP-10', caseId: CASE_B }),
        command.attach({ complaintId: 'CMP-11', caseId: CASE_A }),
        command.attach({ complaintId: 'CMP-12' }),
      ],
      opened,
    );
    const state = stateOf(incidentDecider, attached);
    expect(state.status === 'activation' && [...state.incident.caseIds]).toEqual([CASE_A, CASE_B]);
  });

  it('names its cases on every event integrators see: level changes, merge, pages, breach, resolution, closure', () => {
    let history = historyOf(incidentDecider, [command.open({ caseIds: [CASE_A] }), command.attach({ caseId: CASE_B })]);
    const cases = { caseIds: [CASE_A, CASE_B] };
    given(history)
      .when(command.upgrade({ toLevel: 'L2' }))
      .thenMatches([
        { type: 'IncidentUpgraded', data: cases },
        { type: 'ResponseTeamPaged', data: { trigger: 'upgrade', ...cases } },
        { type: 'ContactDeadlineSet' },
      ]);
    given(history)
      .when(command.merge())
      .thenMatches([{ type: 'IncidentMerged', data: cases }]);
    history = historyOf(incidentDecider, [command.upgrade({ toLevel: 'L2' })], history);
    given(history)
      .when(command.downgrade({ toLevel: 'L3' }, actors.csDirector))
      .thenMatches([{ type: 'IncidentDowngraded', data: cases }]);
    clock.advance({ hours: 2 });
    given(history)
      .when(command.flagBreach())
      .thenMatches([
        { type: 'ContactDeadlineBreached', data: cases },
        { type: 'ResponseTeamPaged', data: { trigger: 'contact-deadline-breach', ...cases } },
      ]);
    const implemented = historyOf(
      incidentDecider,
      [
        command.contact(),
        command.rootCause({}, actors.techSupport),
        command.approve({}, actors.csDirector),
        command.implement(),
        command.confirm(),
      ],
      history,
    );
    given(implemented)
      .when(command.resolve())
      .thenMatches([{ type: 'IncidentResolved', data: cases }]);
    const followedUp = historyOf(
      incidentDecider,
      [command.resolve(), command.satisfaction(), command.retrospective(), ...command.closureChecks('L2')],
      implemented,
    );
    given(followedUp)
      .when(command.close())
      .thenMatches([{ type: 'IncidentClosed', data: cases }]);
  });
});

describe('Clustering hands the complaints’ cases to the incident', () => {
  it('opens the first incident of an episode with the case of its complaint, and attaches the complaint with it', () => {
    const events = complaintClusterDecider.decide(
      registerComplaint(aComplaint().withId('C-1').fromCase(CASE_A), clock.now()),
      complaintClusterDecider.initialState(),
    );
    const cluster = stateOf(complaintClusterDecider, events);
    const outcome = clusteringOutcome(events, cluster, initialState());
    expect(outcome.open).toMatchObject({ level: 'L3', caseIds: [CASE_A] });
    expect(outcome.attach).toEqual([{ complaintId: 'C-1', customerRef: expect.any(String), caseId: CASE_A }]);
  });

  it('attaches a later complaint with its case, and one without a case without any', () => {
    const first = historyOf(complaintClusterDecider, [registerComplaint(aComplaint().withId('C-1'), clock.now())]);
    const incident = stateOf(incidentDecider, anIncidentHistory(clock, { until: 'activated' }));
    const decide = (complaint: ReturnType<typeof aComplaint>) => {
      const events = complaintClusterDecider.decide(
        registerComplaint(complaint, clock.now()),
        stateOf(complaintClusterDecider, first),
      );
      return clusteringOutcome(events, stateOf(complaintClusterDecider, [...first, ...events]), incident);
    };
    expect(decide(aComplaint().withId('C-2').fromCase(CASE_B)).attach).toEqual([
      { complaintId: 'C-2', customerRef: expect.any(String), caseId: CASE_B },
    ]);
    expect(decide(aComplaint().withId('C-3')).attach).toEqual([
      { complaintId: 'C-3', customerRef: expect.any(String) },
    ]);
  });

  it('opens a new incident with every case of the window, once each', () => {
    // The cluster's incident is in follow-up (the fix did not hold): the 10th customer in the window crosses L2 and
    // opens a new incident with the whole window, whose complaints came from cases A, B, A and six from no case.
    const followUp = stateOf(incidentDecider, anIncidentHistory(clock, { until: 'resolved' }));
    const caseOf: Record<number, string> = { 0: CASE_A, 4: CASE_B, 7: CASE_A };
    const commands = Array.from({ length: 10 }, (_, i) => {
      const complaint = aComplaint().withId(`W-${i}`);
      const caseId = caseOf[i];
      const command = registerComplaint(caseId ? complaint.fromCase(caseId) : complaint, clock.now());
      clock.advance({ minutes: 1 });
      return command;
    });
    const before = historyOf(complaintClusterDecider, commands.slice(0, 9));
    const crossing = complaintClusterDecider.decide(commands[9]!, stateOf(complaintClusterDecider, before));
    const outcome = clusteringOutcome(crossing, stateOf(complaintClusterDecider, [...before, ...crossing]), followUp);
    expect(outcome.open).toMatchObject({ level: 'L2', caseIds: [CASE_A, CASE_B] });
    expect(outcome.attach?.filter((c) => c.caseId).map((c) => [c.complaintId, c.caseId])).toEqual([
      ['W-0', CASE_A],
      ['W-4', CASE_B],
      ['W-7', CASE_A],
    ]);
  });
});

import type { CommandContext } from '@aftersales/domain';
import { stateOf } from '@aftersales/testing/decider';
import { clusteringOutcome, type ClusteringOutcome } from './clustering-outcome';
import { complaintClusterDecider } from './complaint-cluster.decider';
import type { ComplaintClusterEvent } from './complaint-cluster.events';
import type { IncidentCommand } from './incident.commands';
import { incidentDecider } from './incident.decider';
import { FollowUpOutstanding } from './incident.errors';
import type { ContactDeadlineSet, IncidentEvent, ResponseTeamPaged } from './incident.events';
import { actors, tenant } from './testing/actors.fixture';
import { aComplaint, registerComplaint } from './testing/complaint.builder';
import { incidentCommands } from './testing/incident.builder';
import { TestClock } from './testing/test-clock';

/**
 * The clustering process manager's hand-over, as commands on incident `INC-B7` by the cluster watch: the decision is
 * the domain's `clusteringOutcome`, the same function the process manager in `application/` calls.
 */
function incidentCommandsOf(outcome: ClusteringOutcome, now: Date): IncidentCommand[] {
  const context: CommandContext = { tenant, actor: actors.clusterWatch, now };
  return [
    ...(outcome.open
      ? [{ type: 'OpenIncident' as const, context, data: { incidentId: 'INC-B7', ...outcome.open } }]
      : []),
    ...(outcome.upgrade ? [{ type: 'UpgradeIncident' as const, context, data: outcome.upgrade }] : []),
    ...(outcome.attach ?? []).map((data) => ({ type: 'AttachComplaint' as const, context, data })),
  ];
}

describe('Story: 120 complaints about one battery batch', () => {
  // Complaints about batch B-7 arrive every 10 s from 08:00:00:
  //   #1   at 08:00:00 → L3, contact due 08:00:00 + 120 min = 10:00:00
  //   #10  at 08:01:30 → L2, contact due min(10:00:00, 08:01:30 + 60 min = 09:01:30) = 09:01:30
  //   #100 at 08:16:30 → L1, contact due min(09:01:30, 08:16:30 + 30 min = 08:46:30) = 08:46:30
  //   #120 at 08:19:50 → nothing new.
  const clock = new TestClock('2026-11-25T08:00:00.000Z');
  const clusterEvents: ComplaintClusterEvent[] = [];
  const incidentEvents: IncidentEvent[] = [];
  const crossedAt: Array<{ complaint: number; level: string; previousLevel: string | null }> = [];

  const handle = (command: IncidentCommand) => {
    const events = incidentDecider.decide(command, stateOf(incidentDecider, incidentEvents));
    incidentEvents.push(...events);
    return events;
  };

  beforeAll(() => {
    for (let n = 1; n <= 120; n += 1) {
      const command = registerComplaint(aComplaint().forSku('BAT-100').forBatch('B-7'), clock.now());
      const events = complaintClusterDecider.decide(command, stateOf(complaintClusterDecider, clusterEvents));
      clusterEvents.push(...events);
      for (const event of events) {
        if (event.type !== 'ClusterThresholdCrossed') continue;
        crossedAt.push({ complaint: n, level: event.data.level, previousLevel: event.data.previousLevel });
      }
      const cluster = stateOf(complaintClusterDecider, clusterEvents);
      const outcome = clusteringOutcome(events, cluster, stateOf(incidentDecider, incidentEvents));
      for (const incidentCommand of incidentCommandsOf(outcome, clock.now())) handle(incidentCommand);
      if (n < 120) clock.advance({ seconds: 10 });
    }
  });

  const ofType = <T extends IncidentEvent['type']>(type: T) =>
    incidentEvents.filter((e): e is Extract<IncidentEvent, { type: T }> => e.type === type);

  it('crosses L3 at the 1st complaint, L2 at the 10th and L1 at the 100th, and never again', () => {
    expect(crossedAt).toEqual([
      { complaint: 1, level: 'L3', previousLevel: null },
      { complaint: 10, level: 'L2', previousLevel: 'L3' },
      { complaint: 100, level: 'L1', previousLevel: 'L2' },
    ]);
    expect(clusterEvents.filter((e) => e.type === 'ComplaintClustered')).toHaveLength(120);
  });

  it('opens one incident and upgrades it twice, each change with its before and after', () => {
    expect(ofType('IncidentOpened').map((e) => e.data.level)).toEqual(['L3']);
    expect(ofType('IncidentUpgraded').map((e) => [e.data.from, e.data.to, e.data.at])).toEqual([
      ['L3', 'L2', '2026-11-25T08:01:30.000Z'],
      ['L2', 'L1', '2026-11-25T08:16:30.000Z'],
    ]);
  });

  it('pages the CS manager, then the CS director, then the general manager with PR and legal', () => {
    expect(ofType('ResponseTeamPaged').map((e: ResponseTeamPaged) => [e.data.trigger, e.data.team])).toEqual([
      ['activation', { lead: 'cs-manager', members: ['tech-support'] }],
      ['upgrade', { lead: 'cs-director', members: ['tech-support', 'logistics'] }],
      ['upgrade', { lead: 'general-manager', members: ['pr', 'legal'] }],
    ]);
  });

  it('tightens the contact deadline each time: 10:00:00 → 09:01:30 → 08:46:30', () => {
    expect(
      ofType('ContactDeadlineSet').map((e: ContactDeadlineSet) => [e.data.level, e.data.previousDueAt, e.data.dueAt]),
    ).toEqual([
      ['L3', null, '2026-11-25T10:00:00.000Z'],
      ['L2', '2026-11-25T10:00:00.000Z', '2026-11-25T09:01:30.000Z'],
      ['L1', '2026-11-25T09:01:30.000Z', '2026-11-25T08:46:30.000Z'],
    ]);
  });

  it('attaches every complaint to the incident once, each right after the decision it came with', () => {
    const attached = ofType('ComplaintAttached').map((e) => e.data.customerRef);
    expect(attached).toHaveLength(120);
    expect(new Set(attached).size).toBe(120);
    // #1 opens the incident and is attached to it; #10 and #100 first upgrade it, then are attached.
    const types = incidentEvents.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual([
      'IncidentOpened',
      'ResponseTeamPaged',
      'ContactDeadlineSet',
      'ComplaintAttached',
    ]);
    const secondUpgrade = types.lastIndexOf('IncidentUpgraded');
    expect(types.slice(secondUpgrade, secondUpgrade + 4)).toEqual([
      'IncidentUpgraded',
      'ResponseTeamPaged',
      'ContactDeadlineSet',
      'ComplaintAttached',
    ]);
  });

  it('is contained, resolved, followed up, reviewed and closed, leaving the whole audit trail', () => {
    const command = incidentCommands(clock, 'INC-B7');
    const at = (iso: string) => clock.advance({ seconds: (Date.parse(iso) - clock.now().getTime()) / 1000 });

    // Contact is per customer: all 120 are contacted by the L1 deadline of 08:46:30, in two rounds.
    const customers = ofType('ComplaintAttached').map((e) => e.data.customerRef);
    at('2026-11-25T08:40:00.000Z');
    expect(handle(command.contact({ customerRefs: customers.slice(0, 60) }))).toMatchObject([
      { type: 'CustomersContacted', data: { withinDeadline: true, dueAt: '2026-11-25T08:46:30.000Z' } },
    ]);
    at('2026-11-25T08:46:00.000Z');
    handle(command.contact({ customerRefs: customers.slice(60) }));
    at('2026-11-25T08:50:00.000Z');
    expect(handle(command.flagBreach())).toEqual([]); // the timer finds every customer contacted: nothing to escalate
    handle(command.measure({ measure: 'temporary-refund', description: 'Refund before replacement' }));
    at('2026-11-25T12:00:00.000Z');
    handle(command.rootCause({}, actors.techSupport));
    at('2026-11-25T13:00:00.000Z');
    handle(
      command.approve(
        { solution: { kind: 'recall', description: 'Recall every battery of B-7' } },
        actors.generalManager,
      ),
    );
    at('2026-11-27T18:00:00.000Z');
    handle(command.implement({ progress: 'All 120 customers received a new battery', completed: true }));
    // 117 of 120 confirm; 3 cannot be reached: the general manager (the L1 lead) resolves with a recorded override.
    for (const customerRef of customers.slice(0, 117))
      handle(command.confirm({ customerRef, satisfaction: 'satisfied' }));
    at('2026-11-28T10:00:00.000Z');
    expect(
      handle(
        command.resolve(
          { summary: 'New batteries for all', confirmationOverride: { reason: '3 customers unreachable for 3 days' } },
          actors.generalManager,
        ),
      ),
    ).toMatchObject([
      {
        type: 'IncidentResolved',
        data: {
          level: 'L1',
          retrospectiveDueAt: '2026-11-29T10:00:00.000Z', // + 24 h
          confirmations: { confirmed: 117, required: 120 },
          confirmationOverride: { reason: '3 customers unreachable for 3 days', by: { role: 'general-manager' } },
        },
      },
    ]);
    at('2026-11-28T20:00:00.000Z');
    // 88 % < the L1 target of 90 %: the incident cannot close before customers are followed up again.
    expect(handle(command.satisfaction({ percent: 88, responses: 96 })).map((e) => e.type)).toEqual([
      'SatisfactionRecorded',
      'FollowUpRequired',
    ]);
    handle(command.retrospective({}, actors.generalManager));
    // The quality group checks the fix, the recall is checked for compliance, and PR has made its statement (L1).
    handle(command.qualityCheck());
    handle(
      command.recallCheck({
        recallRequired: true,
        compliant: true,
        basis: 'Recall of batch B-7 notified and executed under the Product Quality Law',
      }),
    );
    handle(
      command.prStatement({ statement: 'All B-7 batteries recalled and replaced', channels: ['website', 'weibo'] }),
    );
    expect(() => handle(command.close({}, actors.generalManager))).toThrow(FollowUpOutstanding);
    handle(command.followUp({ action: 'additional-compensation', description: 'Extended warranty +6 months offered' }));
    handle(command.close({}, actors.generalManager));

    expect(stateOf(incidentDecider, incidentEvents)).toMatchObject({ status: 'closed', incident: { level: 'L1' } });
    // Attachments (one per complaint, see above) interleave with the lifecycle; the lifecycle itself, in order:
    expect(incidentEvents.filter((e) => e.type !== 'ComplaintAttached').map((e) => e.type)).toEqual([
      'IncidentOpened',
      'ResponseTeamPaged',
      'ContactDeadlineSet',
      'IncidentUpgraded',
      'ResponseTeamPaged',
      'ContactDeadlineSet',
      'IncidentUpgraded',
      'ResponseTeamPaged',
      'ContactDeadlineSet',
      'CustomersContacted',
      'CustomersContacted',
      'TemporaryMeasureRecorded',
      'RootCauseRecorded',
      'SolutionApproved',
      'ImplementationRecorded',
      ...Array.from({ length: 117 }, () => 'CustomerConfirmationRecorded'),
      'IncidentResolved',
      'SatisfactionRecorded',
      'FollowUpRequired',
      'RetrospectiveRecorded',
      'QualityCheckRecorded',
      'RecallComplianceChecked',
      'PrStatementRecorded',
      'FollowUpRecorded',
      'IncidentClosed',
    ]);
    // The stream is the audit trail: every event says which incident, who (and in which role), and when.
    for (const event of incidentEvents) {
      expect(event.data).toMatchObject({
        incidentId: 'INC-B7',
        actor: { id: expect.any(String), role: expect.any(String) },
        at: expect.stringMatching(/^2026-11-2\dT/),
      });
    }
    expect(ofType('RetrospectiveRecorded')[0]!.data.when).toMatchObject({
      detectedAt: '2026-11-25T08:00:00.000Z',
      firstContactAt: '2026-11-25T08:40:00.000Z',
      resolvedAt: '2026-11-28T10:00:00.000Z',
    });
  });
});

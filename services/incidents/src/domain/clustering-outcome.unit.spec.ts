import { historyOf, stateOf } from '@aftersales/testing/decider';
import { clusteringOutcome, type ClusteringOutcome, type ComplaintToAttach } from './clustering-outcome';
import type { RegisterComplaint } from './complaint-cluster.commands';
import { createComplaintClusterDecider } from './complaint-cluster.decider';
import { resolvePolicy } from './incident-policy';
import type { ComplaintClusterEvent } from './complaint-cluster.events';
import { incidentDecider } from './incident.decider';
import type { IncidentEvent } from './incident.events';
import { aComplaint, registerComplaint, type ComplaintBuilder } from './testing/complaint.builder';
import { anIncidentHistory, incidentCommands, type IncidentStage } from './testing/incident.builder';
import { TestClock } from './testing/test-clock';
import { noComplaintFlags } from './incident.values';

let clock: TestClock;
beforeEach(() => {
  clock = new TestClock('2026-11-25T08:00:00.000Z');
});

/**
 * `given(cluster history, incident history).when(complaint).then(outcome)`: the complaint is decided by the real
 * ComplaintCluster decider (reach counts customers, L3 from 1, L2 from 10, and a tenant's 24 h window), and its
 * events, the cluster's state after them and the incident's state go to `clusteringOutcome`, as the process manager
 * does.
 */
/** A tenant that counts in a 24 h sliding window (the default counts over the cluster episode). */
const complaintClusterDecider = createComplaintClusterDecider(resolvePolicy({ clustering: { windowHours: 24 } }));

function given(cluster: readonly ComplaintClusterEvent[], incident: readonly IncidentEvent[]) {
  return {
    when: (complaint: ComplaintBuilder) => {
      const before = stateOf(complaintClusterDecider, cluster);
      const events = complaintClusterDecider.decide(registerComplaint(complaint, clock.now()), before);
      const after = events.reduce(complaintClusterDecider.evolve, before);
      const outcome = clusteringOutcome(events, after, stateOf(incidentDecider, incident));
      return {
        then: (expected: ClusteringOutcome) => expect(outcome).toEqual(expected),
        thenMatches: (expected: Record<string, unknown>) => expect(outcome).toMatchObject(expected),
      };
    },
  };
}

/** `count` complaints about battery batch B-7 from as many customers, one a minute. */
function complaints(count: number): ComplaintBuilder[] {
  return Array.from({ length: count }, () => aComplaint());
}

/** The cluster's history after these complaints, registered one a minute from the clock's time. */
function clusterOf(builders: readonly ComplaintBuilder[]): ComplaintClusterEvent[] {
  const commands: RegisterComplaint[] = builders.map((builder) => {
    const command = registerComplaint(builder, clock.now());
    clock.advance({ minutes: 1 });
    return command;
  });
  return historyOf(complaintClusterDecider, commands);
}

/** The complaint as the incident takes it. */
const attachment = (complaint: ComplaintBuilder): ComplaintToAttach => {
  const { complaintId, customerRef } = complaint.build();
  return { complaintId, customerRef };
};

const noFlags = noComplaintFlags;

/** The cluster's incident at L3: opened by the cluster, or taken along the happy path to `until`. */
function incidentAt(until?: IncidentStage): IncidentEvent[] {
  return until ? anIncidentHistory(clock, { until }) : historyOf(incidentDecider, [incidentCommands(clock).open()]);
}

/** The cluster's L3 incident resolved, measured above target, reviewed and closed. */
function closedIncident(): IncidentEvent[] {
  const command = incidentCommands(clock);
  return historyOf(
    incidentDecider,
    [command.satisfaction({ percent: 95 }), command.retrospective(), command.close()],
    anIncidentHistory(clock, { until: 'resolved' }),
  );
}

describe('Clustering outcome: what one clustered complaint does to its incident (domain §5, detection)', () => {
  describe('open', () => {
    it('opens an incident on the first crossing, graded on the window, and attaches the complaint to it', () => {
      const first = aComplaint();
      given([], [])
        .when(first)
        .then({
          open: {
            category: 'product-quality',
            clusterKey: 'sku:BAT-100|batch:B-7',
            level: 'L3',
            complaintCount: 1,
            flags: noFlags,
            reason: '1 customers within 24 h reached the L3 threshold of 1',
          },
          attach: [attachment(first)],
        });
    });

    it('counts the complaints of the window (not its customers) and raises every flag any of them raised', () => {
      // One customer, three complaints: L3 was crossed at the first (the cluster has no incident for it, e.g. none was
      // linked); the third reports an injury, which forces L1 on its own.
      const earlier = [aComplaint().fromCustomer('CUS-A'), aComplaint().fromCustomer('CUS-A')];
      const injured = aComplaint().fromCustomer('CUS-A').withInjury();
      given(clusterOf(earlier), [])
        .when(injured)
        .thenMatches({
          open: { level: 'L1', complaintCount: 3, flags: { ...noFlags, injury: true } },
          attach: [...earlier, injured].map(attachment),
        });
    });

    // Seed 000 §3.5.3 (「群體性事件」 straight to senior management, emergency plan) and seed 004 §3(二) (level 1).
    it('opens an L1 incident at once for a group-event complaint, the only flag it raises', () => {
      const groupEvent = aComplaint().withId('C-1').withGroupEvent();
      given([], [])
        .when(groupEvent)
        .then({
          open: {
            category: 'product-quality',
            clusterKey: 'sku:BAT-100|batch:B-7',
            level: 'L1',
            complaintCount: 1,
            flags: { ...noFlags, groupEvent: true },
            reason: 'groupEvent reported in complaint C-1 forces L1',
          },
          attach: [attachment(groupEvent)],
        });
    });

    it.each<[string, () => IncidentEvent[]]>([
      ['in follow-up (resolved)', () => incidentAt('resolved')],
      ['closed', closedIncident],
    ])('opens a new incident on a crossing once the incident is no longer handled: %s', (_phase, incident) => {
      // Complaints keep coming after the resolution: the fix did not hold. The new incident takes the whole window.
      const nine = complaints(9);
      const cluster = clusterOf(nine);
      const tenth = aComplaint();
      given(cluster, incident())
        .when(tenth)
        .thenMatches({ open: { level: 'L2', complaintCount: 10 }, attach: [...nine, tenth].map(attachment) });
    });

    it('opens a new incident when a crossing starts a new episode, even while the earlier incident is handled', () => {
      const cluster = clusterOf(complaints(1));
      const incident = incidentAt();
      clock.advance({ hours: 25 }); // the 24 h window emptied: the next complaint starts a new episode
      const next = aComplaint();
      given(cluster, incident)
        .when(next)
        .thenMatches({ open: { level: 'L3', complaintCount: 1 }, attach: [attachment(next)] });
    });
  });

  describe('upgrade', () => {
    it.each<[string, IncidentStage | undefined]>([
      ['activation', undefined],
      ['containment', 'contained'],
      ['resolution', 'root-caused'],
    ])('upgrades a handled incident on a more severe crossing of its episode, then attaches (%s)', (_phase, until) => {
      const cluster = clusterOf(complaints(9)); // L3 crossed at the first
      const tenth = aComplaint();
      given(cluster, incidentAt(until))
        .when(tenth)
        .then({
          upgrade: { toLevel: 'L2', reason: '10 customers within 24 h reached the L2 threshold of 10' },
          attach: [attachment(tenth)],
        });
    });

    it('does not upgrade an incident already at the crossed level or above (staff raised it): only attaches', () => {
      const cluster = clusterOf(complaints(9));
      const raised = historyOf(incidentDecider, [incidentCommands(clock).upgrade({ toLevel: 'L1' })], incidentAt());
      const tenth = aComplaint();
      given(cluster, raised)
        .when(tenth)
        .then({ attach: [attachment(tenth)] });
    });
  });

  describe('attach', () => {
    it('attaches a complaint inside the window to the handled incident, and does nothing else', () => {
      const third = aComplaint();
      given(clusterOf(complaints(2)), incidentAt())
        .when(third)
        .then({ attach: [attachment(third)] });
    });

    it('does not attach a complaint older than the window (a late redelivery): it is only clustered', () => {
      const late = aComplaint().receivedAt(new Date(clock.now().getTime() - 25 * 3_600_000));
      given(clusterOf(complaints(2)), incidentAt())
        .when(late)
        .then({});
    });

    it('attaches in follow-up without upgrading: a complaint that crosses nothing is only attached', () => {
      const third = aComplaint();
      given(clusterOf(complaints(2)), incidentAt('resolved'))
        .when(third)
        .then({ attach: [attachment(third)] });
    });

    it('leaves a complaint unattached when the incident is closed and nothing is crossed', () => {
      const third = aComplaint();
      given(clusterOf(complaints(2)), closedIncident())
        .when(third)
        .then({ notAttached: attachment(third) });
    });

    it('does nothing while the cluster has no incident and nothing is crossed', () => {
      // The same customer again: still one customer, still L3, which this episode already signalled.
      given(clusterOf([aComplaint().fromCustomer('CUS-A')]), [])
        .when(aComplaint().fromCustomer('CUS-A'))
        .then({});
    });

    it('does nothing for a redelivered complaint: the cluster decided nothing', () => {
      const first = aComplaint();
      given(clusterOf([first]), incidentAt())
        .when(first)
        .then({});
    });
  });
});

import { historyOf, specOf } from '@aftersales/testing/decider';
import type { RegisterComplaint } from './complaint-cluster.commands';
import {
  clusterIdOf,
  clusterKeyOf,
  complaintClusterDecider,
  createComplaintClusterDecider,
} from './complaint-cluster.decider';
import { ComplaintOfAnotherCluster, ComplaintReceivedAtInvalid } from './complaint-cluster.errors';
import type { ClusterThresholdCrossed, ComplaintClusterEvent } from './complaint-cluster.events';
import { resolvePolicy } from './incident-policy';
import { aComplaint, registerComplaint, type ComplaintBuilder } from './testing/complaint.builder';
import { TestClock } from './testing/test-clock';

const given = specOf(complaintClusterDecider);

let clock: TestClock;
beforeEach(() => {
  clock = new TestClock('2026-11-25T08:00:00.000Z');
});

/** `count` complaints about batch B-7, one every `every`, the clock advanced after each. */
function complaints(
  count: number,
  every: Parameters<TestClock['advance']>[0] = { minutes: 1 },
  build: () => ComplaintBuilder = aComplaint,
): RegisterComplaint[] {
  return Array.from({ length: count }, () => {
    const command = registerComplaint(build(), clock.now());
    clock.advance(every);
    return command;
  });
}

const historyOfComplaints = (commands: RegisterComplaint[], history: ComplaintClusterEvent[] = []) =>
  historyOf(complaintClusterDecider, commands, history);

const crossings = (events: ComplaintClusterEvent[]) =>
  events.filter((e): e is ClusterThresholdCrossed => e.type === 'ClusterThresholdCrossed').map((e) => e.data);

describe('Complaint cluster', () => {
  describe('cluster key: product quality by SKU + batch; service failures and special scenarios by region', () => {
    it('keys a product-quality complaint on SKU and batch', () => {
      expect(clusterKeyOf(aComplaint().forSku('BAT-100').forBatch('B-7').build())).toBe('sku:BAT-100|batch:B-7');
    });

    it('keys on the SKU alone when the batch is unknown', () => {
      expect(clusterKeyOf(aComplaint().forBatch(undefined).build())).toBe('sku:BAT-100');
    });

    it('ignores case and surrounding blanks, so " b-7" and "B-7" cluster together', () => {
      expect(clusterKeyOf(aComplaint().forSku(' bat-100').forBatch('b-7 ').build())).toBe('sku:BAT-100|batch:B-7');
    });

    it('keys service failures and special scenarios on the region, in separate clusters per category', () => {
      const late = aComplaint().about('service-failure', 'CN-East').build();
      const storm = aComplaint().about('special-scenario', 'CN-East').build();
      expect(clusterKeyOf(late)).toBe('region:CN-EAST');
      expect(clusterKeyOf(storm)).toBe('region:CN-EAST');
      expect(clusterIdOf('shop-1', late)).toBe('shop-1/service-failure/region:CN-EAST');
      expect(clusterIdOf('shop-1', storm)).toBe('shop-1/special-scenario/region:CN-EAST');
    });

    // Seed 000 §3.5.1: every complaint is taken on. What cannot be clustered is kept as a single complaint.
    it('keys a product-quality complaint without SKU, and a regional one without region, on the complaint alone', () => {
      const noSku = aComplaint().withId('C-NOSKU').forSku(undefined);
      const noRegion = aComplaint().withId('C-NOREGION').about('service-failure', '  ');
      expect(clusterKeyOf(noSku.build())).toBe('complaint:C-NOSKU');
      expect(clusterKeyOf(noRegion.build())).toBe('complaint:C-NOREGION');
      expect(clusterIdOf('shop-1', noRegion.build())).toBe('shop-1/service-failure/complaint:C-NOREGION');
    });

    it('grades a single complaint like the first of any cluster: L3, or what its flags force', () => {
      given([])
        .when(registerComplaint(aComplaint().withId('C-S1').forSku(undefined), clock.now()))
        .thenMatches([
          { type: 'ComplaintClustered', data: { clusterKey: 'complaint:C-S1', complaintsInWindow: 1 } },
          { type: 'ClusterThresholdCrossed', data: { clusterKey: 'complaint:C-S1', level: 'L3', previousLevel: null } },
        ]);
      given([])
        .when(
          registerComplaint(aComplaint().withId('C-S2').about('special-scenario', undefined).withInjury(), clock.now()),
        )
        .thenMatches([
          { type: 'ComplaintClustered', data: { clusterKey: 'complaint:C-S2' } },
          { type: 'ClusterThresholdCrossed', data: { level: 'L1' } },
        ]);
    });

    it("never lets another complaint into a single complaint's cluster", () => {
      const single = historyOfComplaints([
        registerComplaint(aComplaint().withId('C-S3').forSku(undefined), clock.now()),
      ]);
      given(single)
        .when(registerComplaint(aComplaint().withId('C-S4').forSku(undefined), clock.now()))
        .thenThrows(ComplaintOfAnotherCluster, { kind: 'conflict', code: 'CLUSTER.KEY_MISMATCH' });
    });
  });

  describe('the first complaint starts an episode at L3', () => {
    it('clusters the complaint and signals L3 with no previous level', () => {
      const complaint = aComplaint().withId('C-1').fromCustomer('CUS-1');
      const actor = { id: 'incidents.cluster-watch', role: 'system' };
      given([])
        .when(registerComplaint(complaint, clock.now()))
        .then([
          {
            type: 'ComplaintClustered',
            data: {
              ...complaint.build(clock.now()),
              tenant: 'shop-1',
              clusterKey: 'sku:BAT-100|batch:B-7',
              windowStart: null,
              inWindow: true,
              complaintsInWindow: 1,
              customersInWindow: 1,
              actor,
              at: '2026-11-25T08:00:00.000Z',
            },
          },
          {
            type: 'ClusterThresholdCrossed',
            data: {
              tenant: 'shop-1',
              category: 'product-quality',
              clusterKey: 'sku:BAT-100|batch:B-7',
              level: 'L3',
              previousLevel: null,
              reason: '1 customers over the cluster episode reached the L3 threshold of 1',
              triggers: [{ kind: 'count', count: 1, countBy: 'customer', threshold: 1 }],
              complaintsInWindow: 1,
              customersInWindow: 1,
              complaintId: 'C-1',
              actor,
              at: '2026-11-25T08:00:00.000Z',
            },
          },
        ]);
    });
  });

  describe('thresholds: the 10th customer in the window upgrades L3 → L2, the 100th L2 → L1', () => {
    it('signals nothing from the 2nd to the 9th complaint', () => {
      const history = historyOfComplaints(complaints(9));
      expect(crossings(history).map((c) => c.level)).toEqual(['L3']);
    });

    it('signals L2 at the 10th complaint within 24 h', () => {
      // 9 complaints 08:00–08:08, the 10th at 08:09: 10 customers ≥ L2 threshold 10.
      const history = historyOfComplaints(complaints(9));
      given(history)
        .when(registerComplaint(aComplaint(), clock.now()))
        .thenMatches([
          { type: 'ComplaintClustered', data: { complaintsInWindow: 10, customersInWindow: 10 } },
          { type: 'ClusterThresholdCrossed', data: { level: 'L2', previousLevel: 'L3' } },
        ]);
    });

    it('signals L1 at the 100th and nothing at the 101st', () => {
      // 99 complaints, one every 10 s (08:00:00–08:16:20): the 100th, at 08:16:30, reaches the L1 threshold of 100.
      const history = historyOfComplaints(complaints(99, { seconds: 10 }));
      const at100th = historyOfComplaints(complaints(1, { seconds: 10 }), history);
      expect(crossings(at100th).map((c) => [c.previousLevel, c.level])).toEqual([
        [null, 'L3'],
        ['L3', 'L2'],
        ['L2', 'L1'],
      ]);
      given(at100th)
        .when(registerComplaint(aComplaint(), clock.now()))
        .thenMatches([{ type: 'ComplaintClustered', data: { complaintsInWindow: 101 } }]);
    });
  });

  describe('flags force a level at once: injury, property loss, media exposure, group event, legal threat, brand risk → L1; regional outage, larger customer loss → L2 (seed 004 §3(二), seed 000 §3.5.3)', () => {
    it('an injury on the first complaint goes straight to L1', () => {
      given([])
        .when(registerComplaint(aComplaint().withId('C-1').withInjury(), clock.now()))
        .thenMatches([
          { type: 'ComplaintClustered' },
          {
            type: 'ClusterThresholdCrossed',
            data: {
              level: 'L1',
              previousLevel: null,
              reason: 'injury reported in complaint C-1 forces L1',
              triggers: [{ kind: 'flag', flag: 'injury', complaintId: 'C-1' }],
            },
          },
        ]);
    });

    it('media exposure on the 3rd complaint of an L3 cluster upgrades it to L1', () => {
      const history = historyOfComplaints(complaints(2));
      given(history)
        .when(registerComplaint(aComplaint().withMediaExposure(), clock.now()))
        .thenMatches([
          { type: 'ComplaintClustered' },
          { type: 'ClusterThresholdCrossed', data: { level: 'L1', previousLevel: 'L3' } },
        ]);
    });

    it('property loss forces L1', () => {
      given([])
        .when(registerComplaint(aComplaint().withPropertyLoss(), clock.now()))
        .thenMatches([{ type: 'ComplaintClustered' }, { type: 'ClusterThresholdCrossed', data: { level: 'L1' } }]);
    });

    // Seed 000 §3.5.3: a group event (「群體性事件」) goes straight to senior management and starts the emergency plan;
    // seed 004 §3(二): wide impact is level 1.
    it('a group event on the first complaint goes straight to L1', () => {
      given([])
        .when(registerComplaint(aComplaint().withId('C-1').withGroupEvent(), clock.now()))
        .thenMatches([
          { type: 'ComplaintClustered', data: { flags: { groupEvent: true } } },
          {
            type: 'ClusterThresholdCrossed',
            data: {
              level: 'L1',
              previousLevel: null,
              reason: 'groupEvent reported in complaint C-1 forces L1',
              triggers: [{ kind: 'flag', flag: 'groupEvent', complaintId: 'C-1' }],
            },
          },
        ]);
    });

    it('a tenant that grades group events L2 gets an L2 crossing', () => {
      const decider = createComplaintClusterDecider(
        resolvePolicy({ clustering: { flagLevels: { groupEvent: 'L2' } } }),
      );
      specOf(decider)([])
        .when(registerComplaint(aComplaint().withGroupEvent(), clock.now()))
        .thenMatches([
          { type: 'ComplaintClustered' },
          { type: 'ClusterThresholdCrossed', data: { level: 'L2', previousLevel: null } },
        ]);
    });

    it('a complaint clustered before group events were read (its flags without groupEvent) counts as without one', () => {
      const { groupEvent: _absent, ...recordedBefore } = aComplaint().build().flags;
      const [clustered] = historyOfComplaints(complaints(1));
      const before = { ...clustered!, data: { ...clustered!.data, flags: recordedBefore } } as ComplaintClusterEvent;
      const after = complaintClusterDecider.evolve(complaintClusterDecider.initialState(), before);
      expect(after.status === 'watching' ? [...after.window.complaints] : []).toMatchObject([
        { flags: { groupEvent: false } },
      ]);
    });

    // Seed 000 §3.5.3: 「可能引發法律糾紛的特殊售後問題,應立即上報平臺高級管理層,並啟動應急預案」.
    it('a legal dispute or threat goes straight to senior management: L1', () => {
      given([])
        .when(registerComplaint(aComplaint().withLegalThreat(), clock.now()))
        .thenMatches([
          { type: 'ComplaintClustered' },
          {
            type: 'ClusterThresholdCrossed',
            data: { level: 'L1', previousLevel: null, triggers: [{ kind: 'flag', flag: 'legalThreat' }] },
          },
        ]);
    });

    // Seed 004 §3(二) level 1: 「品牌聲譽面臨重大風險」.
    it('a major brand-reputation risk forces L1', () => {
      given([])
        .when(registerComplaint(aComplaint().withBrandRisk(), clock.now()))
        .thenMatches([
          { type: 'ComplaintClustered' },
          { type: 'ClusterThresholdCrossed', data: { level: 'L1', triggers: [{ kind: 'flag', flag: 'brandRisk' }] } },
        ]);
    });

    // Seed 004 §3(二) level 2: 「區域內服務中斷」.
    it('a regional service outage forces L2', () => {
      given([])
        .when(registerComplaint(aComplaint().about('special-scenario', 'CN-GD').withRegionalOutage(), clock.now()))
        .thenMatches([
          { type: 'ComplaintClustered' },
          {
            type: 'ClusterThresholdCrossed',
            data: { level: 'L2', triggers: [{ kind: 'flag', flag: 'regionalOutage' }] },
          },
        ]);
    });

    // Seed 004 §3(二) level 2: 「客戶損失較大(如訂單延遲導致錯過重要活動)」.
    it('a larger customer loss (a delay that made a customer miss an important event) forces L2', () => {
      given([])
        .when(registerComplaint(aComplaint().about('service-failure', 'CN-GD').withMajorCustomerLoss(), clock.now()))
        .thenMatches([
          { type: 'ComplaintClustered' },
          {
            type: 'ClusterThresholdCrossed',
            data: { level: 'L2', triggers: [{ kind: 'flag', flag: 'majorCustomerLoss' }] },
          },
        ]);
    });

    it('a flag that forces no more than the level already signalled adds nothing', () => {
      const atL2 = historyOfComplaints(complaints(10));
      given(atL2)
        .when(registerComplaint(aComplaint().withMajorCustomerLoss(), clock.now()))
        .thenMatches([{ type: 'ComplaintClustered' }]);
    });
  });

  describe('folding grows the state without changing it (ADR 31)', () => {
    it('two complaints folded onto the same state make two states apart; the state itself is unchanged', () => {
      const history = historyOfComplaints(complaints(3));
      const { evolve, initialState } = complaintClusterDecider;
      const base = history.reduce(evolve, initialState());
      const [left, right] = [aComplaint().withId('C-LEFT'), aComplaint().withId('C-RIGHT')].map((c) => {
        const [clustered] = complaintClusterDecider.decide(registerComplaint(c, clock.now()), base);
        return evolve(base, clustered!);
      });
      const ids = (state: typeof base) =>
        state.status === 'watching'
          ? { seen: [...state.seen], window: [...state.window.complaints].map((c) => c.complaintId) }
          : null;
      const before = history.map((e) => (e.type === 'ComplaintClustered' ? e.data.complaintId : '')).filter(Boolean);
      expect(ids(base)).toEqual({ seen: before, window: before });
      expect(ids(left!)).toEqual({ seen: [...before, 'C-LEFT'], window: [...before, 'C-LEFT'] });
      expect(ids(right!)).toEqual({ seen: [...before, 'C-RIGHT'], window: [...before, 'C-RIGHT'] });
      // Deciding on the untouched state still sees C-LEFT and C-RIGHT as new.
      expect(
        complaintClusterDecider.decide(registerComplaint(aComplaint().withId('C-LEFT'), clock.now()), base),
      ).not.toEqual([]);
    });
  });

  describe('deduplication: a redelivered complaint adds nothing', () => {
    it('decides nothing for a complaint id already clustered', () => {
      const nine = complaints(9);
      const history = historyOfComplaints(nine);
      given(history)
        .when(registerComplaint(aComplaint().withId(nine[8]!.data.complaintId), clock.now()))
        .thenNothing();
    });

    it('does not count a redelivery towards a threshold', () => {
      // 9 distinct complaints + the 9th delivered again = still 9: no L2.
      const nine = complaints(9);
      const history = historyOfComplaints([
        ...nine,
        { ...nine[8]!, context: { ...nine[8]!.context, now: clock.now() } },
      ]);
      expect(history.filter((e) => e.type === 'ComplaintClustered')).toHaveLength(9);
      expect(crossings(history).map((c) => c.level)).toEqual(['L3']);
    });
  });

  describe('sliding window (a tenant policy choice, windowHours: 24): only complaints received within 24 h of now count', () => {
    const windowed = createComplaintClusterDecider(resolvePolicy({ clustering: { windowHours: 24 } }));
    const given = specOf(windowed);
    const historyOfComplaints = (commands: RegisterComplaint[], history: ComplaintClusterEvent[] = []) =>
      historyOf(windowed, commands, history);

    it('a complaint 25 h old falls out of the window; an emptied window starts a new episode at L3', () => {
      // 9 complaints at 08:00 on the 25th. At 09:00 on the 26th the window starts at 09:00 on the 25th:
      // the 9 are 25 h old and fall out, so the new complaint counts 1 and starts a new episode.
      const history = historyOfComplaints(complaints(9, { seconds: 0 }));
      clock.advance({ hours: 25 });
      given(history)
        .when(registerComplaint(aComplaint(), clock.now()))
        .thenMatches([
          { type: 'ComplaintClustered', data: { windowStart: '2026-11-25T09:00:00.000Z', complaintsInWindow: 1 } },
          { type: 'ClusterThresholdCrossed', data: { level: 'L3', previousLevel: null } },
        ]);
    });

    it('a complaint exactly 24 h old still counts (the window bounds are inclusive)', () => {
      // 9 at 08:00 on the 25th + 1 at 08:00 on the 26th = 10 within 24 h → L2.
      const history = historyOfComplaints(complaints(9, { seconds: 0 }));
      clock.advance({ hours: 24 });
      given(history)
        .when(registerComplaint(aComplaint(), clock.now()))
        .thenMatches([{ type: 'ComplaintClustered' }, { type: 'ClusterThresholdCrossed', data: { level: 'L2' } }]);
    });

    it('counts complaints spread over almost a day', () => {
      // 9 complaints 2 h 30 min apart: 08:00 on the 25th … 04:00 on the 26th; the 10th at 06:30 is 22 h 30 min after the 1st.
      const history = historyOfComplaints(complaints(9, { hours: 2, minutes: 30 }));
      given(history)
        .when(registerComplaint(aComplaint(), clock.now()))
        .thenMatches([
          { type: 'ComplaintClustered', data: { complaintsInWindow: 10 } },
          { type: 'ClusterThresholdCrossed', data: { level: 'L2' } },
        ]);
    });

    it('does not signal a level again while the window, never empty, refills in the same episode', () => {
      // 10 at 08:00 on the 25th (L2), 1 at 20:00. At 09:00 on the 26th the first 10 fall out but the 20:00 one
      // remains: the episode goes on, and refilling to 10 customers does not signal L2 a second time.
      let history = historyOfComplaints(complaints(10, { seconds: 0 }));
      clock.advance({ hours: 12 });
      history = historyOfComplaints(complaints(1, { seconds: 0 }), history);
      clock.advance({ hours: 13 });
      history = historyOfComplaints(complaints(9, { seconds: 1 }), history);
      expect(history.at(-1)).toMatchObject({ type: 'ComplaintClustered', data: { complaintsInWindow: 10 } });
      expect(crossings(history).map((c) => c.level)).toEqual(['L3', 'L2']);
    });

    it('keeps a late complaint received 25 h ago but counts it for nothing', () => {
      given([])
        .when(registerComplaint(aComplaint().receivedAt(clock.in({ hours: -25 })), clock.now()))
        .then([
          expect.objectContaining({
            type: 'ComplaintClustered',
            data: expect.objectContaining({ inWindow: false, complaintsInWindow: 0, customersInWindow: 0 }),
          }),
        ]);
    });

    it('prunes a complaint that ages out even when it came after newer ones (a late one, received earlier)', () => {
      // 8 received at 18:00 on the 25th; then one received at 08:00 the same day arrives late (inside 24 h then).
      // At 08:30 on the 26th only that late one is older than 24 h: 8 + the new one = 9, not 10 (no L2).
      const start = clock.now();
      clock.advance({ hours: 10 });
      let history = historyOfComplaints(complaints(8, { seconds: 0 }));
      history = historyOfComplaints(
        complaints(1, { seconds: 0 }, () => aComplaint().receivedAt(start.toISOString())),
        history,
      );
      expect(history.at(-1)).toMatchObject({ data: { inWindow: true, complaintsInWindow: 9 } });
      clock.advance({ hours: 14, minutes: 30 });
      given(history)
        .when(registerComplaint(aComplaint(), clock.now()))
        .then([
          expect.objectContaining({
            type: 'ComplaintClustered',
            data: expect.objectContaining({ complaintsInWindow: 9, customersInWindow: 9 }),
          }),
        ]);
    });

    it('reads the window from the tenant policy', () => {
      // With a 48 h window the 9 complaints of the 25th still count 25 h later: 10 → L2.
      const decider = createComplaintClusterDecider(resolvePolicy({ clustering: { windowHours: 48 } }));
      const history = historyOf(decider, complaints(9, { seconds: 0 }));
      clock.advance({ hours: 25 });
      const events = decider.decide(
        registerComplaint(aComplaint(), clock.now()),
        history.reduce(decider.evolve, decider.initialState()),
      );
      expect(crossings(events)).toMatchObject([{ level: 'L2', previousLevel: 'L3' }]);
    });
  });

  // Issue 13 / seed 004 §3(二): levels grade reach ("100名以上客戶投訴"), not a rate; a window is a tenant's choice.
  describe('counting over the cluster episode (default, windowHours: null): thresholds count every customer of the open cluster', () => {
    it('100 customers spread over three days reach L1', () => {
      // 99 customers, one every 43 min (≈ 71 h in all), then the 100th: the L1 threshold of 100 is reached.
      const history = historyOfComplaints(complaints(99, { minutes: 43 }));
      given(history)
        .when(registerComplaint(aComplaint(), clock.now()))
        .thenMatches([
          { type: 'ComplaintClustered', data: { windowStart: null, customersInWindow: 100 } },
          {
            type: 'ClusterThresholdCrossed',
            data: {
              level: 'L1',
              previousLevel: 'L2',
              reason: '100 customers over the cluster episode reached the L1 threshold of 100',
            },
          },
        ]);
    });

    it('a complaint received long ago still counts', () => {
      given([])
        .when(registerComplaint(aComplaint().receivedAt(clock.in({ hours: -25 })), clock.now()))
        .thenMatches([
          { type: 'ComplaintClustered', data: { inWindow: true, complaintsInWindow: 1 } },
          { type: 'ClusterThresholdCrossed', data: { level: 'L3' } },
        ]);
    });

    it("the closure of the cluster's incident ends the episode: counting starts again and the next complaint signals L3 anew", () => {
      const history = historyOfComplaints(complaints(12));
      const end = {
        type: 'EndClusterEpisode' as const,
        context: { tenant: 'shop-1', actor: { id: 'incidents.cluster-watch', roles: ['system'] }, now: clock.now() },
        data: { incidentId: 'INC-1', reason: 'incident INC-1 closed' },
      };
      given(history)
        .when(end)
        .thenMatches([
          { type: 'ClusterEpisodeEnded', data: { incidentId: 'INC-1', clusterKey: 'sku:BAT-100|batch:B-7' } },
        ]);
      const ended = historyOf(complaintClusterDecider, [end], history);
      given(ended).when(end).thenNothing();
      given(ended)
        .when(registerComplaint(aComplaint(), clock.now()))
        .thenMatches([
          { type: 'ComplaintClustered', data: { customersInWindow: 1 } },
          { type: 'ClusterThresholdCrossed', data: { level: 'L3', previousLevel: null } },
        ]);
    });
  });

  // Seed 004 §3(二): 「根據影響範圍(客戶數量、地域覆蓋)…分為三級」: regions reached grade with the customer count.
  describe('geographic spread: the regions a cluster reaches count toward its level (policy regionThresholds, default L2 at 3, L1 at 10)', () => {
    const fromRegion = (region: string) => () => aComplaint().fromRegion(region);

    it('a batch complained about from 3 regions reaches L2 with only 3 customers', () => {
      const history = historyOfComplaints([
        ...complaints(1, { minutes: 1 }, fromRegion('CN-EAST')),
        ...complaints(1, { minutes: 1 }, fromRegion('cn-south ')),
      ]);
      given(history)
        .when(registerComplaint(aComplaint().fromRegion('CN-NORTH'), clock.now()))
        .thenMatches([
          { type: 'ComplaintClustered' },
          {
            type: 'ClusterThresholdCrossed',
            data: {
              level: 'L2',
              previousLevel: 'L3',
              triggers: [{ kind: 'spread', regions: 3, threshold: 3 }],
              reason: 'complaints from 3 regions reached the L2 spread threshold of 3',
            },
          },
        ]);
    });

    it('two complaints from one region (written differently) are one region', () => {
      const history = historyOfComplaints([
        ...complaints(1, { minutes: 1 }, fromRegion('CN-EAST')),
        ...complaints(1, { minutes: 1 }, fromRegion(' cn-east')),
      ]);
      given(history)
        .when(registerComplaint(aComplaint().fromRegion('CN-SOUTH'), clock.now()))
        .thenMatches([{ type: 'ComplaintClustered' }]);
    });

    it('complaints from 10 regions reach L1', () => {
      const regions = Array.from({ length: 10 }, (_, i) => `R-${i}`);
      const history = historyOfComplaints(regions.flatMap((r) => complaints(1, { minutes: 1 }, fromRegion(r))));
      expect(crossings(history).map((c) => c.level)).toEqual(['L3', 'L2', 'L1']);
      expect(crossings(history).at(-1)).toMatchObject({ triggers: [{ kind: 'spread', regions: 10, threshold: 10 }] });
    });

    it('a tenant that turns spread off grades on the customer count alone', () => {
      const decider = createComplaintClusterDecider(
        resolvePolicy({ clustering: { regionThresholds: { L2: null, L1: null } } }),
      );
      const history = historyOf(
        decider,
        ['A', 'B', 'C', 'D'].flatMap((r) => complaints(1, { minutes: 1 }, fromRegion(r))),
      );
      expect(crossings(history).map((c) => c.level)).toEqual(['L3']);
    });
  });

  describe('reach counts distinct customers (policy countBy)', () => {
    it('one customer complaining ten times stays at L3', () => {
      const history = historyOfComplaints(complaints(10, { minutes: 1 }, () => aComplaint().fromCustomer('CUS-1')));
      expect(history.at(-1)).toMatchObject({ data: { complaintsInWindow: 10, customersInWindow: 1 } });
      expect(crossings(history).map((c) => c.level)).toEqual(['L3']);
    });

    it('counts complaints instead when the tenant says so', () => {
      const decider = createComplaintClusterDecider(resolvePolicy({ clustering: { countBy: 'complaint' } }));
      const history = historyOf(
        decider,
        complaints(10, { minutes: 1 }, () => aComplaint().fromCustomer('CUS-1')),
      );
      expect(crossings(history).map((c) => c.level)).toEqual(['L3', 'L2']);
    });
  });

  describe('a cluster only accepts its own, already received complaints', () => {
    it('refuses a complaint received after now', () => {
      given([])
        .when(registerComplaint(aComplaint().receivedAt(clock.in({ minutes: 5 })), clock.now()))
        .thenThrows(ComplaintReceivedAtInvalid, { kind: 'invalid', code: 'CLUSTER.RECEIVED_AT_INVALID' });
    });

    it('refuses a complaint of another batch routed to this cluster', () => {
      const history = historyOfComplaints(complaints(1));
      given(history)
        .when(registerComplaint(aComplaint().forBatch('B-8'), clock.now()))
        .thenThrows(ComplaintOfAnotherCluster, { kind: 'conflict', code: 'CLUSTER.KEY_MISMATCH' });
    });
  });
});

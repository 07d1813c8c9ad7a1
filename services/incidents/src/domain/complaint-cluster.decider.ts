import { assertNever, GrowingSet } from '@aftersales/domain';
import type { Decider } from '@aftersales/domain';
import type {
  ComplaintClusterCommand,
  ComplaintFacts,
  EndClusterEpisode,
  RegisterComplaint,
} from './complaint-cluster.commands';
import { ComplaintOfAnotherCluster, ComplaintReceivedAtInvalid } from './complaint-cluster.errors';
import type {
  ClusterThresholdCrossed,
  ComplaintClustered,
  ComplaintClusterEvent,
  CrossingTrigger,
} from './complaint-cluster.events';
import { defaultIncidentPolicy, levelForCount, levelForSpread, type IncidentPolicy } from './incident-policy';
import {
  actorOf,
  complaintFlagNames,
  complaintFlagsOf,
  isMoreSevere,
  mostSevere,
  plusHours,
  type ComplaintFlags,
  type IncidentCategory,
  type IncidentLevel,
} from './incident.values';

/**
 * The key complaints of one category are aggregated on (domain §5: "same product/batch/region"):
 * product quality by SKU and batch (`sku:BAT-100|batch:B-7`, or `sku:BAT-100` when the batch is unknown), service
 * failures and special scenarios by region (`region:CN-EAST`). Parts are trimmed and upper-cased, so `b-7 ` and
 * `B-7` cluster together.
 *
 * A complaint without the part its category clusters on is still taken on (seed 000 §3.5.1): it is a single complaint,
 * its own cluster keyed by its id (`complaint:<complaintId>`, as intake keys it on Kafka), graded like the first
 * complaint of any cluster (its flags included) and never joined by another.
 *
 * @example
 * ```ts
 * clusterKeyOf({ complaintId: 'C-1', category: 'product-quality', sku: 'BAT-100', batch: 'B-7' }); // 'sku:BAT-100|batch:B-7'
 * clusterKeyOf({ complaintId: 'C-2', category: 'service-failure' }); // 'complaint:C-2'
 * ```
 */
export function clusterKeyOf(
  complaint: Pick<ComplaintFacts, 'complaintId' | 'category' | 'sku' | 'batch' | 'region'>,
): string {
  const part = (value: string | undefined) => value?.trim().toUpperCase() || undefined;
  if (complaint.category === 'product-quality') {
    const sku = part(complaint.sku);
    if (!sku) return singleComplaintKey(complaint.complaintId);
    const batch = part(complaint.batch);
    return batch ? `sku:${sku}|batch:${batch}` : `sku:${sku}`;
  }
  const region = part(complaint.region);
  return region ? `region:${region}` : singleComplaintKey(complaint.complaintId);
}

/** The cluster key of a complaint that has nothing to be clustered on: the complaint alone. */
function singleComplaintKey(complaintId: string): string {
  return `complaint:${complaintId}`;
}

/** The stream id of a cluster: one ComplaintCluster per (tenant, category, cluster key). */
export function clusterIdOf(
  tenant: string,
  complaint: Pick<ComplaintFacts, 'complaintId' | 'category' | 'sku' | 'batch' | 'region'>,
) {
  return `${tenant}/${complaint.category}/${clusterKeyOf(complaint)}`;
}

/** A complaint as the cluster remembers it while it is inside the window. */
interface WindowedComplaint {
  readonly complaintId: string;
  readonly customerRef: string;
  readonly caseId?: string;
  readonly orderId?: string;
  /** The region it came from (trimmed, upper-cased), for the geographic spread. */
  readonly region?: string;
  readonly receivedAtMs: number;
  readonly flags: ComplaintFlags;
}

/** A region as the spread counts it: `cn-east ` and `CN-EAST` are one region. */
function regionOf(region: string | undefined): { region?: string } {
  const normalized = region?.trim().toUpperCase();
  return normalized ? { region: normalized } : {};
}

/**
 * The complaints of a cluster's window and what grading counts of them, kept as the window grows, so that a complaint
 * is graded in O(1) instead of recounting the window (ADR 31: a window of 20,000 took 18 ms per complaint).
 */
export interface CountedWindow {
  /** The complaints, in the order they came. */
  readonly complaints: GrowingSet<WindowedComplaint>;
  /** The earliest receipt among them (`Infinity` when empty): the window is pruned only when it is older than the start. */
  readonly earliestMs: number;
  /** Their distinct customers. */
  readonly customers: GrowingSet<string>;
  /** Their distinct regions. */
  readonly regions: GrowingSet<string>;
  /** Those that raise any flag, in order (flags that force a level: the policy decides which). */
  readonly flagged: GrowingSet<WindowedComplaint>;
}

/** A window of none (made anew each time: a shared empty set would share its backing list between clusters). */
function emptyWindow(): CountedWindow {
  return {
    complaints: GrowingSet.empty(),
    earliestMs: Infinity,
    customers: GrowingSet.empty(),
    regions: GrowingSet.empty(),
    flagged: GrowingSet.empty(),
  };
}

/** The window with `complaint` last, its tallies moved on. */
function withComplaint(window: CountedWindow, complaint: WindowedComplaint): CountedWindow {
  return {
    complaints: window.complaints.with(complaint),
    earliestMs: Math.min(window.earliestMs, complaint.receivedAtMs),
    customers: window.customers.with(complaint.customerRef),
    regions: complaint.region ? window.regions.with(complaint.region) : window.regions,
    flagged: raisesAnyFlag(complaint) ? window.flagged.with(complaint) : window.flagged,
  };
}

function raisesAnyFlag(complaint: WindowedComplaint): boolean {
  return complaintFlagNames.some((flag) => complaint.flags[flag]);
}

/**
 * A cluster either has seen nothing, or watches one (tenant, category, key).
 *
 * An *episode* is a run of complaints during which the window never empties. Within an episode the cluster signals
 * each level once, going up only; when the window has emptied, the next complaint starts a new episode.
 */
export type ComplaintClusterState =
  | { readonly status: 'empty' }
  | {
      readonly status: 'watching';
      readonly tenant: string;
      readonly category: IncidentCategory;
      readonly clusterKey: string;
      /** Every complaint id ever clustered, for deduplication of redeliveries (grown in O(1) per complaint, ADR 31). */
      readonly seen: ReadonlySet<string>;
      /**
       * The complaints that count, in the order they came: those of the current episode (inside the window, when the
       * tenant has one; older ones are pruned), with their tallies.
       */
      readonly window: CountedWindow;
      /** The most severe level signalled in the current episode. */
      readonly signalledLevel: IncidentLevel | null;
      /** Incidents whose closure ended an episode (deduplicates `EndClusterEpisode`). */
      readonly endedFor: ReadonlySet<string>;
    };

const initialState = (): ComplaintClusterState => ({ status: 'empty' });

/**
 * The ComplaintCluster aggregate for a tenant's policy.
 *
 * @example
 * ```ts
 * const decider = createComplaintClusterDecider(resolvePolicy({ clustering: { windowHours: 48 } }));
 * ```
 */
export function createComplaintClusterDecider(
  policy: IncidentPolicy = defaultIncidentPolicy,
): Decider<ComplaintClusterState, ComplaintClusterCommand, ComplaintClusterEvent> {
  const decide = (command: ComplaintClusterCommand, state: ComplaintClusterState): ComplaintClusterEvent[] => {
    switch (command.type) {
      case 'RegisterComplaint':
        return registerComplaint(command, state, policy);
      case 'EndClusterEpisode':
        return endEpisode(command, state);
      default:
        return assertNever(command);
    }
  };
  return { decide, evolve, initialState };
}

/** The ComplaintCluster aggregate with the default policy. */
export const complaintClusterDecider = createComplaintClusterDecider();

function registerComplaint(
  { context, data: complaint }: RegisterComplaint,
  state: ComplaintClusterState,
  policy: IncidentPolicy,
): ComplaintClusterEvent[] {
  const clusterKey = clusterKeyOf(complaint);
  const receivedAtMs = Date.parse(complaint.receivedAt);
  if (!(receivedAtMs <= context.now.getTime())) throw new ComplaintReceivedAtInvalid(complaint.receivedAt, context.now);
  if (state.status === 'watching') {
    if (state.category !== complaint.category || state.clusterKey !== clusterKey) {
      throw new ComplaintOfAnotherCluster(
        `${state.category}/${state.clusterKey}`,
        `${complaint.category}/${clusterKey}`,
      );
    }
    if (state.seen.has(complaint.complaintId)) return [];
  }

  const { windowHours } = policy.clustering;
  const windowStart = windowHours === null ? null : plusHours(context.now, -windowHours);
  const earlier = state.status === 'watching' ? insideWindow(state.window, windowStart) : emptyWindow();
  const inWindow = windowStart === null || receivedAtMs >= windowStart.getTime();
  const { complaintId, customerRef, caseId, orderId, flags } = complaint;
  const windowed: WindowedComplaint = {
    complaintId,
    customerRef,
    ...(caseId ? { caseId } : {}),
    ...(orderId ? { orderId } : {}),
    ...regionOf(complaint.region),
    flags,
    receivedAtMs,
  };
  const counted = inWindow ? tallyWith(earlier, windowed) : tallyOf(earlier);
  const customers = counted.customers;
  const actor = actorOf(context);
  const at = context.now.toISOString();

  const clustered: ComplaintClustered = {
    type: 'ComplaintClustered',
    data: {
      ...complaint,
      tenant: context.tenant,
      clusterKey,
      windowStart: windowStart?.toISOString() ?? null,
      inWindow,
      complaintsInWindow: counted.complaints,
      customersInWindow: customers,
      actor,
      at,
    },
  };

  const previousLevel = earlier.complaints.size > 0 && state.status === 'watching' ? state.signalledLevel : null;
  const grading = grade(counted, policy);
  if (!grading || (previousLevel && !isMoreSevere(grading.level, previousLevel))) return [clustered];

  const crossed: ClusterThresholdCrossed = {
    type: 'ClusterThresholdCrossed',
    data: {
      tenant: context.tenant,
      category: complaint.category,
      clusterKey,
      level: grading.level,
      previousLevel,
      reason: grading.triggers.map((trigger) => describe(trigger, grading.level, policy)).join('; '),
      triggers: grading.triggers,
      complaintsInWindow: counted.complaints,
      customersInWindow: customers,
      complaintId: complaint.complaintId,
      actor,
      at,
    },
  };
  return [clustered, crossed];
}

function endEpisode({ context, data }: EndClusterEpisode, state: ComplaintClusterState): ComplaintClusterEvent[] {
  if (state.status !== 'watching' || state.endedFor.has(data.incidentId)) return [];
  if (state.window.complaints.size === 0 && state.signalledLevel === null) return [];
  return [
    {
      type: 'ClusterEpisodeEnded',
      data: {
        tenant: state.tenant,
        clusterKey: state.clusterKey,
        incidentId: data.incidentId,
        reason: data.reason,
        actor: actorOf(context),
        at: context.now.toISOString(),
      },
    },
  ];
}

/**
 * The window's complaints still counted at `windowStart` (all of them when the tenant counts over the cluster's life):
 * the window itself, not a copy, unless one of them has aged out (then it is counted anew without them).
 */
function insideWindow(window: CountedWindow, windowStart: Date | null): CountedWindow {
  if (windowStart === null || window.earliestMs >= windowStart.getTime()) return window;
  let kept = emptyWindow();
  for (const c of window.complaints) if (c.receivedAtMs >= windowStart.getTime()) kept = withComplaint(kept, c);
  return kept;
}

/** What grading counts of a window. */
interface Tally {
  readonly complaints: number;
  readonly customers: number;
  readonly regions: number;
  readonly flagged: readonly WindowedComplaint[];
}

/** The window's tally with `complaint` in it, from the window's own tallies (the fold grows the window itself). */
function tallyWith(window: CountedWindow, complaint: WindowedComplaint): Tally {
  return {
    complaints: window.complaints.size + 1,
    customers: window.customers.size + (window.customers.has(complaint.customerRef) ? 0 : 1),
    regions: window.regions.size + (complaint.region && !window.regions.has(complaint.region) ? 1 : 0),
    flagged: raisesAnyFlag(complaint) ? [...window.flagged, complaint] : window.flagged.toArray(),
  };
}

function tallyOf(window: CountedWindow): Tally {
  return {
    complaints: window.complaints.size,
    customers: window.customers.size,
    regions: window.regions.size,
    flagged: window.flagged.toArray(),
  };
}

/** The level the complaints in the window reach, with every trigger that justifies exactly that level. */
function grade(counted: Tally, policy: IncidentPolicy): { level: IncidentLevel; triggers: CrossingTrigger[] } | null {
  const { countBy, levelThresholds, flagLevels, regionThresholds } = policy.clustering;
  const count = countBy === 'customer' ? counted.customers : counted.complaints;
  const countLevel = levelForCount(count, policy);
  const { regions } = counted;
  const spreadLevel = levelForSpread(regions, policy);
  const flagged = counted.flagged.flatMap((c) =>
    complaintFlagNames
      .filter((flag) => c.flags[flag] && flagLevels[flag] !== null)
      .map((flag) => ({ flag, complaintId: c.complaintId, level: flagLevels[flag] as IncidentLevel })),
  );
  const level = mostSevere([countLevel, spreadLevel, ...flagged.map((f) => f.level)]);
  if (level === null) return null;

  const triggers: CrossingTrigger[] = [];
  if (countLevel === level) triggers.push({ kind: 'count', count, countBy, threshold: levelThresholds[level] });
  if (spreadLevel === level) triggers.push({ kind: 'spread', regions, threshold: regionThresholds[level] ?? regions });
  for (const f of flagged) {
    if (f.level === level) triggers.push({ kind: 'flag', flag: f.flag, complaintId: f.complaintId });
  }
  return { level, triggers };
}

function describe(trigger: CrossingTrigger, level: IncidentLevel, policy: IncidentPolicy): string {
  if (trigger.kind === 'flag') return `${trigger.flag} reported in complaint ${trigger.complaintId} forces ${level}`;
  if (trigger.kind === 'spread') {
    return `complaints from ${trigger.regions} regions reached the ${level} spread threshold of ${trigger.threshold}`;
  }
  const unit = trigger.countBy === 'customer' ? 'customers' : 'complaints';
  const { windowHours } = policy.clustering;
  const over = windowHours === null ? 'over the cluster episode' : `within ${windowHours} h`;
  return `${trigger.count} ${unit} ${over} reached the ${level} threshold of ${trigger.threshold}`;
}

/** A clustered complaint as the window remembers it. */
function windowedOf(data: ComplaintClustered['data']): WindowedComplaint {
  return {
    complaintId: data.complaintId,
    customerRef: data.customerRef,
    ...(data.caseId ? { caseId: data.caseId } : {}),
    ...(data.orderId ? { orderId: data.orderId } : {}),
    ...regionOf(data.region),
    receivedAtMs: Date.parse(data.receivedAt),
    flags: complaintFlagsOf(data.flags),
  };
}

function evolve(state: ComplaintClusterState, event: ComplaintClusterEvent): ComplaintClusterState {
  switch (event.type) {
    case 'ComplaintClustered': {
      const { data } = event;
      const windowStart = data.windowStart === null ? null : new Date(data.windowStart);
      const prior = state.status === 'watching' ? state : null;
      const earlier = prior ? insideWindow(prior.window, windowStart) : emptyWindow();
      // Grown, not copied: folding a cluster of n complaints is O(n), not O(n²) (ADR 31).
      return {
        status: 'watching',
        tenant: data.tenant,
        category: data.category,
        clusterKey: data.clusterKey,
        seen: (prior ? GrowingSet.of(prior.seen) : GrowingSet.empty<string>()).with(data.complaintId),
        window: data.inWindow ? withComplaint(earlier, windowedOf(data)) : earlier,
        // An emptied window ends the episode: what was signalled before no longer holds back a new crossing.
        signalledLevel: earlier.complaints.size > 0 && prior ? prior.signalledLevel : null,
        endedFor: prior ? prior.endedFor : new Set(),
      };
    }
    case 'ClusterThresholdCrossed':
      return state.status === 'watching' ? { ...state, signalledLevel: event.data.level } : state;
    case 'ClusterEpisodeEnded':
      return state.status === 'watching'
        ? {
            ...state,
            window: emptyWindow(),
            signalledLevel: null,
            endedFor: new Set([...state.endedFor, event.data.incidentId]),
          }
        : state;
    default:
      return assertNever(event);
  }
}

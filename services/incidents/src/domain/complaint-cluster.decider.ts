import { assertNever } from '@aftersales/domain';
import type { Decider } from '@aftersales/domain';
import type { ComplaintClusterCommand, ComplaintFacts, RegisterComplaint } from './complaint-cluster.commands';
import { ComplaintOfAnotherCluster, ComplaintReceivedAtInvalid } from './complaint-cluster.errors';
import type {
  ClusterThresholdCrossed,
  ComplaintClustered,
  ComplaintClusterEvent,
  CrossingTrigger,
} from './complaint-cluster.events';
import { defaultIncidentPolicy, levelForCount, type IncidentPolicy } from './incident-policy';
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
  readonly receivedAtMs: number;
  readonly flags: ComplaintFlags;
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
      /** Every complaint id ever clustered, for deduplication of redeliveries. */
      readonly seen: ReadonlySet<string>;
      /** Complaints inside the window as of the last event; older ones are pruned. */
      readonly window: readonly WindowedComplaint[];
      /** The most severe level signalled in the current episode. */
      readonly signalledLevel: IncidentLevel | null;
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
      default:
        return assertNever(command.type);
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

  const windowStart = plusHours(context.now, -policy.clustering.windowHours);
  const earlier = state.status === 'watching' ? insideWindow(state.window, windowStart.getTime()) : [];
  const inWindow = receivedAtMs >= windowStart.getTime();
  const { complaintId, customerRef, caseId, flags } = complaint;
  const windowed: WindowedComplaint = { complaintId, customerRef, ...(caseId ? { caseId } : {}), flags, receivedAtMs };
  const counted = inWindow ? [...earlier, windowed] : earlier;
  const customers = new Set(counted.map((c) => c.customerRef)).size;
  const actor = actorOf(context);
  const at = context.now.toISOString();

  const clustered: ComplaintClustered = {
    type: 'ComplaintClustered',
    data: {
      ...complaint,
      tenant: context.tenant,
      clusterKey,
      windowStart: windowStart.toISOString(),
      inWindow,
      complaintsInWindow: counted.length,
      customersInWindow: customers,
      actor,
      at,
    },
  };

  const previousLevel = earlier.length > 0 && state.status === 'watching' ? state.signalledLevel : null;
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
      complaintsInWindow: counted.length,
      customersInWindow: customers,
      complaintId: complaint.complaintId,
      actor,
      at,
    },
  };
  return [clustered, crossed];
}

function insideWindow(window: readonly WindowedComplaint[], windowStartMs: number): WindowedComplaint[] {
  return window.filter((c) => c.receivedAtMs >= windowStartMs);
}

/** The level the complaints in the window reach, with every trigger that justifies exactly that level. */
function grade(
  counted: readonly WindowedComplaint[],
  policy: IncidentPolicy,
): { level: IncidentLevel; triggers: CrossingTrigger[] } | null {
  const { countBy, levelThresholds, flagLevels } = policy.clustering;
  const count = countBy === 'customer' ? new Set(counted.map((c) => c.customerRef)).size : counted.length;
  const countLevel = levelForCount(count, policy);
  const flagged = counted.flatMap((c) =>
    complaintFlagNames
      .filter((flag) => c.flags[flag] && flagLevels[flag] !== null)
      .map((flag) => ({ flag, complaintId: c.complaintId, level: flagLevels[flag] as IncidentLevel })),
  );
  const level = mostSevere([countLevel, ...flagged.map((f) => f.level)]);
  if (level === null) return null;

  const triggers: CrossingTrigger[] = [];
  if (countLevel === level) triggers.push({ kind: 'count', count, countBy, threshold: levelThresholds[level] });
  for (const f of flagged) {
    if (f.level === level) triggers.push({ kind: 'flag', flag: f.flag, complaintId: f.complaintId });
  }
  return { level, triggers };
}

function describe(trigger: CrossingTrigger, level: IncidentLevel, policy: IncidentPolicy): string {
  if (trigger.kind === 'flag') return `${trigger.flag} reported in complaint ${trigger.complaintId} forces ${level}`;
  const unit = trigger.countBy === 'customer' ? 'customers' : 'complaints';
  return `${trigger.count} ${unit} within ${policy.clustering.windowHours} h reached the ${level} threshold of ${trigger.threshold}`;
}

function evolve(state: ComplaintClusterState, event: ComplaintClusterEvent): ComplaintClusterState {
  switch (event.type) {
    case 'ComplaintClustered': {
      const { data } = event;
      const windowStartMs = Date.parse(data.windowStart);
      const earlier = state.status === 'watching' ? insideWindow(state.window, windowStartMs) : [];
      const complaint: WindowedComplaint = {
        complaintId: data.complaintId,
        customerRef: data.customerRef,
        ...(data.caseId ? { caseId: data.caseId } : {}),
        receivedAtMs: Date.parse(data.receivedAt),
        flags: complaintFlagsOf(data.flags),
      };
      return {
        status: 'watching',
        tenant: data.tenant,
        category: data.category,
        clusterKey: data.clusterKey,
        seen: new Set([...(state.status === 'watching' ? state.seen : []), data.complaintId]),
        window: data.inWindow ? [...earlier, complaint] : earlier,
        // An emptied window ends the episode: what was signalled before no longer holds back a new crossing.
        signalledLevel: earlier.length > 0 && state.status === 'watching' ? state.signalledLevel : null,
      };
    }
    case 'ClusterThresholdCrossed':
      return state.status === 'watching' ? { ...state, signalledLevel: event.data.level } : state;
    default:
      return assertNever(event);
  }
}

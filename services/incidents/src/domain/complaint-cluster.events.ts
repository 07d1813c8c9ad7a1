import type { ComplaintFacts } from './complaint-cluster.commands';
import type {
  ActorRef,
  ComplaintFlag,
  IncidentCategory,
  IncidentLevel,
  RecordedComplaintFlags,
} from './incident.values';

/** A complaint was added to its cluster, with the counts of the window at that moment. */
export type ComplaintClustered = {
  readonly type: 'ComplaintClustered';
  readonly data: Omit<ComplaintFacts, 'flags'> & {
    /** As recorded: `groupEvent` is absent from complaints clustered before incidents read it (= `false`). */
    readonly flags: RecordedComplaintFlags;
    readonly tenant: string;
    readonly clusterKey: string;
    /**
     * Start of the sliding window (`now − windowHours`) when the complaint was clustered; inclusive. `null` when the
     * tenant counts over the cluster's life (no window): every complaint of the episode counts.
     */
    readonly windowStart: string | null;
    /** `false` for a complaint already older than the window (a late redelivery): it is kept but counts for nothing. */
    readonly inWindow: boolean;
    readonly complaintsInWindow: number;
    readonly customersInWindow: number;
    readonly actor: ActorRef;
    readonly at: string;
  };
};

/** Why a cluster reached a level: a count threshold, or a flag that forces the level by itself. */
export type CrossingTrigger =
  | {
      readonly kind: 'count';
      readonly count: number;
      readonly countBy: 'customer' | 'complaint';
      readonly threshold: number;
    }
  | { readonly kind: 'flag'; readonly flag: ComplaintFlag; readonly complaintId: string }
  /** Geographic spread: the counted complaints come from `regions` distinct regions. */
  | { readonly kind: 'spread'; readonly regions: number; readonly threshold: number };

/**
 * The cluster reached a more severe level than it had signalled in its current episode. The incident process manager
 * opens an incident (`previousLevel: null`) or upgrades the open one.
 */
export type ClusterThresholdCrossed = {
  readonly type: 'ClusterThresholdCrossed';
  readonly data: {
    readonly tenant: string;
    readonly category: IncidentCategory;
    readonly clusterKey: string;
    readonly level: IncidentLevel;
    /** The level signalled before in this episode; `null` when the episode starts (the window was empty). */
    readonly previousLevel: IncidentLevel | null;
    /** Human-readable grading basis, for the grading form. */
    readonly reason: string;
    /** Every fact that justifies `level`. */
    readonly triggers: readonly CrossingTrigger[];
    readonly complaintsInWindow: number;
    readonly customersInWindow: number;
    /** The complaint whose arrival crossed the threshold. */
    readonly complaintId: string;
    readonly actor: ActorRef;
    readonly at: string;
  };
};

/** The cluster's episode ended because its incident closed; the next complaint starts counting again. */
export type ClusterEpisodeEnded = {
  readonly type: 'ClusterEpisodeEnded';
  readonly data: {
    readonly tenant: string;
    readonly clusterKey: string;
    readonly incidentId: string;
    readonly reason: string;
    readonly actor: ActorRef;
    readonly at: string;
  };
};

/** Every event of the ComplaintCluster aggregate. */
export type ComplaintClusterEvent = ComplaintClustered | ClusterThresholdCrossed | ClusterEpisodeEnded;

import type { ComplaintClusterState } from './complaint-cluster.decider';
import type { ClusterThresholdCrossed, ComplaintClustered, ComplaintClusterEvent } from './complaint-cluster.events';
import type { AttachComplaint, OpenIncident, UpgradeIncident } from './incident.commands';
import { complaintTakingPhases, handlingPhases, isInPhase, type IncidentState } from './incident.state';
import { complaintFlagNames, isMoreSevere, type ComplaintFlags } from './incident.values';

/** A complaint to attach to an incident, as `AttachComplaint` takes it. */
export type ComplaintToAttach = AttachComplaint['data'];

/**
 * What one clustered complaint does to the cluster's incident. Every part is optional; `{}` means nothing to do.
 */
export interface ClusteringOutcome {
  /**
   * Open a new incident with this data (the id is the caller's: derived from cluster and episode, so a retry cannot
   * open a second one).
   */
  readonly open?: Omit<OpenIncident['data'], 'incidentId'>;
  /** Raise the cluster's current incident to a more severe level. */
  readonly upgrade?: UpgradeIncident['data'];
  /** Complaints to attach, in order: to the incident `open` opens when there is one, else to the current incident. */
  readonly attach?: readonly ComplaintToAttach[];
  /** An in-window complaint the current incident no longer takes (closed or merged): clustered, but not attached. */
  readonly notAttached?: ComplaintToAttach;
}

/**
 * The rule that hands a complaint cluster over to its incident (domain.md §5, detection: "complaints about the same
 * product/batch/region are aggregated; crossing a threshold raises or upgrades an incident"), decided after the
 * ComplaintCluster decider ran on one complaint:
 *
 * - **Open** a new incident on a crossing that starts an episode (`previousLevel: null`, the window had emptied), and
 *   on any crossing while the cluster has no incident still being handled (none yet, or resolved, closed or merged:
 *   complaints that keep coming after a resolution mean the fix did not hold). The new incident takes every
 *   complaint of the window, with the flags any of them raised.
 * - **Upgrade** the current incident on a crossing within its episode while it is handled (activation, containment,
 *   resolution), when the crossed level is more severe than the incident's (staff may have raised it already).
 * - **Attach** a complaint inside the window to the current incident in every phase that takes complaints (follow-up
 *   included, which never upgrades); a complaint older than the window (a late redelivery) is clustered only.
 *
 * `clustered` are the events the cluster decider just decided for the complaint (none for a redelivery), `cluster` the
 * cluster's state after them, `incident` the cluster's current incident (merges followed to the survivor;
 * `{ status: 'none' }` when the cluster has none). The clustering process manager and the battery-batch story both
 * run exactly this.
 *
 * @example
 * ```ts
 * const events = complaintClusterDecider.decide(registerComplaint, cluster);
 * const outcome = clusteringOutcome(events, events.reduce(evolve, cluster), incident);
 * // first complaint of an empty cluster: { open: { level: 'L3', complaintCount: 1, … }, attach: [{ complaintId, customerRef }] }
 * ```
 */
export function clusteringOutcome(
  clustered: readonly ComplaintClusterEvent[],
  cluster: ComplaintClusterState,
  incident: IncidentState,
): ClusteringOutcome {
  const crossing = clustered.find((e): e is ClusterThresholdCrossed => e.type === 'ClusterThresholdCrossed');
  const inWindow = clustered.find((e): e is ComplaintClustered => e.type === 'ComplaintClustered' && e.data.inWindow);
  if (crossing) {
    const sameEpisode = crossing.data.previousLevel !== null;
    if (!sameEpisode || !isInPhase(incident, handlingPhases)) return openingOf(crossing, cluster);
  }
  if (incident.status === 'none') return {};

  const upgrade =
    crossing && isMoreSevere(crossing.data.level, incident.incident.level)
      ? { toLevel: crossing.data.level, reason: crossing.data.reason }
      : undefined;
  const complaint = inWindow ? toAttach(inWindow.data) : null;
  const takesComplaints = isInPhase(incident, complaintTakingPhases);
  return {
    ...(upgrade ? { upgrade } : {}),
    ...(complaint && takesComplaints ? { attach: [complaint] } : {}),
    ...(complaint && !takesComplaints ? { notAttached: complaint } : {}),
  };
}

/** A new incident for the crossing, graded on the whole window, which it takes. */
function openingOf({ data }: ClusterThresholdCrossed, cluster: ComplaintClusterState): ClusteringOutcome {
  const window = cluster.status === 'watching' ? cluster.window.complaints.toArray() : [];
  return {
    open: {
      category: data.category,
      clusterKey: data.clusterKey,
      level: data.level,
      complaintCount: data.complaintsInWindow,
      flags: flagsOf(window.map((c) => c.flags)),
      reason: data.reason,
      ...casesOfWindow(window),
    },
    attach: window.map(toAttach),
  };
}

/** A clustered complaint as `AttachComplaint` takes it (with its case and its order, when known). */
function toAttach({ complaintId, customerRef, caseId, orderId }: ComplaintToAttach): ComplaintToAttach {
  return { complaintId, customerRef, ...(caseId ? { caseId } : {}), ...(orderId ? { orderId } : {}) };
}

/** The distinct cases of a window's complaints, in order; absent when none arose from a case. */
function casesOfWindow(window: readonly { readonly caseId?: string }[]): { caseIds?: readonly string[] } {
  const caseIds = [...new Set(window.flatMap((c) => (c.caseId ? [c.caseId] : [])))];
  return caseIds.length > 0 ? { caseIds } : {};
}

/** The aggravating flags of a set of complaints: a flag is raised when any complaint raised it. */
function flagsOf(all: readonly ComplaintFlags[]): ComplaintFlags {
  const raised = (flag: keyof ComplaintFlags) => all.some((flags) => flags[flag]);
  return Object.fromEntries(complaintFlagNames.map((flag) => [flag, raised(flag)])) as ComplaintFlags;
}

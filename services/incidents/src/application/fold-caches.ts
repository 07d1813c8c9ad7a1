import { FoldCache } from '@aftersales/eventstore';
import { complaintClusterDecider, incidentDecider } from '../domain';

/**
 * DI tokens of the process' caches of folded complaint clusters and incidents (ADR 32), which the complaint
 * consumers' transactions use: complaints about one product batch share a Kafka key, so one process takes a surge's
 * chunks in turn, and each reads only what was stored since the previous one instead of the cluster and the incident
 * whole.
 */
export const CLUSTER_FOLDS = Symbol('CLUSTER_FOLDS');
export const INCIDENT_FOLDS = Symbol('INCIDENT_FOLDS');

/** The caches of a process: `streams` clusters and as many incidents (0: none). */
export const clusterFolds = (streams: number) =>
  new FoldCache(complaintClusterDecider, { streams, name: 'complaint-clusters' });
export const incidentFolds = (streams: number) => new FoldCache(incidentDecider, { streams, name: 'incidents' });

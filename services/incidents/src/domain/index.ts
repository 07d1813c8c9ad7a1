/**
 * The pure domain of the incidents service: the ComplaintCluster and Incident deciders, their messages and errors,
 * and the per-tenant incident policy. Nothing here reads a clock, generates ids or performs I/O.
 */
export * from './incident.values';
export * from './incident-policy';
export * from './complaint-cluster.commands';
export * from './complaint-cluster.events';
export * from './complaint-cluster.errors';
export * from './complaint-cluster.decider';
export * from './incident.commands';
export * from './incident.events';
export * from './incident.errors';
export {
  complaintTakingPhases,
  evolve as evolveIncident,
  handlingPhases,
  initialState as initialIncidentState,
  incidentPhases,
  isInPhase,
} from './incident.state';
export type * from './incident.state';
export * from './incident.decider';
export * from './clustering-outcome';
export * from './incident-archive';

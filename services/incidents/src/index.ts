/**
 * The incidents service's definition, for the repository's tooling (the OpenAPI generator, contract tests). Services never
 * import each other: they talk through events.
 */
export { incidentsService } from './incidents.module';
/** The incidents deciders, for the repository's benchmarks (`npm run bench:incident-folds`). */
export {
  complaintClusterDecider,
  incidentDecider,
  noComplaintFlags,
  type ComplaintClusterEvent,
  type IncidentEvent,
  type IncidentState,
} from './domain';

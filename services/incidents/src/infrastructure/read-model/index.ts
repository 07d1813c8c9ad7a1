/**
 * The incidents read side, for the service definition: its Nest module, migrations, projection worker, and the
 * stream naming both sides share.
 */
export { IncidentsReadModule } from './incidents-read.module';
export { readModelMigrations } from './migrations';
export {
  incidentReadWorkers,
  incidentsProjection,
  projectIncidentEvent,
  INCIDENTS_READ_MODEL,
} from './incidents.projection';
export { incidentStreamId, incidentIdOfStream, INCIDENT_STREAM_PREFIX } from './streams';
export { IncidentsReadQueries } from './incidents-read.queries';
export { verifyIncidentAudit, type AuditVerification } from './audit-verification';

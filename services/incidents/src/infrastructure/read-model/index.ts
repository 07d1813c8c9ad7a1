/**
 * The incidents read side, for the service definition: its Nest module, migrations and projection worker (the stream
 * naming both sides share is the write side's, `application/incident-streams.ts`).
 */
export { IncidentsReadModule } from './incidents-read.module';
export { readModelMigrations } from './migrations';
export {
  incidentReadWorkers,
  incidentsProjection,
  incidentsReadModel,
  projectIncidentEvent,
  INCIDENTS_READ_MODEL,
} from './incidents.projection';
export { IncidentsReadQueries } from './incidents-read.queries';
export { verifyIncidentAudit, type AuditVerification } from './audit-verification';

import { Module } from '@nestjs/common';
import { IncidentsReadHttpController } from '../http/incidents-read.http.controller';
import { IncidentsReadQueries } from './incidents-read.queries';

/**
 * The incidents read API (`GET /incidents`, `/incidents/:id`, `/incidents/:id/timeline`, `/incidents/:id/audit/verify`,
 * `/incidents/:id/archive`, `/incidents/:id/archive/report`, `/knowledge-base`, `/kpis`). Needs the service runtime's global `SERVICE_DATABASE`, `PostgresEventStore` and `CLOCK`; the projection
 * that feeds it runs as a background worker (`incidentReadWorkers`), its tables come from `readModelMigrations`.
 */
@Module({
  controllers: [IncidentsReadHttpController],
  providers: [IncidentsReadQueries],
  exports: [IncidentsReadQueries],
})
export class IncidentsReadModule {}

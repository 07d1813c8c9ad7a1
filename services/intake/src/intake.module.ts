import { Module } from '@nestjs/common';
import type { ServiceDefinition } from '@aftersales/platform-http';
import { CasesService } from './application/open-case.handler';
import { CasesHttpController } from './infrastructure/http/cases.http.controller';
import { intakeIntegrationEvents } from './infrastructure/messaging/integration-events';

@Module({ controllers: [CasesHttpController], providers: [CasesService] })
export class IntakeModule {}

/** The intake service: cases opened over HTTP, published through the outbox relay. */
export const intakeService: ServiceDefinition = {
  service: 'intake',
  module: IntakeModule,
  integrationEvents: intakeIntegrationEvents,
};

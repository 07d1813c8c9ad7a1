import { Module } from '@nestjs/common';
import { defineService } from '@aftersales/service-runtime';
import { CASE_REGISTER } from './application/case-register.port';
import { RETURN_INDEX } from './application/return-index.port';
import { ReturnsPoliciesService } from './application/returns-policies.service';
import { ReturnsService } from './application/returns.service';
import { ReturnsHttpController } from './infrastructure/http/returns.http.controller';
import { ReturnsPoliciesHttpController } from './infrastructure/http/returns-policies.http.controller';
import { CaseOpenedConsumer } from './infrastructure/messaging/case-opened.consumer';
import { returnsIntegrationEvents } from './infrastructure/messaging/integration-events';
import { ReturnSagaConsumer } from './infrastructure/messaging/return-saga.consumer';
import { CaseRegister1796149724096 } from './infrastructure/persistence/1796149724096-case-register';
import { ReturnIndex1796149724097 } from './infrastructure/persistence/1796149724097-return-index';
import { PostgresCaseRegister } from './infrastructure/persistence/case-register.postgres';
import { PostgresReturnIndex } from './infrastructure/persistence/return-index.postgres';

@Module({
  controllers: [ReturnsHttpController, ReturnsPoliciesHttpController, CaseOpenedConsumer, ReturnSagaConsumer],
  providers: [
    ReturnsService,
    ReturnsPoliciesService,
    { provide: CASE_REGISTER, useClass: PostgresCaseRegister },
    { provide: RETURN_INDEX, useClass: PostgresReturnIndex },
  ],
})
export class ReturnsModule {}

/**
 * The returns service (ADR 14): returns, exchanges, refund-only requests, repairs and claims under each tenant's
 * returns policy, published on `aftersales.returns.events`; the register of intake's cases (consumer
 * `case-register`); what logistics and compensation report about returns (consumer `return-saga`).
 */
export const returnsService = defineService({
  service: 'returns',
  module: ReturnsModule,
  migrations: [CaseRegister1796149724096, ReturnIndex1796149724097],
  integrationEvents: returnsIntegrationEvents,
  consumers: [
    { consumer: 'case-register', handlers: [CaseOpenedConsumer] },
    { consumer: 'return-saga', handlers: [ReturnSagaConsumer] },
  ],
});

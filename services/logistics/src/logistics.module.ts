import { Module } from '@nestjs/common';
import { defineService } from '@aftersales/service-runtime';
import { ShipmentCommands } from './application/shipment.commands';
import { CASE_REGISTER } from './application/case-register.port';
import { ShipmentsHttpController } from './infrastructure/http/shipments.http.controller';
import { CaseOpenedConsumer } from './infrastructure/messaging/case-opened.consumer';
import { CaseRegister1796156478718 } from './infrastructure/persistence/1796156478718-case-register';
import { PostgresCaseRegister } from './infrastructure/persistence/case-register.postgres';

@Module({
  controllers: [ShipmentsHttpController, CaseOpenedConsumer],
  providers: [ShipmentCommands, { provide: CASE_REGISTER, useClass: PostgresCaseRegister }],
})
export class LogisticsModule {}

/**
 * The logistics service: shipments opened for after-sales cases over HTTP, and the register of
 * intake's cases they are opened for (consumer `case-register`).
 */
export const logisticsService = defineService({
  service: 'logistics',
  module: LogisticsModule,
  migrations: [CaseRegister1796156478718],
  consumers: [{ consumer: 'case-register', handlers: [CaseOpenedConsumer] }],
});

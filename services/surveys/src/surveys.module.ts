import { Module } from '@nestjs/common';
import { Topics } from '@aftersales/contracts';
import type { ServiceDefinition } from '@aftersales/platform-http';
import { CaseRegisterHttpController } from './infrastructure/http/case-register.http.controller';
import { CaseOpenedConsumer } from './infrastructure/messaging/case-opened.consumer';
import { CaseRegister1732500100000 } from './infrastructure/persistence/1732500100000-case-register';

@Module({ controllers: [CaseRegisterHttpController, CaseOpenedConsumer] })
export class SurveysModule {}

/** The surveys service: consumes intake's events through its inbox into its own projections. */
export const surveysService: ServiceDefinition = {
  service: 'surveys',
  module: SurveysModule,
  migrations: [CaseRegister1732500100000],
  consumers: [{ consumer: 'case-register', topics: [Topics.intake] }],
};

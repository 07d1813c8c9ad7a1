import { Module } from '@nestjs/common';
import { defineService, type WorkerContext } from '@aftersales/service-runtime';
import {
  COMPENSATION_CONFIG,
  compensationConfigFromEnv,
  type CompensationConfig,
} from './application/compensation.config';
import {
  BUDGET_BOOK,
  COMPENSATION_INDEX,
  INVOICE_BOOK,
  LEDGER,
  MONEY_BACK_REGISTER,
  PAYMENT_PROVIDER,
} from './application/compensation.ports';
import { CompensationPoliciesService } from './application/compensation-policies.service';
import { CompensationService } from './application/compensation.service';
import { CompensationTimers } from './application/compensation-timers.worker';
import { InvoicesService } from './application/invoices.service';
import { PayoutReports } from './application/payout-reports';
import { Payouts } from './application/payouts';
import {
  CompensationBooksHttpController,
  CompensationPoliciesHttpController,
} from './infrastructure/http/compensation-books.http.controller';
import { CompensationsHttpController } from './infrastructure/http/compensations.http.controller';
import { InvoicesHttpController } from './infrastructure/http/invoices.http.controller';
import { PaymentProviderHttpController } from './infrastructure/http/payment-provider.http.controller';
import {
  CompensationRequestsConsumer,
  EmergencyFundsConsumer,
} from './infrastructure/messaging/compensation-requests.consumer';
import { compensationIntegrationEvents } from './infrastructure/messaging/integration-events';
import { HttpPaymentProvider } from './infrastructure/payment/http-payment-provider';
import { CompensationBooks1796156466056 } from './infrastructure/persistence/1796156466056-compensation-books';
import { BudgetSlices1796160000000 } from './infrastructure/persistence/1796160000000-budget-slices';
import { Invoices1796160000001 } from './infrastructure/persistence/1796160000001-invoices';
import {
  PostgresBudgetBook,
  PostgresCompensationIndex,
  PostgresInvoiceBook,
  PostgresLedger,
  PostgresMoneyBackRegister,
} from './infrastructure/persistence/compensation-books.postgres';

@Module({
  controllers: [
    CompensationsHttpController,
    CompensationPoliciesHttpController,
    CompensationBooksHttpController,
    PaymentProviderHttpController,
    InvoicesHttpController,
    CompensationRequestsConsumer,
    EmergencyFundsConsumer,
  ],
  providers: [
    { provide: COMPENSATION_CONFIG, useFactory: () => compensationConfigFromEnv() },
    CompensationPoliciesService,
    CompensationService,
    Payouts,
    PayoutReports,
    InvoicesService,
    { provide: INVOICE_BOOK, useClass: PostgresInvoiceBook },
    { provide: BUDGET_BOOK, useClass: PostgresBudgetBook },
    { provide: LEDGER, useClass: PostgresLedger },
    { provide: MONEY_BACK_REGISTER, useClass: PostgresMoneyBackRegister },
    { provide: COMPENSATION_INDEX, useClass: PostgresCompensationIndex },
    {
      provide: PAYMENT_PROVIDER,
      useFactory: (config: CompensationConfig) => new HttpPaymentProvider(config),
      inject: [COMPENSATION_CONFIG],
    },
  ],
})
export class CompensationModule {}

/** The service's worker: expiries, payout attempts and reconciliations on durable timers. */
function compensationWorkers({ app, database, clock, logger }: WorkerContext) {
  return [
    new CompensationTimers(
      database,
      app.get(CompensationService),
      app.get(Payouts),
      clock,
      app.get<CompensationConfig>(COMPENSATION_CONFIG),
      logger,
    ),
  ];
}

/**
 * The compensation service (domain.md §4, ADR 14): compensation orders by cause and instrument under each tenant's
 * policy, the approval matrix and budgets, the double-entry ledger, and exactly-once payouts through the
 * payment-provider port; requests from returns, logistics, incidents and surveys (consumers `compensation-requests`,
 * `emergency-funds`); published on `aftersales.compensation.events`.
 */
export const compensationService = defineService({
  service: 'compensation',
  module: CompensationModule,
  migrations: [CompensationBooks1796156466056, BudgetSlices1796160000000, Invoices1796160000001],
  integrationEvents: compensationIntegrationEvents,
  consumers: [
    { consumer: 'compensation-requests', handlers: [CompensationRequestsConsumer] },
    { consumer: 'emergency-funds', handlers: [EmergencyFundsConsumer] },
  ],
  workers: compensationWorkers,
});

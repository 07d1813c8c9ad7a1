/**
 * `@aftersales/test-kit`: the one way tests (and harnesses, benchmarks, the fault runner) start services, publish
 * contract events, receive webhooks and wait for conditions. Test code only (lint keeps it out of production code).
 * It builds on `@aftersales/testing` (the infrastructure: Kafka, Postgres, test databases, kcat) and on the platform
 * libraries, so the libraries' own specs use `@aftersales/testing` alone.
 */
export { eventually, freePort, metricValue } from './wait';
export { WebhookReceiver, type ReceivedWebhook } from './webhook-receiver';
export { ContractPublisher, contractMessage, type PublishOptions } from './contract-publisher';
export {
  startTestService,
  type TestService,
  type TestServiceOptions,
  type Caller,
  type CallResult,
} from './test-service';
export { cpuSecondsOf, ServiceProcess } from './service-process';
export { describePoisonMessages, freshSample, type PoisonSuiteOptions } from './poison-suite';
export * from './http-kit';
export { LoadClient, type LoadAnswer } from './load-client';
export { replayFromScratch, tableDigests, untilCaughtUp, withLoadBeside, type LoadBeside } from './projections';

import { ModulesContainer } from '@nestjs/core';
import { controllersOf, routeTable, type RouteTable } from '@aftersales/platform-http';
import { DEFAULT_BODY_LIMIT_BYTES, type ServiceDefinition } from '@aftersales/service-runtime';
import { ContractPublisher } from '../contract-publisher';
import { startTestService, type TestService } from '../test-service';
import { TokenIssuer } from './token-issuer';

/** A service started for the inherited HTTP suites: as production runs it, with a JWKS identity provider. */
export interface ServiceUnderTest {
  readonly service: TestService;
  /** The service's routes, read from the running application (the table its OpenAPI document is built from). */
  readonly table: RouteTable;
  readonly idp: TokenIssuer;
  readonly bodyLimit: number;
  /** Publishes tenant A's input events for a seed (connected on first use). */
  publisher(): Promise<ContractPublisher>;
  close(): Promise<void>;
}

/**
 * Starts a service with {@link startTestService}, configured like production: tokens from a JWKS (a local identity
 * provider) with issuer and audience checked, the default body limit, logs at `error` (the fuzzer's 4xx are noise).
 */
export async function startServiceUnderTest(
  definition: ServiceDefinition,
  env: Readonly<Record<string, string>> = {},
): Promise<ServiceUnderTest> {
  const idp = await TokenIssuer.start();
  const bodyLimit = DEFAULT_BODY_LIMIT_BYTES;
  let service: TestService;
  try {
    service = await startTestService(definition, {
      env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'error', ...env },
      config: { auth: idp.authConfig, httpBodyLimitBytes: bodyLimit, databasePoolSize: 5, databasePoolWarm: 1 },
    });
  } catch (error) {
    await idp.stop();
    throw error;
  }
  let publisher: Promise<ContractPublisher> | undefined;
  return {
    service,
    table: routeTable(controllersOf(service.running.app.get(ModulesContainer).values())),
    idp,
    bodyLimit,
    publisher: () => (publisher ??= ContractPublisher.connect()),
    async close() {
      try {
        await (await publisher)?.close();
        await service.close();
      } finally {
        await idp.stop();
      }
    },
  };
}

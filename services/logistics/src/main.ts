import { startTelemetry } from '@aftersales/observability';

// Telemetry first: instrumentations patch http, express and pg as they are loaded.
startTelemetry('logistics');

void (async () => {
  const { main } = await import('@aftersales/service-runtime');
  const { logisticsService } = await import('./logistics.module');
  await main(logisticsService);
})().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

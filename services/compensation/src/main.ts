import { startTelemetry } from '@aftersales/observability';

// Telemetry first: instrumentations patch http, express and pg as they are loaded.
startTelemetry('compensation');

void (async () => {
  const { main } = await import('@aftersales/service-runtime');
  const { compensationService } = await import('./compensation.module');
  await main(compensationService);
})().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

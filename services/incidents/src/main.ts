import { startTelemetry } from '@aftersales/observability';

// Telemetry first: instrumentations patch http, express and pg as they are loaded.
startTelemetry('incidents');

void (async () => {
  const { main } = await import('@aftersales/service-runtime');
  const { incidentsService } = await import('./incidents.module');
  await main(incidentsService);
})().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

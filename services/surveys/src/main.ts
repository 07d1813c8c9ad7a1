import { startTelemetry } from '@aftersales/observability';

// Telemetry first: instrumentations patch http, express and pg as they are loaded.
startTelemetry('surveys');

void (async () => {
  const { main } = await import('@aftersales/service-runtime');
  const { surveysService } = await import('./surveys.module');
  await main(surveysService);
})().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { startTelemetry } from '@aftersales/observability';

// Telemetry first: instrumentations patch http, express and pg as they are loaded.
startTelemetry('intake');

void (async () => {
  const { main } = await import('@aftersales/service-runtime');
  const { intakeService } = await import('./intake.module');
  await main(intakeService);
})().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

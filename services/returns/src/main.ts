import { startTelemetry } from '@aftersales/observability';

// Telemetry first: instrumentations patch http, express and pg as they are loaded.
startTelemetry('returns');

void (async () => {
  const { main } = await import('@aftersales/service-runtime');
  const { returnsService } = await import('./returns.module');
  await main(returnsService);
})().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

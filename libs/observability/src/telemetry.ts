import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  BatchSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry before anything else is loaded (call it first in `main.ts`).
 * Exports with OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or the traces-specific variable) is
 * set, to the console when `OTEL_TRACES_EXPORTER=console`, and nowhere otherwise. `OTEL_TRACES_EXPORTER` naming
 * `zipkin` hands the choice to the SDK's standard reading of the variable (`zipkin` with
 * `OTEL_EXPORTER_ZIPKIN_ENDPOINT`, `otlp`, `console`, comma-separated): `npm start -- --zipkin` uses it. Every other
 * `OTEL_*` variable keeps its standard meaning. Kafka spans come from `@aftersales/messaging`, which
 * restores the trace context stored with each event.
 */
export function startTelemetry(serviceName: string): NodeSDK | undefined {
  if (sdk) return sdk;
  if (process.env.OTEL_SDK_DISABLED === 'true') return undefined;
  const otlp = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const processors: SpanProcessor[] = [];
  if (otlp) processors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter() }));
  if (process.env.OTEL_TRACES_EXPORTER === 'console')
    processors.push(new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }));
  const exporters = (process.env.OTEL_TRACES_EXPORTER ?? '').split(',').map((e) => e.trim());
  sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? serviceName }),
    ...(exporters.includes('zipkin') ? {} : { spanProcessors: processors }),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(metrics|health)/.test(req.url ?? '') }),
      new ExpressInstrumentation(),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  sdk.start();
  return sdk;
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}

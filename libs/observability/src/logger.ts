import { trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

/**
 * JSON logs carrying the active trace and span ids, so a log line links to its trace.
 *
 * @example
 * ```ts
 * const log = createLogger('intake'); log.info({ caseId }, 'case opened');
 * ```
 */
export function createLogger(service: string): Logger {
  return pino({
    name: service,
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
  });
}

export type { Logger };

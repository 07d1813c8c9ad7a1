import { trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

/** `LOG_FILE`: append to this file instead of writing to stdout (test runs keep service output out of their console). */
function destination(): pino.DestinationStream | undefined {
  const file = process.env.LOG_FILE?.trim();
  return file ? pino.destination({ dest: file, mkdir: true, append: true, sync: true }) : undefined;
}

/**
 * JSON logs carrying the active trace and span ids, so a log line links to its trace. Written to stdout, or appended
 * to `LOG_FILE` when set.
 *
 * @example
 * ```ts
 * const log = createLogger('intake'); log.info({ caseId }, 'case opened');
 * ```
 */
export function createLogger(service: string): Logger {
  const options: pino.LoggerOptions = {
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
  };
  const file = destination();
  return file ? pino(options, file) : pino(options);
}

export type { Logger };

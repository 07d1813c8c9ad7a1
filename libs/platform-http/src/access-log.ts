import type { IncomingMessage, ServerResponse } from 'node:http';
import { trace } from '@opentelemetry/api';
import type { Logger } from '@aftersales/observability';

/** Probes and scrapes, every few seconds from Kubernetes and Prometheus: at `debug`, unless they fail. */
const PROBES = /^\/(health|metrics)(\/|$)/;

type Request = IncomingMessage & { readonly route?: { readonly path?: string } };

/**
 * Express middleware: one access-log line per HTTP request once its response is sent, for every request (also those
 * the auth guard, the body limit or the router refused), with its trace id so a line leads to its trace. Logged: the
 * method, the matched route template (never the path or query, which may carry personal data), the status, the
 * duration and the response size; at `warn` for 5xx, `debug` for health probes and metric scrapes, `info` otherwise.
 *
 * @example
 * ```ts
 * app.use(accessLog(logger));
 * // {"level":"info","msg":"http request","http":{"method":"POST","route":"/cases","status":201,"duration_ms":12.4,…},"trace_id":"4bf9…"}
 * ```
 */
export function accessLog(logger: Logger): (req: Request, res: ServerResponse, next: () => void) => void {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // The HTTP instrumentation's server span is active here; the finish event may run outside its context.
    const span = trace.getActiveSpan()?.spanContext();
    res.once('finish', () => {
      const status = res.statusCode;
      const line = {
        http: {
          method: req.method,
          route: req.route?.path ?? 'unmatched',
          status,
          duration_ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
          response_bytes: Number(res.getHeader('content-length') ?? 0),
        },
        ...(span ? { trace_id: span.traceId, span_id: span.spanId } : {}),
      };
      if (status >= 500) logger.warn(line, 'http request');
      else if (PROBES.test(line.http.route)) logger.debug(line, 'http request');
      else logger.info(line, 'http request');
    });
    next();
  };
}

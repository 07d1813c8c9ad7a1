import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { DomainError, type DomainErrorKind } from '@aftersales/domain';
import { ConcurrencyError, isDatabaseUnavailable, RetriesExhaustedError } from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';

/** One field-level problem: a JSON pointer into the request body and what is wrong with it. */
export interface FieldError {
  readonly pointer: string;
  readonly detail: string;
}

/** RFC 9457 problem details, as every error of the platform's HTTP APIs is answered. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly code: string;
  readonly rule?: string;
  readonly errors?: readonly FieldError[];
  readonly traceId?: string;
}

/** A request that failed validation: 400 with one entry per offending field. */
export class ValidationProblem extends HttpException {
  constructor(readonly fieldErrors: readonly FieldError[]) {
    super('The request body is invalid', HttpStatus.BAD_REQUEST);
  }
}

const KIND_STATUS: Record<DomainErrorKind, number> = {
  invalid: HttpStatus.UNPROCESSABLE_ENTITY,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  forbidden: HttpStatus.FORBIDDEN,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const CODES: Record<number, string> = {
  400: 'REQUEST.INVALID',
  401: 'AUTH.UNAUTHENTICATED',
  403: 'AUTH.FORBIDDEN',
  404: 'RESOURCE.NOT_FOUND',
  409: 'RESOURCE.CONFLICT',
};

const typeUri = (code: string) => `urn:aftersales:problem:${code.toLowerCase()}`;

/** Seconds a client is asked to wait (`Retry-After`) when a dependency is away. */
export const RETRY_AFTER_SECONDS = 2;

/**
 * Maps an error to problem details: HTTP errors, domain errors by kind, concurrency to 409, an unreachable database
 * (restart, failover, no free connection in time) to 503 with `Retry-After`, rest to 500.
 */
export function toProblem(error: unknown, instance?: string): ProblemDetails {
  const spanContext = trace.getActiveSpan()?.spanContext();
  const traceId = spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
  const base = { instance, traceId };
  if (error instanceof ValidationProblem) {
    return { ...base, type: typeUri('REQUEST.INVALID'), title: 'Bad Request', status: 400, code: 'REQUEST.INVALID',
      detail: 'The request body is invalid; see errors for each field', errors: error.fieldErrors };
  }
  if (error instanceof DomainError) {
    const status = KIND_STATUS[error.kind];
    return { ...base, type: typeUri(error.code), title: TITLES[status] ?? 'Error', status, code: error.code,
      detail: error.message, rule: error.rule };
  }
  if (error instanceof ConcurrencyError || error instanceof RetriesExhaustedError) {
    return { ...base, type: typeUri(error.code), title: 'Conflict', status: 409, code: error.code,
      detail: `${error.message}. Retry the request.` };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? error.message);
    const code = CODES[status] ?? `HTTP.${status}`;
    return { ...base, type: typeUri(code), title: TITLES[status] ?? 'Error', status, code,
      detail: Array.isArray(message) ? message.join('; ') : String(message) };
  }
  if (isDatabaseUnavailable(error)) {
    return { ...base, type: typeUri('DEPENDENCY.UNAVAILABLE'), title: 'Service Unavailable', status: 503,
      code: 'DEPENDENCY.UNAVAILABLE',
      detail: `The database is unavailable; retry in ${RETRY_AFTER_SECONDS} s.` };
  }
  return { ...base, type: typeUri('INTERNAL'), title: 'Internal Server Error', status: 500, code: 'INTERNAL',
    detail: 'An unexpected error occurred; quote the traceId when reporting it' };
}

/** Global filter answering every HTTP error as `application/problem+json`. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly logger?: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const request = http.getRequest<{ originalUrl?: string; url?: string }>();
    const response = http.getResponse<{
      status(code: number): { setHeader(k: string, v: string): void; send(body: string): void };
      setHeader(k: string, v: string): void;
    }>();
    const problem = toProblem(error, request.originalUrl ?? request.url);
    if (problem.code === 'DEPENDENCY.UNAVAILABLE') {
      this.logger?.warn({ err: error, instance: problem.instance }, 'request refused: a dependency is unavailable');
    } else if (problem.status >= 500) this.logger?.error({ err: error, instance: problem.instance }, 'request failed');
    const res = response.status(problem.status);
    if (problem.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    if (problem.status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.setHeader('Content-Type', 'application/problem+json');
    res.send(JSON.stringify(problem));
  }
}

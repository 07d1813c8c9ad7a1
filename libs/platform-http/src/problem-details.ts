import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { DomainError, type DomainErrorKind } from '@aftersales/domain';
import { ConcurrencyError, isDatabaseUnavailable, RetriesExhaustedError } from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import { Type, type Static } from '@sinclair/typebox';
import { ReadonlyList } from './api-schema';

/** One field-level problem: a JSON pointer into the request body (or query, or header) and what is wrong with it. */
export const FieldError = Type.Object(
  {
    pointer: Type.String({ description: 'JSON pointer to the offending value, e.g. `/customer/email`' }),
    detail: Type.String({ description: 'What is wrong with it' }),
  },
  { title: 'FieldError' },
);
export type FieldError = Static<typeof FieldError>;

/**
 * RFC 9457 problem details, as every error of the platform's HTTP APIs is answered (`application/problem+json`). The
 * one schema of every 4xx/5xx response in the OpenAPI documents.
 */
export const ProblemDetails = Type.Object(
  {
    type: Type.String({ description: 'URI of the problem type: `urn:aftersales:problem:<code>`' }),
    title: Type.String({ description: 'Short summary of the HTTP status' }),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.Optional(Type.String({ description: 'What went wrong, for a human' })),
    instance: Type.Optional(Type.String({ description: 'The request path' })),
    code: Type.String({ description: 'Stable machine-readable code, e.g. `REQUEST.INVALID`, `CASE.NOT_FOUND`' }),
    rule: Type.Optional(Type.String({ description: 'The business rule a domain error enforces' })),
    errors: Type.Optional(
      ReadonlyList(FieldError, { description: 'One entry per offending field (400 `REQUEST.INVALID`)' }),
    ),
    traceId: Type.Optional(Type.String({ description: 'OpenTelemetry trace id; quote it when reporting a problem' })),
  },
  { title: 'ProblemDetails' },
);
export type ProblemDetails = Static<typeof ProblemDetails>;

/** A request that failed validation: 400 with one entry per offending field. */
export class ValidationProblem extends HttpException {
  constructor(
    readonly fieldErrors: readonly FieldError[],
    readonly detail = 'The request body is invalid; see errors for each field',
  ) {
    super(detail, HttpStatus.BAD_REQUEST);
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
  405: 'REQUEST.METHOD_NOT_ALLOWED',
  409: 'RESOURCE.CONFLICT',
  413: 'REQUEST.TOO_LARGE',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  503: 'SERVICE.UNAVAILABLE',
};

const typeUri = (code: string) => `urn:aftersales:problem:${code.toLowerCase()}`;

/**
 * Errors of the request body parser (`http-errors` with an exposed 4xx status and a `type`): the request was refused
 * before any handler ran, and the client can fix it. (Malformed JSON arrives as Nest's `BadRequestException`: Nest maps
 * a parser's `SyntaxError` itself.)
 */
const BODY_ERRORS: Record<string, { readonly code: string; readonly detail: (error: Error) => string }> = {
  'entity.too.large': {
    code: 'REQUEST.TOO_LARGE',
    detail: (e) =>
      `The request body is larger than this service accepts (${(e as { limit?: number }).limit ?? 'the limit'} bytes)`,
  },
  'encoding.unsupported': { code: 'REQUEST.UNSUPPORTED_ENCODING', detail: (e) => e.message },
  'charset.unsupported': { code: 'REQUEST.UNSUPPORTED_CHARSET', detail: (e) => e.message },
  'request.aborted': { code: 'REQUEST.ABORTED', detail: () => 'The client aborted the request' },
  'request.size.invalid': { code: 'REQUEST.SIZE_MISMATCH', detail: () => 'The body does not match Content-Length' },
  'stream.encoding.set': { code: 'REQUEST.INVALID', detail: (e) => e.message },
};

function bodyParserError(error: unknown): { status: number; code: string; detail: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { status, expose, type } = error as { status?: unknown; expose?: unknown; type?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500 || expose !== true) return undefined;
  const known = typeof type === 'string' ? BODY_ERRORS[type] : undefined;
  return {
    status,
    code: known?.code ?? CODES[status] ?? `HTTP.${status}`,
    detail: known ? known.detail(error) : error.message,
  };
}

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
    return {
      ...base,
      type: typeUri('REQUEST.INVALID'),
      title: 'Bad Request',
      status: 400,
      code: 'REQUEST.INVALID',
      detail: error.detail,
      errors: error.fieldErrors,
    };
  }
  if (error instanceof DomainError) {
    const status = KIND_STATUS[error.kind];
    return {
      ...base,
      type: typeUri(error.code),
      title: TITLES[status] ?? 'Error',
      status,
      code: error.code,
      detail: error.message,
      rule: error.rule,
    };
  }
  if (error instanceof ConcurrencyError || error instanceof RetriesExhaustedError) {
    return {
      ...base,
      type: typeUri(error.code),
      title: 'Conflict',
      status: 409,
      code: error.code,
      detail: `${error.message}. Retry the request.`,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? error.message);
    const code = CODES[status] ?? `HTTP.${status}`;
    return {
      ...base,
      type: typeUri(code),
      title: TITLES[status] ?? 'Error',
      status,
      code,
      detail: Array.isArray(message) ? message.join('; ') : String(message),
    };
  }
  const refused = bodyParserError(error);
  if (refused) {
    return {
      ...base,
      type: typeUri(refused.code),
      title: TITLES[refused.status] ?? 'Error',
      status: refused.status,
      code: refused.code,
      detail: refused.detail,
    };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      ...base,
      type: typeUri('DEPENDENCY.UNAVAILABLE'),
      title: 'Service Unavailable',
      status: 503,
      code: 'DEPENDENCY.UNAVAILABLE',
      detail: `The database is unavailable; retry in ${RETRY_AFTER_SECONDS} s.`,
    };
  }
  return {
    ...base,
    type: typeUri('INTERNAL'),
    title: 'Internal Server Error',
    status: 500,
    code: 'INTERNAL',
    detail: 'An unexpected error occurred; quote the traceId when reporting it',
  };
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

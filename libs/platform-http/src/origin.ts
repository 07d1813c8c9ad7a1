import { createParamDecorator, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { CommandOrigin } from '@aftersales/eventstore';
import type { Principal } from './auth';
import { ValidationProblem } from './problem-details';

interface OriginRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly principal?: Principal;
}

/** Printable ASCII without spaces, as correlation ids and idempotency keys travel in headers and event metadata. */
const TOKEN = /^[\x21-\x7e]{1,200}$/;

function header(request: OriginRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The {@link CommandOrigin} of an HTTP request: the authenticated principal as actor and tenant, `X-Correlation-Id`
 * (a new one when absent or unusable), and `Idempotency-Key` scoped to the tenant, so two tenants' keys never meet.
 * An `Idempotency-Key` that is not 1–200 printable characters is refused with 400 problem details.
 */
export function originOf(request: OriginRequest): CommandOrigin {
  const principal = request.principal;
  if (!principal) throw new UnauthorizedException('No authenticated principal on this request');
  const correlation = header(request, 'x-correlation-id');
  const key = header(request, 'idempotency-key');
  if (key !== undefined && !TOKEN.test(key)) {
    throw new ValidationProblem(
      [{ pointer: '/headers/idempotency-key', detail: 'must be 1 to 200 printable characters without spaces' }],
      'The Idempotency-Key header is invalid',
    );
  }
  return {
    tenant: principal.tenant,
    actor: { id: principal.subject, roles: [...principal.roles] },
    correlationId: correlation && TOKEN.test(correlation) ? correlation : randomUUID(),
    ...(key ? { idempotencyKey: `${principal.tenant}:${key}` } : {}),
  };
}

/**
 * The request's {@link CommandOrigin}, for handlers that issue commands.
 *
 * @example
 * ```ts
 * @Post() open(@RequestOrigin() origin: CommandOrigin, @Body(new SchemaPipe(OpenCaseRequest)) body: OpenCaseRequest) {
 *   return this.cases.open(origin, body);
 * }
 * ```
 */
export const RequestOrigin = createParamDecorator(requestOriginFactory);

/** The factory of {@link RequestOrigin}: the route table recognises routes that take a command origin by it. */
export function requestOriginFactory(_: unknown, ctx: ExecutionContext): CommandOrigin {
  return originOf(ctx.switchToHttp().getRequest<OriginRequest>());
}

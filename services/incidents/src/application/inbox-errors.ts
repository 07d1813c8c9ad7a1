import { DomainError } from '@aftersales/domain';
import { PermanentError, type ConsumedEvent } from '@aftersales/messaging';

/**
 * What a consumer rethrows: a `DomainError` becomes a `PermanentError` (the message breaks a rule and redelivering it
 * cannot help, so it is dead-lettered with the code, the message and the rule in `dlq_reason`); anything else (concurrency
 * conflicts, a database that is away) is rethrown as it is, for the inbox to retry.
 */
export function permanentUnlessRetryable(error: unknown): unknown {
  if (error instanceof DomainError) {
    const rule = error.rule ? ` (rule: ${error.rule})` : '';
    return new PermanentError(error.code, `${error.code}: ${error.message}${rule}`);
  }
  return error;
}

/** The event's tenant; a payload naming another tenant than the `tenant` header is refused for good. */
export function tenantOf(event: ConsumedEvent, payloadTenant: string): string {
  if (payloadTenant !== event.tenant) {
    throw new PermanentError(
      'EVENT.TENANT_MISMATCH',
      `EVENT.TENANT_MISMATCH: payload tenant "${payloadTenant}" differs from the tenant header "${event.tenant}"`,
    );
  }
  return event.tenant;
}

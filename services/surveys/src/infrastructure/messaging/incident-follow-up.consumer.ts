import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ComplaintAttachedV1, IncidentResolvedV1 } from '@aftersales/contracts';
import { DomainError } from '@aftersales/domain';
import { InboxContext, PermanentError } from '@aftersales/messaging';
import { SendSurveysHandler, type FollowUpCause } from '../../application/send-surveys.handler';

/**
 * Follow-up of resolved incidents (domain §5 Follow-up, §6), consumer `incident-follow-up` on the incidents topic.
 * Everything runs in the inbox transaction: a redelivered event is skipped before it gets here, and an event repeated
 * under a new id finds its surveys already sent (survey ids derive from tenant, incident and customer).
 */
@Controller()
export class IncidentFollowUpConsumer {
  constructor(@Inject(SendSurveysHandler) private readonly surveys: SendSurveysHandler) {}

  /** Remembers whom to survey; a customer attached after the resolution is surveyed at once. */
  @EventPattern(ComplaintAttachedV1.type)
  async onComplaintAttached(@Payload() data: ComplaintAttachedV1, @Ctx() ctx: InboxContext): Promise<void> {
    const cause = causeOf(ctx, data);
    await ctx.tx.query(
      `INSERT INTO surveys_incident_customers (tenant, incident_id, complaint_id, customer_ref, attached_at, source_event)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant, incident_id, complaint_id) DO NOTHING`,
      [cause.tenant, data.incidentId, data.complaintId, data.customerId, data.attachedAt, ctx.event.id],
    );
    await rejectingRuleViolations(() => this.surveys.onAttachedAfterResolution(ctx.tx, cause));
  }

  /** Sends one survey per affected customer, against the target the incident was resolved with. */
  @EventPattern(IncidentResolvedV1.type)
  async onIncidentResolved(@Payload() data: IncidentResolvedV1, @Ctx() ctx: InboxContext): Promise<void> {
    const resolution = { level: data.level, targetPercent: data.satisfactionTarget };
    await rejectingRuleViolations(() => this.surveys.onResolved(ctx.tx, causeOf(ctx, data), resolution));
  }
}

/** The tenant is the envelope's; a payload naming another tenant is a producer bug and is dead-lettered, never applied. */
function causeOf(ctx: InboxContext, data: { incidentId: string; tenantId: string }): FollowUpCause {
  const { event } = ctx;
  if (data.tenantId !== event.tenant) {
    throw new PermanentError(
      'SURVEYS.TENANT_MISMATCH',
      `Payload tenant ${data.tenantId} differs from the tenant header ${event.tenant}`,
    );
  }
  return {
    tenant: event.tenant,
    incidentId: data.incidentId,
    correlationId: event.correlationId,
    causationId: event.id,
  };
}

/** A broken rule never succeeds on retry: dead-letter it with its code. Anything else (database, conflicts) retries. */
async function rejectingRuleViolations(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof DomainError) throw new PermanentError(error.code, error.message);
    throw error;
  }
}

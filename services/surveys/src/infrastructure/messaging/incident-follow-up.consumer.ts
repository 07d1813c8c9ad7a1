import { Controller, Inject } from '@nestjs/common';
import { ComplaintAttachedV1, IncidentResolvedV1 } from '@aftersales/contracts';
import { Handles, type InboxEvent } from '@aftersales/messaging';
import { SendSurveysHandler } from '../../application/send-surveys.handler';

/**
 * Follow-up of resolved incidents (domain §5 Follow-up, §6), consumer `incident-follow-up` on the incidents topic.
 * Everything runs in the inbox transaction: a redelivered event is skipped before it gets here, and an event repeated
 * under a new id finds its surveys already sent (survey ids derive from tenant, incident and customer). A broken rule
 * is dead-lettered by the inbox with its code; anything else (database, conflicts) is retried.
 */
@Controller()
export class IncidentFollowUpConsumer {
  constructor(@Inject(SendSurveysHandler) private readonly surveys: SendSurveysHandler) {}

  /**
   * Remembers whom to survey, and the case the complaint arose from (the satisfaction events name it); a customer
   * attached after the resolution is surveyed at once.
   */
  @Handles(ComplaintAttachedV1)
  async onComplaintAttached(event: InboxEvent<ComplaintAttachedV1>): Promise<void> {
    const { tx, tenant, data, origin } = event;
    await tx.query(
      `INSERT INTO surveys_incident_customers (tenant, incident_id, complaint_id, customer_ref, attached_at, source_event,
                                              case_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant, incident_id, complaint_id) DO NOTHING`,
      [tenant, data.incidentId, data.complaintId, data.customerId, data.attachedAt, event.id, data.caseId ?? null],
    );
    await this.surveys.onAttachedAfterResolution(tx, { origin, incidentId: data.incidentId });
  }

  /** Sends one survey per affected customer, against the target the incident was resolved with. */
  @Handles(IncidentResolvedV1)
  async onIncidentResolved({ tx, data, origin }: InboxEvent<IncidentResolvedV1>): Promise<void> {
    const resolution = { level: data.level, targetPercent: data.satisfactionTarget };
    await this.surveys.onResolved(tx, { origin, incidentId: data.incidentId }, resolution);
  }
}

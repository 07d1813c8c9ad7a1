import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { SatisfactionMeasuredV1 } from '@aftersales/contracts';
import type { ConsumedEvent } from '@aftersales/messaging';
import { CLOCK, type Clock } from '@aftersales/service-runtime';
import { IncidentCommandRunner } from './incident-command-runner';
import { permanentUnlessRetryable, tenantOf } from './inbox-errors';

/** The surveys integration, as the actor of the satisfaction it reports. */
export const SURVEYS = { id: 'surveys', roles: ['integrator'] } as const;

/**
 * Records the satisfaction surveys measured on an incident (domain §6): below the level's target the incident owes a
 * follow-up (`FollowUpRequired`) before it may close. Runs in the inbox transaction; the event id is the survey
 * reference and the idempotency key.
 */
@Injectable()
export class SatisfactionHandler {
  constructor(
    @Inject(IncidentCommandRunner) private readonly runner: IncidentCommandRunner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** @throws `PermanentError` when the incident is unknown (or another tenant's) or not in follow-up. */
  async onSatisfactionMeasured(event: ConsumedEvent<SatisfactionMeasuredV1>, tx: PoolClient): Promise<void> {
    try {
      const tenant = tenantOf(event, event.data.tenantId);
      const { incidentId, satisfactionPercent, responses } = event.data;
      await this.runner.run(tx, {
        incidentId,
        command: {
          type: 'RecordSatisfaction',
          context: { tenant, actor: SURVEYS, now: this.clock() },
          data: { percent: satisfactionPercent, responses, surveyRef: event.id },
        },
        metadata: { tenant, actor: SURVEYS, correlationId: event.correlationId, causationId: event.id },
        idempotencyKey: `satisfaction:${event.id}`,
      });
    } catch (error) {
      throw permanentUnlessRetryable(error);
    }
  }
}

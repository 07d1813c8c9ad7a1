import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { CommandOrigin } from '@aftersales/eventstore';
import { IncidentCommandRunner } from './incident-command-runner';

/** The surveys integration, as the actor of the satisfaction it reports. */
export const SURVEYS = { id: 'surveys', roles: ['integrator'] } as const;

/** A satisfaction measurement surveys published, as this service needs it. */
export interface MeasuredSatisfaction {
  readonly incidentId: string;
  readonly percent: number;
  readonly responses: number;
  /** Surveys' verdict (from the exact counts): the one rule of "below target". */
  readonly belowTarget: boolean;
  /** The id of the published measurement: the survey reference recorded on the incident. */
  readonly surveyRef: string;
}

/**
 * Records the satisfaction surveys measured on an incident (domain §6): below the level's target the incident owes a
 * follow-up (`FollowUpRequired`) before it may close. Runs in the inbox transaction; a broken rule (unknown incident,
 * not in follow-up) is refused by the decider and dead-lettered by the inbox with its code.
 */
@Injectable()
export class SatisfactionHandler {
  constructor(@Inject(IncidentCommandRunner) private readonly runner: IncidentCommandRunner) {}

  async onSatisfactionMeasured(tx: PoolClient, origin: CommandOrigin, measured: MeasuredSatisfaction): Promise<void> {
    const { incidentId, ...data } = measured;
    await this.runner.run(tx, {
      incidentId,
      origin: { ...origin, actor: SURVEYS },
      command: { type: 'RecordSatisfaction', data },
    });
  }
}

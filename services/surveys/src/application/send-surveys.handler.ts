import { Inject, Injectable } from '@nestjs/common';
import type { IncidentLevelValue } from '@aftersales/contracts';
import type { CommandContext } from '@aftersales/domain';
import { fold, handleCommand, PostgresEventStore, type EventMetadata, type Queryable } from '@aftersales/eventstore';
import { CLOCK, type Clock } from '@aftersales/service-runtime';
import {
  incidentSatisfactionDecider,
  type IncidentSatisfactionState,
  type SurveyCustomers,
} from '../domain/incident-satisfaction.decider';
import type { IncidentSatisfactionEvent } from '../domain/incident-satisfaction.events';
import { createSurveyDecider, type SendSurvey } from '../domain/survey.decider';
import { projectSurveyEvents } from '../infrastructure/persistence/survey-view.projection';
import { satisfactionStream, surveyIdFor, surveyStream } from './streams';
import { SurveyPolicies } from './survey-policies';

/** The event that caused the surveys: recorded as causation, its correlation carried on. */
export interface FollowUpCause {
  readonly tenant: string;
  readonly incidentId: string;
  readonly correlationId: string;
  readonly causationId: string;
}

const ACTOR = { id: 'system:surveys.incident-follow-up', roles: [] as string[] };

/**
 * Sends one survey per affected customer of a resolved incident and tracks them on the incident's satisfaction, in the
 * caller's (inbox) transaction. Survey ids are derived from tenant, incident and customer, so running it again — a
 * redelivered resolution, or a complaint attached after it — sends surveys only to customers who have none.
 */
@Injectable()
export class SendSurveysHandler {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SurveyPolicies) private readonly policies: SurveyPolicies,
  ) {}

  /** On `IncidentResolvedV1`: survey every customer remembered for the incident. Returns how many surveys were sent. */
  async onResolved(
    tx: Queryable,
    cause: FollowUpCause,
    resolution: { readonly level: IncidentLevelValue; readonly targetPercent: number },
  ): Promise<number> {
    const { tenant, incidentId } = cause;
    const { rows } = await tx.query<{ customer_ref: string }>(
      `SELECT DISTINCT customer_ref FROM surveys_incident_customers WHERE tenant = $1 AND incident_id = $2 ORDER BY customer_ref`,
      [tenant, incidentId],
    );
    const surveys = rows.map((r) => ({
      surveyId: surveyIdFor(tenant, incidentId, r.customer_ref),
      customerRef: r.customer_ref,
    }));
    const context: CommandContext = { tenant, actor: ACTOR, now: this.clock() };
    const metadata: EventMetadata = {
      tenant,
      actor: ACTOR,
      correlationId: cause.correlationId,
      causationId: cause.causationId,
    };

    const track: SurveyCustomers = { type: 'SurveyCustomers', context, data: { incidentId, ...resolution, surveys } };
    await handleCommand(this.store, satisfactionStream(incidentId), incidentSatisfactionDecider, track, {
      tx,
      metadata,
    });

    const decider = createSurveyDecider(await this.policies.policyFor(tenant, tx));
    let sent = 0;
    for (const survey of surveys) {
      const command: SendSurvey = { type: 'SendSurvey', context, data: { ...survey, incidentId, ...resolution } };
      const result = await handleCommand(this.store, surveyStream(survey.surveyId), decider, command, { tx, metadata });
      await projectSurveyEvents(tx, result.newEvents);
      sent += result.newEvents.length;
    }
    return sent;
  }

  /**
   * On `ComplaintAttachedV1`, after the customer was remembered: when the incident is already resolved (its surveys
   * went out), the late customer is surveyed too, against the same target. Returns how many surveys were sent.
   */
  async onAttachedAfterResolution(tx: Queryable, cause: FollowUpCause): Promise<number> {
    const state = fold<IncidentSatisfactionState, IncidentSatisfactionEvent>(
      incidentSatisfactionDecider,
      await this.store.readStream(satisfactionStream(cause.incidentId), 0, tx),
    );
    if (state.status === 'none') return 0;
    return this.onResolved(tx, cause, { level: state.level, targetPercent: state.targetPercent });
  }
}

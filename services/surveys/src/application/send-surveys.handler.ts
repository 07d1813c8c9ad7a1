import { Inject, Injectable } from '@nestjs/common';
import type { IncidentLevelValue } from '@aftersales/contracts';
import { Commands, fold, type CommandOrigin, type Queryable } from '@aftersales/eventstore';
import { incidentSatisfactionDecider } from '../domain/incident-satisfaction.decider';
import { createSurveyDecider } from '../domain/survey.decider';
import { INCIDENT_CUSTOMER_REPOSITORY, type IncidentCustomerRepository } from './incident-customers.port';
import { satisfactionStream, surveyIdFor, surveyStream } from './streams';
import { SurveyPolicies } from './survey-policies';
import { SURVEY_VIEW_REPOSITORY, type SurveyViewRepository } from './survey-view.port';

/** The incident to follow up, and the origin of the event that caused it (its tenant, correlation and id). */
export interface FollowUpCause {
  readonly origin: CommandOrigin;
  readonly incidentId: string;
}

/**
 * Sends one survey per affected customer of a resolved incident and tracks them on the incident's satisfaction, in the
 * caller's (inbox) transaction. Survey ids are derived from tenant, incident and customer, so running it again — a
 * redelivered resolution, or a complaint attached after it — sends surveys only to customers who have none.
 */
@Injectable()
export class SendSurveysHandler {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(Commands) private readonly commands: Commands,
    @Inject(SurveyPolicies) private readonly policies: SurveyPolicies,
    @Inject(INCIDENT_CUSTOMER_REPOSITORY) private readonly customers: IncidentCustomerRepository,
    @Inject(SURVEY_VIEW_REPOSITORY) private readonly surveyView: SurveyViewRepository,
  ) {}

  /** On `IncidentResolvedV1`: survey every customer remembered for the incident. Returns how many surveys were sent. */
  async onResolved(
    tx: Queryable,
    cause: FollowUpCause,
    resolution: { readonly level: IncidentLevelValue; readonly targetPercent: number },
  ): Promise<number> {
    const { origin, incidentId } = cause;
    const { tenant } = origin;
    const customerRefs = await this.customers.customersOf(tx, tenant, incidentId);
    const surveys = customerRefs.map((customerRef) => ({
      surveyId: surveyIdFor(tenant, incidentId, customerRef),
      customerRef,
    }));
    const now = this.commands.now();
    await this.commands.handle(
      incidentSatisfactionDecider,
      satisfactionStream(incidentId),
      origin,
      { type: 'SurveyCustomers', data: { incidentId, ...resolution, surveys } },
      { tx, now },
    );

    const decider = createSurveyDecider(await this.policies.policyFor(tenant, tx));
    let sent = 0;
    for (const survey of surveys) {
      const result = await this.commands.handle(
        decider,
        surveyStream(survey.surveyId),
        origin,
        { type: 'SendSurvey', data: { ...survey, incidentId, ...resolution } },
        { tx, now },
      );
      await this.surveyView.apply(tx, result.newEvents);
      sent += result.newEvents.length;
    }
    return sent;
  }

  /**
   * On `ComplaintAttachedV1`, after the customer was remembered: when the incident is already resolved (its surveys
   * went out), the late customer is surveyed too, against the same target. Returns how many surveys were sent.
   */
  async onAttachedAfterResolution(tx: Queryable, cause: FollowUpCause): Promise<number> {
    const state = fold(
      incidentSatisfactionDecider,
      await this.commands.store.readStream(satisfactionStream(cause.incidentId), 0, tx),
    );
    if (state.status === 'none') return 0;
    return this.onResolved(tx, cause, { level: state.level, targetPercent: state.targetPercent });
  }
}

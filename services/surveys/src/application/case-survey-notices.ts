import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { Timer } from '@aftersales/eventstore';
import {
  DELIVERY_LEDGER,
  deliveryAttempt,
  NOTIFIER,
  NotificationDispatcher,
  logDispatch,
  type DeliveryLedger,
  type Notifier,
} from '@aftersales/notifications';
import type { Logger } from '@aftersales/observability';
import { CLOCK, type Clock } from '@aftersales/service-runtime';
import type { CaseSurveyState } from '../domain/case-survey.decider';
import type { SurveyPolicy } from '../domain/survey-policy';
import { SURVEYS_CONFIG, type SurveysConfig } from './surveys.config';

type NoticeSubject = Readonly<Record<string, string | null>>;
type Surveyed = Exclude<CaseSurveyState, { status: 'none' }>;

/** What the gateway is asked to do. */
export type SurveyNoticeKind = 'case-survey.invitation' | 'case-survey.reminder' | 'follow-up-call.overdue';

/**
 * The body a survey gateway (the tenant's SMS or app gateway, or the operator's) receives: ids, never personal data —
 * the gateway looks the customer's contact up by `customerRef`. The customer's answer comes back on `answerRoute`
 * (`POST`, role `integrator`); `key` is also the `Idempotency-Key` header.
 */
export interface SurveyNoticeBody {
  readonly key: string;
  readonly kind: SurveyNoticeKind;
  readonly tenant: string;
  readonly surveyId: string;
  readonly caseId: string;
  readonly customerRef: string;
  readonly orderId: string;
  readonly channel: string;
  readonly answerRoute: string;
  readonly expiresAt: string;
  /** Overdue follow-up calls: when the call was due, and the team responsible. */
  readonly dueBy?: string;
  readonly team?: string | null;
}

/**
 * Delivers invitations, reminders and overdue follow-up calls through the service's notifier port
 * (`@aftersales/notifications`, webhook adapter), once per event that asked for one: recorded in
 * `notification_deliveries` under the event's id in the timer's transaction (with the event); a failed attempt throws,
 * so the event rolls back with it and the timer is retried with backoff; a webhook outside
 * `SURVEYS_NOTIFIER_ALLOWED_HOSTS` is recorded as refused.
 */
@Injectable()
export class CaseSurveyNotices {
  private readonly dispatcher: NotificationDispatcher<NoticeSubject>;

  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(NOTIFIER) notifier: Notifier,
    @Inject(DELIVERY_LEDGER) ledger: DeliveryLedger<NoticeSubject>,
    @Inject(SURVEYS_CONFIG) private readonly config: SurveysConfig,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.dispatcher = new NotificationDispatcher(notifier, ledger, clock);
  }

  async deliver(
    tx: PoolClient,
    timer: Timer,
    notice: {
      readonly key: string;
      readonly kind: SurveyNoticeKind;
      readonly survey: Surveyed;
      readonly policy: SurveyPolicy;
    },
    logger: Logger,
  ): Promise<void> {
    const { survey } = notice.survey;
    const body: SurveyNoticeBody = {
      key: notice.key,
      kind: notice.kind,
      tenant: survey.tenant,
      surveyId: survey.surveyId,
      caseId: survey.caseId,
      customerRef: survey.customerRef,
      orderId: survey.orderId,
      channel: survey.channel,
      answerRoute: `/case-surveys/${survey.surveyId}/answers`,
      expiresAt: survey.expiresAt,
      ...(notice.kind === 'follow-up-call.overdue'
        ? { dueBy: notice.survey.followUpCall?.dueBy ?? survey.expiresAt, team: survey.team }
        : {}),
    };
    const url = notice.policy.webhookUrl ?? this.config.notifier.webhookUrl;
    const result = await this.dispatcher.deliverOnce(tx, {
      key: notice.key,
      tenant: survey.tenant,
      kind: notice.kind,
      subject: { surveyId: survey.surveyId, caseId: survey.caseId },
      target: url,
      body,
      attempt: deliveryAttempt(timer),
    });
    const about = { tenant: survey.tenant, key: notice.key, kind: notice.kind, surveyId: survey.surveyId };
    logDispatch(logger, result, {
      notice: 'survey notice',
      receiver: 'survey gateway',
      target: url,
      about,
      noTarget: 'no survey gateway (tenant policy or SURVEYS_NOTIFIER_WEBHOOK_URL): recorded to none',
    });
  }
}

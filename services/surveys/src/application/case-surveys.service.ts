import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { CaseResolvedV1 } from '@aftersales/contracts';
import {
  Commands,
  fold,
  inTransaction,
  timerOrigin,
  type CommandOrigin,
  type Queryable,
  type ServiceDatabase,
  type Timer,
} from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import type { Principal } from '@aftersales/platform-http';
import { hasPersonalData, PersonalDataVault, type PersonalData } from '@aftersales/privacy';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import {
  caseSurveyDecider,
  createCaseSurveyDecider,
  type AnswerCaseSurvey,
  type CaseSurveyCommand,
  type CaseSurveyState,
  type RecordFollowUpCall,
} from '../domain/case-survey.decider';
import type { CaseSurveyEvent } from '../domain/case-survey.events';
import { CaseNotSurveyed, SurveyNotFound } from '../domain/survey.errors';
import { CASE_REGISTER_REPOSITORY, type CaseRegisterRepository } from './case-register.port';
import { CaseSurveyNotices, type SurveyNoticeKind } from './case-survey-notices';
import { scheduleSurveyTimers, surveyTimerKinds, type SurveyTimerPayload } from './case-survey-timers';
import {
  CASE_SURVEY_VIEW_REPOSITORY,
  type CaseSurveyRow,
  type CaseSurveyViewRepository,
  type FollowUpCallFilter,
} from './case-survey-view.port';
import { caseSurveyIdFor, caseSurveyStream } from './streams';
import { SurveyPolicies } from './survey-policies';

export type CaseSurvey = Exclude<CaseSurveyState, { status: 'none' }>;

/** The actor of what the survey timers decide: the platform's rules. */
export const SURVEY_TIMER = { id: 'system:surveys.timers', roles: ['system'] } as const;

/** The customer's answer as the API takes it: the contact in plaintext, sealed before anything is stored. */
export type CaseSurveyAnswerInput = Omit<AnswerCaseSurvey['data'], 'contact'> & { readonly contact?: PersonalData };

const noticeOf: Partial<Record<CaseSurveyEvent['type'], SurveyNoticeKind>> = {
  CaseSurveyInvited: 'case-survey.invitation',
  CaseSurveyReminded: 'case-survey.reminder',
  FollowUpCallOverdue: 'follow-up-call.overdue',
};

const commandOfTimer: Record<string, CaseSurveyCommand['type']> = {
  [surveyTimerKinds.invite]: 'InviteToCaseSurvey',
  [surveyTimerKinds.remind]: 'RemindCaseSurvey',
  [surveyTimerKinds.expire]: 'ExpireCaseSurvey',
  [surveyTimerKinds.followUpCall]: 'FlagFollowUpCallOverdue',
};

/**
 * Surveys of resolved after-sales cases (domain §6; seed 000 §3.4): scheduled on intake's resolution under the tenant's
 * policy, invited, reminded and expired by durable timers with each invitation delivered once through the notifier
 * port, answered over HTTP (an unsatisfied answer or a suggestion raises improvement input), and the proactive call of
 * a significant or complex case. Every write runs in one transaction with the survey's events and its view row.
 */
@Injectable()
export class CaseSurveysService {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(SERVICE_DATABASE) private readonly db: ServiceDatabase,
    @Inject(Commands) private readonly commands: Commands,
    @Inject(SurveyPolicies) private readonly policies: SurveyPolicies,
    @Inject(CASE_REGISTER_REPOSITORY) private readonly register: CaseRegisterRepository,
    @Inject(CASE_SURVEY_VIEW_REPOSITORY) private readonly view: CaseSurveyViewRepository,
    @Inject(PersonalDataVault) private readonly vault: PersonalDataVault,
    @Inject(CaseSurveyNotices) private readonly notices: CaseSurveyNotices,
  ) {}

  /**
   * On `CaseResolvedV1`, in the inbox transaction: records the resolution and schedules the case's survey (and its
   * follow-up call) if the policy covers the case. A case the register never saw opened (its `CaseOpenedV1` predates
   * this service's subscription) has no customer to survey: nothing is scheduled. Returns the events appended.
   */
  async onCaseResolved(tx: Queryable, origin: CommandOrigin, resolved: CaseResolvedV1): Promise<CaseSurveyEvent[]> {
    const { tenant } = origin;
    await this.register.recordResolution(tx, tenant, resolved.caseId, resolved.resolvedAt);
    const registered = await this.register.caseOf(tx, tenant, resolved.caseId);
    if (!registered) return [];
    const { escalated, reopenings, ...surveyed } = registered;
    const surveyId = caseSurveyIdFor(tenant, resolved.caseId, resolved.resolvedAt);
    const decider = createCaseSurveyDecider(await this.policies.policyFor(tenant, tx));
    const result = await this.commands.handle(
      decider,
      caseSurveyStream(surveyId),
      origin,
      {
        type: 'ScheduleCaseSurvey',
        data: { ...surveyed, surveyId, resolvedAt: resolved.resolvedAt, escalated, reopened: reopenings > 0 },
      },
      { tx, now: this.commands.now() },
    );
    await this.view.apply(tx, result.newEvents);
    await scheduleSurveyTimers(tx, result.newEvents);
    return result.newEvents;
  }

  /**
   * Records the customer's answer (once; `Idempotency-Key` replays it). The contact the customer left is sealed under
   * their data key first, in the same transaction.
   */
  async answer(
    origin: CommandOrigin,
    input: CaseSurveyAnswerInput,
  ): Promise<{ survey: CaseSurvey; replayed: boolean }> {
    return inTransaction(this.db.pool, async (tx) => {
      const current = await this.load(input.surveyId, tx);
      if (current.status === 'none' || current.survey.tenant !== origin.tenant)
        throw new SurveyNotFound(input.surveyId);
      const { contact, ...answer } = input;
      const sealed =
        contact && hasPersonalData(contact)
          ? await this.vault.seal(tx, origin.tenant, current.survey.customerRef, contact)
          : undefined;
      const decider = createCaseSurveyDecider(await this.policies.policyFor(origin.tenant, tx));
      const result = await this.commands.handle(
        decider,
        caseSurveyStream(input.surveyId),
        origin,
        {
          type: 'AnswerCaseSurvey',
          data: {
            ...answer,
            ...(sealed ? { contact: { ciphertext: sealed.ciphertext, keyVersion: sealed.keyVersion } } : {}),
          },
        },
        { tx, now: this.commands.now() },
      );
      await this.view.apply(tx, result.newEvents);
      return { survey: this.owned(result.state, origin.tenant, input.surveyId), replayed: result.duplicate };
    });
  }

  /** Records the proactive follow-up call (once). */
  async recordCall(origin: CommandOrigin, data: RecordFollowUpCall['data']): Promise<CaseSurvey> {
    return inTransaction(this.db.pool, async (tx) => {
      const result = await this.commands.handle(
        caseSurveyDecider,
        caseSurveyStream(data.surveyId),
        origin,
        { type: 'RecordFollowUpCall', data },
        { tx, now: this.commands.now() },
      );
      await this.view.apply(tx, result.newEvents);
      return this.owned(result.state, origin.tenant, data.surveyId);
    });
  }

  /** A case survey of the caller's tenant (folded from its stream). */
  async get(principal: Principal, surveyId: string): Promise<CaseSurvey> {
    return this.owned(await this.load(surveyId), principal.tenant, surveyId);
  }

  /** The surveys of a case of the caller's tenant, one per resolution, oldest first (`CaseNotSurveyed` when none). */
  async surveysOfCase(principal: Principal, caseId: string): Promise<CaseSurvey[]> {
    const rows = await this.view.surveysOfCase(principal.tenant, caseId);
    if (rows.length === 0) throw new CaseNotSurveyed(caseId);
    return Promise.all(rows.map((row) => this.get(principal, row.survey_id)));
  }

  /** The tenant's follow-up calls, earliest due first. */
  followUpCalls(principal: Principal, filter: FollowUpCallFilter): Promise<CaseSurveyRow[]> {
    return this.view.followUpCalls(principal.tenant, filter, 500);
  }

  /**
   * The contact the customer left with their answer, opened through the vault: every read is logged with who, why
   * and what (`privacy_access_log`); `null` when none was left or the customer's data was erased.
   */
  async contactOf(principal: Principal, surveyId: string, purpose: string): Promise<PersonalData | null> {
    const survey = await this.get(principal, surveyId);
    if (survey.status !== 'answered' || !survey.answer.contact) return null;
    return this.vault.open(principal.tenant, survey.survey.customerRef, survey.answer.contact, {
      actor: principal.subject,
      roles: principal.roles,
      purpose,
      resource: `case-survey/${surveyId}`,
    });
  }

  /**
   * On intake's `CustomerDataErasedV1`, in the inbox transaction: destroys surveys' own key of the customer, so every
   * contact they left with an answer is unreadable from now on (and none is sealed for them again).
   */
  async eraseCustomer(tx: PoolClient, origin: CommandOrigin, customerId: string): Promise<void> {
    await this.vault.erase(origin.tenant, customerId, origin.actor.id, tx);
  }

  /**
   * Fires one survey timer in its transaction: the step's command (the decider re-checks the state, so an answered
   * survey is not reminded) and, for an invitation, a reminder or an overdue call, its delivery, recorded with the
   * event. A failed delivery throws: the event rolls back with it and the timer is retried with backoff.
   */
  async fire(timer: Timer, tx: PoolClient, logger: Logger): Promise<void> {
    const type = commandOfTimer[timer.kind];
    if (!type) {
      logger.warn({ timerId: timer.id, kind: timer.kind }, 'timer of an unknown kind dropped');
      return;
    }
    const { surveyId } = timer.payload as SurveyTimerPayload;
    const policy = await this.policies.policyFor(timer.tenant, tx);
    const result = await this.commands.handle(
      createCaseSurveyDecider(policy),
      caseSurveyStream(surveyId),
      timerOrigin(timer, SURVEY_TIMER),
      // Each timer kind's command carries the survey id only.
      { type, data: { surveyId } } as { type: 'InviteToCaseSurvey'; data: { surveyId: string } },
      { tx, now: this.commands.now() },
    );
    await this.view.apply(tx, result.newEvents);
    const state = result.state;
    if (state.status === 'none') return;
    for (const [index, event] of result.newEvents.entries()) {
      const kind = noticeOf[event.type];
      const key = result.eventIds[index];
      if (kind && key) await this.notices.deliver(tx, timer, { key, kind, survey: state, policy }, logger);
    }
  }

  private async load(surveyId: string, tx?: Queryable): Promise<CaseSurveyState> {
    return fold<CaseSurveyState, CaseSurveyEvent>(
      caseSurveyDecider,
      await this.commands.store.readStream(caseSurveyStream(surveyId), 0, tx),
    );
  }

  private owned(state: CaseSurveyState, tenant: string, surveyId: string): CaseSurvey {
    if (state.status === 'none' || state.survey.tenant !== tenant) throw new SurveyNotFound(surveyId);
    return state;
  }
}

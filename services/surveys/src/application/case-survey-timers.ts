import { scheduleTimer, type Queryable } from '@aftersales/eventstore';
import type { CaseSurveyEvent } from '../domain/case-survey.events';

/** The kinds of the surveys service's durable timers (`es_timers`). */
export const surveyTimerKinds = {
  invite: 'case-survey.invite',
  remind: 'case-survey.remind',
  expire: 'case-survey.expire',
  followUpCall: 'case-survey.follow-up-call-due',
} as const;
export type SurveyTimerKind = (typeof surveyTimerKinds)[keyof typeof surveyTimerKinds];

export interface SurveyTimerPayload {
  readonly surveyId: string;
}

/** The timer of one step of one survey (deterministic: a redelivery reschedules, never duplicates). */
export const surveyTimerId = (surveyId: string, kind: SurveyTimerKind) => `${kind}:${surveyId}`;

/**
 * Schedules, in the transaction that appended them, the timers the new events ask for: the invitation at `sendAt`, the
 * reminder at `remindAt`, the expiry at `expiresAt`, and a follow-up call's due time. Each timer re-checks the survey
 * when it fires (an answered survey is not reminded), so none needs cancelling.
 */
export async function scheduleSurveyTimers(tx: Queryable, events: readonly CaseSurveyEvent[]): Promise<void> {
  for (const event of events) {
    const at = (kind: SurveyTimerKind, dueAt: string) =>
      scheduleTimer(tx, {
        id: surveyTimerId(event.data.surveyId, kind),
        tenant: event.data.tenant,
        kind,
        dueAt: new Date(dueAt),
        payload: { surveyId: event.data.surveyId } satisfies SurveyTimerPayload,
      });
    if (event.type === 'CaseSurveyScheduled') {
      await at(surveyTimerKinds.invite, event.data.sendAt);
      if (event.data.remindAt) await at(surveyTimerKinds.remind, event.data.remindAt);
      await at(surveyTimerKinds.expire, event.data.expiresAt);
    } else if (event.type === 'FollowUpCallScheduled') {
      await at(surveyTimerKinds.followUpCall, event.data.dueBy);
    }
  }
}
